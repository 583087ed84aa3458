// Thin RAII layer over librdkafka's C API: client creation from property lists, cluster
// metadata, and topic administration (CreateTopics / DeleteTopics).
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/loadgen/options.h"

namespace keel::bench {

struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Client = std::unique_ptr<rd_kafka_t, ClientDeleter>;

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
};
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;

// Builds a configuration from property lists (later lists win); `opaque` is handed to every
// callback. On failure returns nullptr and sets *error.
rd_kafka_conf_t* make_conf(const std::vector<const Properties*>& layers, void* opaque,
                           std::string* error);

// Creates a client; takes ownership of `conf` in every case.
Client make_client(rd_kafka_type_t type, rd_kafka_conf_t* conf, std::string* error);

struct TopicInfo {
  bool exists = false;
  int partitions = 0;
  bool all_have_leaders = false;
};

struct ClusterInfo {
  int brokers = 0;
  std::vector<std::pair<std::string, int>> topics;  // name, partitions
};

// Metadata for every topic (never for one by name: that would auto-create it).
bool cluster_info(rd_kafka_t* rk, int timeout_ms, ClusterInfo* info, std::string* error);
bool topic_info(rd_kafka_t* rk, const std::string& topic, int timeout_ms, TopicInfo* info,
                int* brokers, std::string* error);

// Makes sure `topic` exists with at least `partitions` partitions, all with a leader, creating
// it (CreateTopics) when missing. Bounded by `deadline_ns` (monotonic).
bool ensure_topic(rd_kafka_t* rk, const std::string& topic, int partitions, int replication,
                  const Properties& configs, bool create, int64_t deadline_ns, std::string* error);

bool delete_topic(rd_kafka_t* rk, const std::string& topic, int64_t deadline_ns,
                  std::string* error);

// Milliseconds left until `deadline_ns`, at least `floor_ms`.
int ms_until(int64_t deadline_ns, int floor_ms = 1);

}  // namespace keel::bench
