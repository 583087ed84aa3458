// consume: read N messages from the beginning of every partition with the simple (legacy)
// consumer: partitions are started directly, so no consumer group is involved.
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "bench/loadgen/clock.h"
#include "bench/loadgen/cpu_usage.h"
#include "bench/loadgen/kafka.h"
#include "bench/loadgen/modes.h"
#include "bench/loadgen/run_result.h"

namespace keel::bench {

int run_consume(const Options& o) {
  RunResult r(o);
  const int64_t start = now_ns();
  const int64_t deadline = start + seconds_to_ns(o.timeout_s);
  std::string error;

  const Properties base = {
      {"bootstrap.servers", o.bootstrap},
      {"enable.partition.eof", "true"},
      // A rewind target that retention has just removed restarts at the start, not the end.
      {"auto.offset.reset", "earliest"},
  };
  rd_kafka_conf_t* conf = make_conf({&base, &o.client_props, &o.consumer_props}, nullptr, &error);
  Client rk = conf != nullptr ? make_client(RD_KAFKA_CONSUMER, conf, &error) : nullptr;
  if (!rk) {
    r.fail(error);
    return report(r);
  }
  TopicInfo info;
  if (!topic_info(rk.get(), o.topic, ms_until(deadline), &info, nullptr, &error)) {
    r.fail(error);
    return report(r);
  }
  if (!info.exists) {
    r.fail("topic " + o.topic + " does not exist");
    return report(r);
  }
  r.partitions = info.partitions;
  // Rewinds seek to each partition's first offset as an absolute offset: a logical
  // "beginning" would cost an offset lookup round trip per rewind.
  std::vector<int64_t> first_offset(static_cast<size_t>(info.partitions), 0);
  for (int p = 0; o.rewind && p < info.partitions; ++p) {
    int64_t high = 0;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        rk.get(), o.topic.c_str(), p, &first_offset[static_cast<size_t>(p)], &high,
        ms_until(deadline));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      r.fail(std::string("start offsets: ") + rd_kafka_err2str(err));
      return report(r);
    }
  }
  TopicHandle topic(rd_kafka_topic_new(rk.get(), o.topic.c_str(), nullptr));
  Queue queue(rd_kafka_queue_new(rk.get()));
  for (int p = 0; p < info.partitions; ++p) {
    if (rd_kafka_consume_start_queue(topic.get(), p, RD_KAFKA_OFFSET_BEGINNING, queue.get()) != 0) {
      r.fail(std::string("consume start: ") + rd_kafka_err2str(rd_kafka_last_error()));
      return report(r);
    }
  }

  CpuMonitor cpu(o.cpu_pids);
  std::vector<rd_kafka_message_t*> batch(4096);
  std::set<int32_t> at_end;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
  int64_t rewinds = 0;
  while (r.ok < o.count) {
    if (now_ns() >= deadline) {
      r.fail("time bound reached after " + std::to_string(r.ok) + " of " + std::to_string(o.count) +
             " messages");
      break;
    }
    // Take what is queued without waiting (a batch call with a timeout waits for a full
    // batch, which would delay the last messages); when nothing is, block for the next one.
    ssize_t n = rd_kafka_consume_batch_queue(queue.get(), 0, batch.data(), batch.size());
    if (n < 0) {
      r.fail(std::string("consume: ") + rd_kafka_err2str(rd_kafka_last_error()));
      break;
    }
    if (n == 0) {
      batch[0] = rd_kafka_consume_queue(queue.get(), std::min(100, ms_until(deadline)));
      if (batch[0] != nullptr) n = 1;
    }
    const int64_t now = now_ns();
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[static_cast<size_t>(i)];
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (o.rewind) {
          rd_kafka_seek(topic.get(), m->partition, first_offset[static_cast<size_t>(m->partition)],
                        0);
          ++rewinds;
        } else {
          at_end.insert(m->partition);
        }
      } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (r.failed++ == 0) {
          r.notes.push_back(std::string("first consume error: ") + rd_kafka_message_errstr(m));
        }
      } else if (r.ok < o.count) {
        if (r.ok == 0) {
          first_ns = now;
          cpu.start();
        }
        ++r.ok;
        r.bytes += static_cast<int64_t>(m->len);
        last_ns = now;
      }
      rd_kafka_message_destroy(m);
    }
    if (!o.rewind && static_cast<int>(at_end.size()) == info.partitions && r.ok < o.count) {
      r.fail("reached the end of every partition after " + std::to_string(r.ok) + " of " +
             std::to_string(o.count) + " messages (use --rewind to read again)");
      break;
    }
  }
  if (r.ok > 0) {
    r.has_cpu = true;
    r.cpu = cpu.stop();
  }
  r.seconds = static_cast<double>(last_ns - first_ns) / 1e9;
  if (rewinds > 0) r.notes.push_back("rewound " + std::to_string(rewinds) + " times");
  if (r.ok == 0) r.fail("no message was consumed");
  for (int p = 0; p < info.partitions; ++p) rd_kafka_consume_stop(topic.get(), p);
  queue.reset();
  topic.reset();
  return report(r);
}

}  // namespace keel::bench
