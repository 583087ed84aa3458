// e2e: a producer at a fixed rate and a consumer in the same process (one clock). Each value
// starts with its scheduled send time; the consumer records receive time minus that.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/loadgen/clock.h"
#include "bench/loadgen/cpu_usage.h"
#include "bench/loadgen/modes.h"
#include "bench/loadgen/producer.h"
#include "bench/loadgen/run_result.h"

namespace keel::bench {

namespace {

struct ConsumerSide {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> errors{0};
  int64_t measure_from_ns = 0;  // messages scheduled before this are warm-up
  int64_t bytes = 0;            // consumer thread only
  Histogram latency;            // consumer thread only
  std::string first_error;      // consumer thread only
};

void handle(rd_kafka_message_t* m, int64_t now, ConsumerSide* side) {
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->len >= sizeof(int64_t)) {
    int64_t stamp;
    std::memcpy(&stamp, m->payload, sizeof stamp);
    if (stamp >= side->measure_from_ns) {
      side->latency.record(now - stamp);
      side->bytes += static_cast<int64_t>(m->len);
    }
    side->received.fetch_add(1, std::memory_order_release);
  } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (side->errors.fetch_add(1) == 0) side->first_error = rd_kafka_message_errstr(m);
  }
  rd_kafka_message_destroy(m);
}

void consume_loop(rd_kafka_queue_t* queue, ConsumerSide* side) {
  std::vector<rd_kafka_message_t*> batch(1024);
  while (!side->stop.load(std::memory_order_acquire)) {
    // Take what is queued without waiting (a batch call with a timeout waits for a full
    // batch); when nothing is, block for the next single message.
    const ssize_t n = rd_kafka_consume_batch_queue(queue, 0, batch.data(), batch.size());
    if (n > 0) {
      const int64_t now = now_ns();
      for (ssize_t i = 0; i < n; ++i) handle(batch[static_cast<size_t>(i)], now, side);
      continue;
    }
    rd_kafka_message_t* m = rd_kafka_consume_queue(queue, 20);
    if (m != nullptr) handle(m, now_ns(), side);
  }
}

}  // namespace

int run_e2e(const Options& o) {
  RunResult r(o);
  r.partitions = o.partitions;
  r.latency_kind = "e2e";
  const int64_t start = now_ns();
  const int64_t deadline = start + seconds_to_ns(o.timeout_s);
  std::string error;

  auto producer = Producer::create_for_topic(o, deadline, &error);
  if (!producer) {
    r.fail(error);
    return report(r);
  }

  const Properties base = {{"bootstrap.servers", o.bootstrap}};
  rd_kafka_conf_t* conf = make_conf({&base, &o.client_props, &o.consumer_props}, nullptr, &error);
  Client consumer = conf != nullptr ? make_client(RD_KAFKA_CONSUMER, conf, &error) : nullptr;
  if (!consumer) {
    r.fail(error);
    return report(r);
  }
  TopicHandle ctopic(rd_kafka_topic_new(consumer.get(), o.topic.c_str(), nullptr));
  Queue queue(rd_kafka_queue_new(consumer.get()));
  // Start every partition at its current end, so that exactly the messages sent below arrive.
  for (int p = 0; p < o.partitions; ++p) {
    int64_t low = 0;
    int64_t high = 0;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        consumer.get(), o.topic.c_str(), p, &low, &high, ms_until(deadline));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      r.fail(std::string("end offsets: ") + rd_kafka_err2str(err));
      return report(r);
    }
    if (rd_kafka_consume_start_queue(ctopic.get(), p, high, queue.get()) != 0) {
      r.fail(std::string("consume start: ") + rd_kafka_err2str(rd_kafka_last_error()));
      return report(r);
    }
  }

  ConsumerSide side;
  TopicHandle ptopic(rd_kafka_topic_new(producer->handle(), o.topic.c_str(), nullptr));
  const ValuePool pool(o.size);
  std::vector<char> value(static_cast<size_t>(o.size));
  const int64_t drain_ns = std::min(seconds_to_ns(10), seconds_to_ns(o.timeout_s) / 4);
  const int64_t stop_sending_at = deadline - drain_ns;
  CpuMonitor cpu(o.cpu_pids);
  cpu.start();
  const int64_t t0 = now_ns();
  side.measure_from_ns = t0 + seconds_to_ns(o.warmup_s);
  std::thread consumer_thread(consume_loop, queue.get(), &side);
  const int64_t send_end = o.duration_s > 0 ? t0 + seconds_to_ns(o.duration_s) : INT64_MAX;
  const double ns_per_msg = 1e9 / o.rate;
  for (int64_t i = 0; o.count < 0 || i < o.count; ++i) {
    const int64_t stamp = t0 + static_cast<int64_t>(static_cast<double>(i) * ns_per_msg);
    if (stamp >= send_end) break;
    if (stamp > now_ns()) sleep_until_ns(stamp);
    if (now_ns() >= stop_sending_at) {
      if (o.duration_s == 0) r.fail("time bound reached before --count messages were sent");
      break;
    }
    std::memcpy(value.data(), pool.value(i), value.size());
    std::memcpy(value.data(), &stamp, sizeof stamp);
    if (!producer->send(ptopic.get(), static_cast<int32_t>(i % o.partitions), value.data(),
                        value.size(), nullptr, 0, stamp, RD_KAFKA_MSG_F_COPY, &error)) {
      r.fail(error);
      break;
    }
  }
  const bool drained = producer->drain(deadline);
  // Then wait for the consumer to see every delivered message.
  while (side.received.load(std::memory_order_acquire) < producer->delivered() &&
         now_ns() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const int64_t end = now_ns();
  const CpuReport usage = cpu.stop();
  side.stop.store(true, std::memory_order_release);
  consumer_thread.join();

  r.sent = producer->sent();
  r.ok = side.received.load();
  r.failed = producer->failed() + side.errors.load();
  r.bytes = static_cast<int64_t>(o.size) * r.ok;
  r.seconds = static_cast<double>(end - t0) / 1e9;
  r.latency = side.latency;
  r.ack_latency = producer->latency();
  r.has_cpu = true;
  r.cpu = usage;
  if (!drained) r.fail("deliveries still outstanding at the time bound");
  if (producer->failed() > 0) r.fail(producer->first_error());
  if (r.ok < producer->delivered()) {
    r.fail("received " + std::to_string(r.ok) + " of " + std::to_string(producer->delivered()) +
           " delivered messages before the time bound");
  }
  if (!side.first_error.empty()) r.notes.push_back("consumer error: " + side.first_error);
  if (side.latency.count() == 0) r.fail("no message was measured (warm-up longer than the run?)");
  for (int p = 0; p < o.partitions; ++p) rd_kafka_consume_stop(ctopic.get(), p);
  queue.reset();
  ctopic.reset();
  ptopic.reset();
  return report(r);
}

}  // namespace keel::bench
