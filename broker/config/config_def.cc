#include "broker/config/config_def.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "absl/strings/numbers.h"
#include "broker/config/config_values.h"
#include "broker/config/endpoint.h"

namespace keel::broker {
namespace {

constexpr int64_t kI32 = std::numeric_limits<int32_t>::max();
constexpr int64_t kI16 = std::numeric_limits<int16_t>::max();
constexpr int64_t kI64 = std::numeric_limits<int64_t>::max();
using T = ConfigType;

absl::Status check_listeners(std::string_view v) { return parse_endpoints(v).status(); }
absl::Status check_voters(std::string_view v) { return parse_quorum_voters(v).status(); }
absl::Status check_protocol_map(std::string_view v) {
  return parse_listener_protocol_map(v).status();
}
absl::Status check_admin(std::string_view v) {
  if (v.empty()) return absl::OkStatus();
  return parse_host_port(v).status();
}
absl::Status check_non_empty(std::string_view v) {
  if (split_list(v).empty()) return absl::InvalidArgumentError("must not be empty");
  return absl::OkStatus();
}
absl::Status check_cluster_id(std::string_view v) {
  for (char c : v) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return absl::InvalidArgumentError("use letters, digits, '-' and '_' only");
    }
  }
  if (v.size() > 64) return absl::InvalidArgumentError("at most 64 characters");
  return absl::OkStatus();
}

// Kafka's defaults unless the doc says otherwise. Durations in ms unless the name says so.
const ConfigDef kDefs[] = {
    // Node identity and roles.
    {"node.id",
     T::kInt,
     nullptr,
     0,
     kI32,
     {},
     nullptr,
     "Id of this node, unique in the cluster. Required."},
    {"process.roles", T::kList, "broker,controller", 0, 0, "broker,controller", check_non_empty,
     "Roles this node plays: broker, controller or both (combined mode)."},
    {"cluster.id",
     T::kString,
     "",
     0,
     0,
     {},
     check_cluster_id,
     "Keel: cluster id. Empty = generated when the log dirs are first formatted and kept in "
     "meta.properties; if set, must match what the log dirs hold."},
    // Listeners and quorum.
    {"listeners",
     T::kString,
     "PLAINTEXT://:9092",
     0,
     0,
     {},
     check_listeners,
     "Comma list of NAME://host:port to listen on; empty host = all interfaces, port 0 = any."},
    {"advertised.listeners",
     T::kString,
     nullptr,
     0,
     0,
     {},
     check_listeners,
     "Addresses given to clients. Default: the non-controller listeners, with an empty or "
     "wildcard host replaced by 127.0.0.1."},
    {"listener.security.protocol.map",
     T::kString,
     "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
     0,
     0,
     {},
     check_protocol_map,
     "Security protocol of each listener name, as NAME:PROTOCOL,... Keel serves PLAINTEXT "
     "only so far. When not set, controller listeners are PLAINTEXT."},
    {"controller.listener.names",
     T::kList,
     "",
     0,
     0,
     {},
     nullptr,
     "Listener names used by the controller quorum; needed when there is more than one voter."},
    {"controller.quorum.voters",
     T::kString,
     "",
     0,
     0,
     {},
     check_voters,
     "Quorum voters as id@host:port,...; empty = this node alone is the quorum."},
    {"controller.quorum.election.timeout.ms",
     T::kInt,
     "1000",
     1,
     kI32,
     {},
     nullptr,
     "Without a leader for this long a voter stands for election (randomized up to 2x)."},
    {"controller.quorum.fetch.timeout.ms",
     T::kInt,
     "2000",
     1,
     kI32,
     {},
     nullptr,
     "A follower that cannot fetch from the leader for this long stands for election."},
    {"controller.quorum.election.backoff.max.ms",
     T::kInt,
     "1000",
     1,
     kI32,
     {},
     nullptr,
     "Longest (randomized, exponential) wait before standing again after a lost election."},
    {"controller.quorum.request.timeout.ms",
     T::kInt,
     "2000",
     1,
     kI32,
     {},
     nullptr,
     "A quorum request without an answer for this long is given up (and retried)."},
    {"controller.quorum.append.linger.ms",
     T::kInt,
     "25",
     0,
     kI32,
     {},
     nullptr,
     "The leader fsyncs appended metadata records at most this much later (group commit)."},
    {"keel.admin.listener",
     T::kString,
     "",
     0,
     0,
     {},
     check_admin,
     "Keel: host:port of the admin HTTP endpoint (health, metrics); empty = disabled."},
    {"keel.shards",
     T::kInt,
     "0",
     0,
     1024,
     {},
     nullptr,
     "Keel: event loops (threads) serving connections and owning partitions; 0 = one per core."},
    {"num.network.threads",
     T::kInt,
     "3",
     1,
     kI32,
     {},
     nullptr,
     "Accepted for compatibility and ignored: Keel runs one event loop per core."},
    {"num.io.threads",
     T::kInt,
     "8",
     1,
     kI32,
     {},
     nullptr,
     "Accepted for compatibility and ignored: Keel runs one event loop per core."},
    {"socket.request.max.bytes",
     T::kInt,
     "104857600",
     1,
     kI32,
     {},
     nullptr,
     "Largest request frame accepted; a larger size prefix closes the connection."},
    {"message.max.bytes",
     T::kInt,
     "1048588",
     0,
     kI32,
     {},
     nullptr,
     "Largest record batch a produce may append (topic config max.message.bytes)."},
    // Topics.
    {"auto.create.topics.enable",
     T::kBool,
     "true",
     0,
     0,
     {},
     nullptr,
     "Create a topic when a client asks for metadata of one that does not exist."},
    {"num.partitions",
     T::kInt,
     "1",
     1,
     kI32,
     {},
     nullptr,
     "Partition count of auto-created topics and of CreateTopics without a count."},
    {"default.replication.factor",
     T::kInt,
     "1",
     1,
     kI16,
     {},
     nullptr,
     "Replication factor of auto-created topics and of CreateTopics without one."},
    {"min.insync.replicas",
     T::kInt,
     "1",
     1,
     kI32,
     {},
     nullptr,
     "Replicas that must have a write before an acks=all produce succeeds."},
    {"unclean.leader.election.enable",
     T::kBool,
     "false",
     0,
     0,
     {},
     nullptr,
     "Allow an out-of-sync replica to become leader (may lose acknowledged data)."},
    {"replica.lag.time.max.ms",
     T::kLong,
     "30000",
     0,
     kI64,
     {},
     nullptr,
     "A follower that has not caught up for this long leaves the ISR."},
    // The log.
    {"log.dirs",
     T::kList,
     nullptr,
     0,
     0,
     {},
     check_non_empty,
     "Directories holding partition data. Default: log.dir."},
    {"log.dir",
     T::kString,
     "/tmp/keel-logs",
     0,
     0,
     {},
     check_non_empty,
     "The data directory when log.dirs is not set."},
    {"log.segment.bytes",
     T::kInt,
     "1073741824",
     14,
     kI32,
     {},
     nullptr,
     "A segment rolls before it would grow past this size."},
    {"log.roll.ms",
     T::kLong,
     nullptr,
     1,
     kI64,
     {},
     nullptr,
     "A segment rolls once its first batch is this old. Default: log.roll.hours."},
    {"log.roll.hours",
     T::kInt,
     "168",
     1,
     kI32,
     {},
     nullptr,
     "log.roll.ms in hours, used when log.roll.ms is not set."},
    {"log.retention.ms",
     T::kLong,
     nullptr,
     -1,
     kI64,
     {},
     nullptr,
     "Delete segments older than this; -1 = keep forever. Takes precedence over "
     "log.retention.minutes and log.retention.hours."},
    {"log.retention.minutes",
     T::kInt,
     nullptr,
     -1,
     kI32,
     {},
     nullptr,
     "Retention in minutes, used when log.retention.ms is not set."},
    {"log.retention.hours",
     T::kInt,
     "168",
     -1,
     kI32,
     {},
     nullptr,
     "Retention in hours, used when neither log.retention.ms nor .minutes is set."},
    {"log.retention.bytes",
     T::kLong,
     "-1",
     -1,
     kI64,
     {},
     nullptr,
     "Delete the oldest segments while a partition is larger than this; -1 = no limit."},
    {"log.retention.check.interval.ms",
     T::kLong,
     "300000",
     1,
     kI64,
     {},
     nullptr,
     "How often retention looks for segments to delete."},
    {"log.cleaner.backoff.ms",
     T::kLong,
     "15000",
     1,
     kI64,
     {},
     nullptr,
     "How often compacted logs are checked for cleaning."},
    {"log.index.interval.bytes",
     T::kInt,
     "4096",
     0,
     kI32,
     {},
     nullptr,
     "Bytes of batches between two offset index entries."},
    {"log.index.size.max.bytes",
     T::kInt,
     "10485760",
     4,
     kI32,
     {},
     nullptr,
     "Size of each segment's offset and time index; a full index rolls the segment."},
    {"log.flush.interval.messages",
     T::kLong,
     "9223372036854775807",
     1,
     kI64,
     {},
     nullptr,
     "fsync after this many records; the default never does (replication gives durability)."},
    {"log.flush.interval.ms",
     T::kLong,
     nullptr,
     0,
     kI64,
     {},
     nullptr,
     "fsync when the oldest unflushed data is this old. Default: never."},
    {"log.cleanup.policy", T::kList, "delete", 0, 0, "delete,compact", check_non_empty,
     "Default cleanup policy of topics: delete, compact, or both."},
    {"log.cleaner.delete.retention.ms",
     T::kLong,
     "86400000",
     0,
     kI64,
     {},
     nullptr,
     "How long compaction keeps tombstones."},
    {"log.cleaner.min.compaction.lag.ms",
     T::kLong,
     "0",
     0,
     kI64,
     {},
     nullptr,
     "Records younger than this are never compacted."},
    {"log.message.timestamp.type", T::kString, "CreateTime", 0, 0, "CreateTime,LogAppendTime",
     nullptr,
     "Default timestamp type of topics: the producer's (CreateTime) or the broker's clock."},
    // Groups and offsets.
    {"offsets.topic.num.partitions",
     T::kInt,
     "50",
     1,
     kI32,
     {},
     nullptr,
     "Partitions of the committed-offsets topic (fixed once it exists)."},
    {"offsets.topic.replication.factor",
     T::kInt,
     "3",
     1,
     kI16,
     {},
     nullptr,
     "Replication factor of the committed-offsets topic, capped at the live broker count."},
    {"offsets.retention.minutes",
     T::kInt,
     "10080",
     1,
     kI32,
     {},
     nullptr,
     "Committed offsets of an empty group are dropped after this long."},
    {"group.initial.rebalance.delay.ms",
     T::kInt,
     "3000",
     0,
     kI32,
     {},
     nullptr,
     "Wait this long for more members before the first rebalance of a new group."},
    {"group.min.session.timeout.ms",
     T::kInt,
     "6000",
     0,
     kI32,
     {},
     nullptr,
     "Smallest session timeout a consumer may ask for."},
    {"group.max.session.timeout.ms",
     T::kInt,
     "1800000",
     0,
     kI32,
     {},
     nullptr,
     "Largest session timeout a consumer may ask for."},
    {"group.max.size",
     T::kInt,
     "2147483647",
     1,
     kI32,
     {},
     nullptr,
     "Most members one consumer group may have."},
    // Cluster membership.
    {"broker.session.timeout.ms",
     T::kInt,
     "9000",
     1,
     kI32,
     {},
     nullptr,
     "A broker without a heartbeat for this long is fenced by the controller."},
    {"broker.heartbeat.interval.ms",
     T::kInt,
     "2000",
     1,
     kI32,
     {},
     nullptr,
     "How often a broker heartbeats to the controller."},
    {"broker.rack",
     T::kString,
     "",
     0,
     0,
     {},
     nullptr,
     "The rack of this broker: new partitions put their replicas on as many racks as they can."},
    {"metadata.log.max.record.bytes.between.snapshots",
     T::kLong,
     "20971520",
     1,
     kI64,
     {},
     nullptr,
     "A voter snapshots the metadata image after this many bytes of the metadata log since the "
     "last snapshot."},
    {"metadata.log.max.snapshot.interval.ms",
     T::kLong,
     "3600000",
     1,
     kI64,
     {},
     nullptr,
     "... or after this long with new records since the last snapshot."},
    {"auto.leader.rebalance.enable",
     T::kBool,
     "true",
     0,
     0,
     {},
     nullptr,
     "The active controller gives leadership back to each partition's preferred (first) replica "
     "when it is in sync and live again."},
    {"leader.imbalance.check.interval.seconds",
     T::kLong,
     "300",
     1,
     kI32,
     {},
     nullptr,
     "How often the active controller checks for partitions not led by their preferred replica."},
};

bool one_of(std::string_view allowed, std::string_view v) {
  for (const std::string& a : split_list(allowed)) {
    if (a == v) return true;
  }
  return false;
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::span<const ConfigDef> broker_config_defs() { return kDefs; }

const ConfigDef* find_config_def(std::string_view name) {
  for (const ConfigDef& d : kDefs) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string_view config_type_name(ConfigType type) {
  switch (type) {
    case T::kInt:
      return "int";
    case T::kLong:
      return "long";
    case T::kBool:
      return "bool";
    case T::kString:
      return "string";
    case T::kList:
      return "list";
  }
  return "?";
}

absl::Status validate_config_value(const ConfigDef& def, std::string_view value) {
  auto fail = [&](const std::string& rule) {
    return absl::InvalidArgumentError("invalid value '" + std::string(value) + "' for " +
                                      std::string(def.name) + ": " + rule);
  };
  switch (def.type) {
    case T::kInt:
    case T::kLong: {
      int64_t n = 0;
      if (!absl::SimpleAtoi(absl::string_view(value.data(), value.size()), &n) ||
          (def.type == T::kInt && (n < std::numeric_limits<int32_t>::min() || n > kI32))) {
        return fail(def.type == T::kInt ? "expected a 32-bit integer" : "expected an integer");
      }
      if (n < def.min || n > def.max) {
        return fail("must be in [" + std::to_string(def.min) + ", " + std::to_string(def.max) +
                    "]");
      }
      break;
    }
    case T::kBool:
      if (!parse_bool(value).has_value()) return fail("expected true or false");
      break;
    case T::kString:
      if (!def.allowed.empty() && !one_of(def.allowed, value)) {
        return fail("expected one of " + std::string(def.allowed));
      }
      break;
    case T::kList:
      if (!def.allowed.empty()) {
        for (const std::string& item : split_list(value)) {
          if (!one_of(def.allowed, item)) {
            return fail("'" + item + "' is not one of " + std::string(def.allowed));
          }
        }
      }
      break;
  }
  if (def.check != nullptr) {
    if (absl::Status s = def.check(value); !s.ok()) return fail(std::string(s.message()));
  }
  return absl::OkStatus();
}

std::string suggest_config_name(std::string_view name) {
  std::string best;
  size_t best_d = std::max<size_t>(2, name.size() / 5) + 1;
  for (const ConfigDef& d : kDefs) {
    size_t dist = edit_distance(name, d.name);
    if (dist < best_d) {
      best_d = dist;
      best = std::string(d.name);
    }
  }
  return best;
}

}  // namespace keel::broker
