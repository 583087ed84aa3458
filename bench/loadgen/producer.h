// A librdkafka producer whose delivery reports are served by a dedicated thread blocked in
// rd_kafka_poll(), so each report is timed when it arrives. Every message carries a timestamp
// (its enqueue time, or its scheduled send time at a fixed rate); the report thread records
// report time minus that timestamp.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/loadgen/histogram.h"
#include "bench/loadgen/kafka.h"
#include "bench/loadgen/options.h"

namespace keel::bench {

// Values are views into one pool of random capital letters (like kafka-producer-perf-test's),
// so sending copies nothing.
class ValuePool {
 public:
  explicit ValuePool(int max_size);
  const char* value(int64_t i) const {
    return data_.data() + static_cast<size_t>(i * 7919) % kPoolBytes;
  }

 private:
  static constexpr size_t kPoolBytes = 1 << 20;
  std::vector<char> data_;
};

class Producer {
 public:
  // Creates the client from the options (acks, linger, batch size, compression, -X, -X p:).
  static std::unique_ptr<Producer> create(const Options& options, std::string* error);
  // create(), then ensure_topic() for the options' topic (created when asked, every partition
  // with a leader) before `deadline_ns`. Null on either failure.
  static std::unique_ptr<Producer> create_for_topic(const Options& options, int64_t deadline_ns,
                                                    std::string* error);
  ~Producer();

  rd_kafka_t* handle() const { return rk_.get(); }

  // Sends one message; blocks while the client's queue is full. `flags` may add
  // RD_KAFKA_MSG_F_COPY for a payload that does not outlive the call.
  bool send(rd_kafka_topic_t* topic, int32_t partition, const char* value, size_t size,
            const char* key, size_t key_size, int64_t stamp_ns, int flags, std::string* error);

  // Waits until every sent message has a delivery report or the deadline passes; then purges
  // what is left. Returns true when nothing was left.
  bool drain(int64_t deadline_ns);

  int64_t sent() const { return sent_; }
  int64_t delivered() const { return delivered_.load(); }
  int64_t failed() const { return failed_.load(); }
  int64_t delivered_bytes() const { return delivered_bytes_.load(); }
  int64_t last_report_ns() const { return last_report_ns_.load(); }
  // Only after drain(): the report thread has stopped.
  const Histogram& latency() const { return latency_; }
  const std::string& first_error() const { return first_error_; }

 private:
  Producer() = default;
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  void poll_loop();
  void stop_thread();

  Client rk_;
  std::thread poller_;
  std::atomic<bool> stop_{false};
  int64_t sent_ = 0;
  std::atomic<int64_t> done_{0};
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> delivered_bytes_{0};
  std::atomic<int64_t> last_report_ns_{0};
  Histogram latency_;        // report thread only
  std::string first_error_;  // report thread only
};

}  // namespace keel::bench
