// produce: flat out or at a fixed rate, for a duration or a count.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/loadgen/clock.h"
#include "bench/loadgen/cpu_usage.h"
#include "bench/loadgen/modes.h"
#include "bench/loadgen/producer.h"
#include "bench/loadgen/run_result.h"

namespace keel::bench {

int run_produce(const Options& o) {
  RunResult r(o);
  r.partitions = o.partitions;
  r.latency_kind = "delivery";
  const int64_t start = now_ns();
  const int64_t deadline = start + seconds_to_ns(o.timeout_s);
  std::string error;

  auto producer = Producer::create_for_topic(o, deadline, &error);
  if (!producer) {
    r.fail(error);
    return report(r);
  }
  TopicHandle topic(rd_kafka_topic_new(producer->handle(), o.topic.c_str(), nullptr));
  const ValuePool pool(o.size);
  std::vector<std::string> keys;
  for (int k = 0; k < o.keys; ++k) keys.push_back("key-" + std::to_string(k));

  // Sending stops early enough to leave time for the last deliveries.
  const int64_t drain_ns = std::min(seconds_to_ns(10), seconds_to_ns(o.timeout_s) / 4);
  const int64_t stop_sending_at = deadline - drain_ns;
  CpuMonitor cpu(o.cpu_pids);
  cpu.start();
  const int64_t t0 = now_ns();
  const int64_t send_end = o.duration_s > 0 ? t0 + seconds_to_ns(o.duration_s) : INT64_MAX;
  const double ns_per_msg = o.rate > 0 ? 1e9 / o.rate : 0;
  for (int64_t i = 0; o.count < 0 || i < o.count; ++i) {
    int64_t now = now_ns();
    int64_t stamp = now;
    if (o.rate > 0) {
      // Message i is due at t0 + i / rate; its latency counts from then, however late the
      // sender gets to it (no coordinated omission).
      stamp = t0 + static_cast<int64_t>(static_cast<double>(i) * ns_per_msg);
      if (stamp >= send_end) break;
      if (stamp > now) {
        sleep_until_ns(stamp);
        now = stamp;
      }
    } else if (stamp >= send_end) {
      break;
    }
    if (now >= stop_sending_at) {
      if (o.duration_s == 0) {
        r.fail("time bound reached after " + std::to_string(i) + " of " + std::to_string(o.count) +
               " messages");
      }
      break;
    }
    const char* key = nullptr;
    size_t key_size = 0;
    int32_t partition = static_cast<int32_t>(i % o.partitions);
    if (!keys.empty()) {
      const std::string& k = keys[static_cast<size_t>(i % o.keys)];
      key = k.data();
      key_size = k.size();
      partition = RD_KAFKA_PARTITION_UA;
    }
    if (!producer->send(topic.get(), partition, pool.value(i), static_cast<size_t>(o.size), key,
                        key_size, stamp, 0, &error)) {
      r.fail(error);
      break;
    }
  }
  const bool drained = producer->drain(deadline);
  const CpuReport usage = cpu.stop();
  const int64_t end = producer->delivered() > 0 ? producer->last_report_ns() : now_ns();

  r.sent = producer->sent();
  r.ok = producer->delivered();
  r.failed = producer->failed();
  r.bytes = producer->delivered_bytes();
  r.seconds = static_cast<double>(end - t0) / 1e9;
  r.latency = producer->latency();
  r.has_cpu = true;
  r.cpu = usage;
  if (!drained) r.fail("deliveries still outstanding at the time bound");
  if (r.failed > 0) r.fail(producer->first_error());
  if (r.ok == 0) r.fail("no message was delivered");
  topic.reset();
  return report(r);
}

}  // namespace keel::bench
