#include "bench/loadgen/producer.h"

#include <chrono>
#include <cmath>
#include <random>

#include "bench/loadgen/clock.h"
#include "bench/loadgen/kafka.h"

namespace keel::bench {

ValuePool::ValuePool(int max_size) : data_(kPoolBytes + static_cast<size_t>(max_size)) {
  std::mt19937 rng(20261124);
  std::uniform_int_distribution<int> letter('A', 'Z');
  for (char& c : data_) c = static_cast<char>(letter(rng));
}

std::unique_ptr<Producer> Producer::create(const Options& o, std::string* error) {
  std::unique_ptr<Producer> p(new Producer());
  const int timeout_ms = static_cast<int>(std::ceil(o.timeout_s * 1000));
  const Properties base = {
      {"bootstrap.servers", o.bootstrap},
      {"acks", o.acks},
      {"linger.ms", std::to_string(o.linger_ms)},
      {"batch.size", std::to_string(o.batch_size)},
      {"compression.codec", o.compression},
      // A message that cannot be delivered fails within the run's bound.
      {"message.timeout.ms", std::to_string(timeout_ms)},
  };
  rd_kafka_conf_t* conf = make_conf({&base, &o.client_props, &o.producer_props}, p.get(), error);
  if (conf == nullptr) return nullptr;
  rd_kafka_conf_set_dr_msg_cb(conf, &Producer::on_delivery);
  p->rk_ = make_client(RD_KAFKA_PRODUCER, conf, error);
  if (!p->rk_) return nullptr;
  p->poller_ = std::thread([raw = p.get()] { raw->poll_loop(); });
  return p;
}

std::unique_ptr<Producer> Producer::create_for_topic(const Options& o, int64_t deadline_ns,
                                                     std::string* error) {
  auto p = create(o, error);
  if (p && !ensure_topic(p->handle(), o.topic, o.partitions, o.replication, o.topic_configs,
                         o.create, deadline_ns, error)) {
    return nullptr;
  }
  return p;
}

Producer::~Producer() {
  stop_thread();
  if (rk_) rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
}

void Producer::on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  const int64_t now = now_ns();
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (self->first_error_.empty()) {
      self->first_error_ = std::string("delivery failed: ") + rd_kafka_err2name(msg->err) + " (" +
                           rd_kafka_err2str(msg->err) + ")";
    }
    self->failed_.fetch_add(1, std::memory_order_relaxed);
  } else {
    const auto stamp = static_cast<int64_t>(reinterpret_cast<uintptr_t>(msg->_private));
    self->latency_.record(now - stamp);
    self->delivered_bytes_.fetch_add(static_cast<int64_t>(msg->len), std::memory_order_relaxed);
    self->delivered_.fetch_add(1, std::memory_order_relaxed);
  }
  self->last_report_ns_.store(now, std::memory_order_relaxed);
  self->done_.fetch_add(1, std::memory_order_release);
}

void Producer::poll_loop() {
  while (!stop_.load(std::memory_order_acquire)) rd_kafka_poll(rk_.get(), 50);
  rd_kafka_poll(rk_.get(), 0);
}

void Producer::stop_thread() {
  if (poller_.joinable()) {
    stop_.store(true, std::memory_order_release);
    poller_.join();
  }
}

bool Producer::send(rd_kafka_topic_t* topic, int32_t partition, const char* value, size_t size,
                    const char* key, size_t key_size, int64_t stamp_ns, int flags,
                    std::string* error) {
  // RD_KAFKA_MSG_F_BLOCK waits for room in the client's queue; the report thread frees it.
  if (rd_kafka_produce(topic, partition, flags | RD_KAFKA_MSG_F_BLOCK, const_cast<char*>(value),
                       size, key, key_size,
                       reinterpret_cast<void*>(static_cast<uintptr_t>(stamp_ns))) != 0) {
    *error = std::string("produce: ") + rd_kafka_err2str(rd_kafka_last_error());
    return false;
  }
  ++sent_;
  return true;
}

bool Producer::drain(int64_t deadline_ns) {
  while (done_.load(std::memory_order_acquire) < sent_ && now_ns() < deadline_ns) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  const bool all_done = done_.load(std::memory_order_acquire) >= sent_;
  if (!all_done) {
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    // Purged messages get failure reports; give the report thread a moment to count them.
    const int64_t grace = now_ns() + 1'000'000'000;
    while (done_.load(std::memory_order_acquire) < sent_ && now_ns() < grace) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  stop_thread();
  return all_done;
}

}  // namespace keel::bench
