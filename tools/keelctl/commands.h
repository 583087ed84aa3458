// File: tools/keelctl/commands.h
// keelctl's commands, each speaking the Kafka protocol to one bootstrap server. Output goes to
// `out`, errors to `err`; the return value is the process exit code:
//   0 done / healthy, 1 the request failed or the cluster is unhealthy, 3 cannot connect.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>

namespace keel::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

struct Options {
  std::string bootstrap = "127.0.0.1:9092";
  std::chrono::milliseconds timeout{10000};
};

struct TopicSpec {
  std::string name;
  int32_t partitions = -1;          // -1: the broker's num.partitions
  int16_t replication_factor = -1;  // -1: the broker's default.replication.factor
  std::map<std::string, std::string> configs;
};

int topic_list(const Options& options, std::ostream& out, std::ostream& err);
// One topic, or every topic when `name` is empty: partitions, leaders, replicas, ISR.
int topic_describe(const Options& options, const std::optional<std::string>& name,
                   std::ostream& out, std::ostream& err);
int topic_create(const Options& options, const TopicSpec& spec, std::ostream& out,
                 std::ostream& err);
int topic_delete(const Options& options, const std::string& name, std::ostream& out,
                 std::ostream& err);
// Brokers, the controller, the metadata quorum (DescribeQuorum, when the node serves it) and
// partitions without a leader or with fewer in-sync replicas than replicas. Unhealthy = exit 1.
int cluster_status(const Options& options, std::ostream& out, std::ostream& err);
// Preferred leader election (ElectLeaders): every partition, one topic's, or one partition.
// Prints each result; exit 1 when any is an error other than ELECTION_NOT_NEEDED.
int elect_leaders(const Options& options, const std::optional<std::string>& topic,
                  std::optional<int32_t> partition, std::ostream& out, std::ostream& err);
// UnregisterBroker: removes a broker that is gone for good.
int cluster_unregister(const Options& options, int32_t node_id, std::ostream& out,
                       std::ostream& err);

}  // namespace keel::tools
