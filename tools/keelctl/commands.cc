// File: tools/keelctl/commands.cc
#include "tools/keelctl/commands.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "protocol/error_code.h"
#include "protocol/generated/api_versions.h"
#include "protocol/generated/create_topics.h"
#include "protocol/generated/delete_topics.h"
#include "protocol/generated/describe_quorum.h"
#include "protocol/generated/metadata.h"
#include "tools/keelctl/kafka_connection.h"

namespace keel::tools {
namespace {

using protocol::ErrorCode;

// Versions every Kafka 3.x broker and Keel serve.
constexpr int16_t kMetadataVersion = 12;
constexpr int16_t kCreateTopicsVersion = 7;
constexpr int16_t kDeleteTopicsVersion = 6;
constexpr int16_t kDescribeQuorumVersion = 1;
constexpr int16_t kApiVersionsVersion = 3;

std::string join(const std::vector<int32_t>& ids) {
  std::ostringstream s;
  for (size_t i = 0; i < ids.size(); ++i) s << (i ? "," : "") << ids[i];
  return s.str();
}

std::string error_text(int16_t code, const std::optional<std::string>& message) {
  std::string text(protocol::error_name(static_cast<ErrorCode>(code)));
  if (message && !message->empty()) text += ": " + *message;
  return text;
}

// Connects or reports why not (exit code in `code`).
std::optional<KafkaConnection> open(const Options& options, std::ostream& err, int* code) {
  absl::StatusOr<KafkaConnection> c = KafkaConnection::connect(options.bootstrap, options.timeout);
  if (!c.ok()) {
    err << "keelctl: " << c.status().message() << "\n";
    *code = kExitUnreachable;
    return std::nullopt;
  }
  return std::move(*c);
}

absl::StatusOr<protocol::MetadataResponse> metadata(KafkaConnection& c,
                                                    const std::optional<std::string>& topic) {
  protocol::MetadataRequest req;
  req.allow_auto_topic_creation = false;
  if (topic) {
    protocol::MetadataRequest::MetadataRequestTopic t;
    t.name = *topic;
    req.topics = std::vector<protocol::MetadataRequest::MetadataRequestTopic>{t};
  } else {
    req.topics = std::nullopt;  // every topic
  }
  return c.call<protocol::MetadataResponse>(req, kMetadataVersion);
}

int request_failed(const absl::Status& s, std::ostream& err) {
  err << "keelctl: " << s.message() << "\n";
  return kExitFailed;
}

void print_quorum(const protocol::DescribeQuorumResponse& q, std::ostream& out, bool* healthy) {
  for (const auto& t : q.topics) {
    for (const auto& p : t.partitions) {
      if (p.error_code == static_cast<int16_t>(ErrorCode::kNotLeaderOrFollower) &&
          p.leader_id >= 0) {
        // A follower knows the leader but not the voters' progress: that is the leader's.
        out << "quorum: leader " << p.leader_id << ", epoch " << p.leader_epoch
            << " (this node follows; ask the leader for each voter's lag)\n";
        continue;
      }
      if (p.error_code != 0) {
        out << "quorum: " << error_text(p.error_code, p.error_message) << "\n";
        *healthy = false;
        continue;
      }
      out << "quorum: leader " << p.leader_id << ", epoch " << p.leader_epoch << ", high watermark "
          << p.high_watermark << "\n";
      if (p.leader_id < 0) *healthy = false;
      for (const auto& v : p.current_voters) {
        out << "  voter " << v.replica_id << ": log end " << v.log_end_offset << ", lag "
            << std::max<int64_t>(0, p.high_watermark - v.log_end_offset) << "\n";
      }
      for (const auto& o : p.observers) {
        out << "  observer " << o.replica_id << ": log end " << o.log_end_offset << "\n";
      }
    }
  }
}

}  // namespace

int topic_list(const Options& options, std::ostream& out, std::ostream& err) {
  int code = kExitOk;
  std::optional<KafkaConnection> c = open(options, err, &code);
  if (!c) return code;
  auto md = metadata(*c, std::nullopt);
  if (!md.ok()) return request_failed(md.status(), err);
  std::vector<std::string> names;
  for (const auto& t : md->topics) {
    if (t.name) names.push_back(*t.name);
  }
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) out << n << "\n";
  return kExitOk;
}

int topic_describe(const Options& options, const std::optional<std::string>& name,
                   std::ostream& out, std::ostream& err) {
  int code = kExitOk;
  std::optional<KafkaConnection> c = open(options, err, &code);
  if (!c) return code;
  auto md = metadata(*c, name);
  if (!md.ok()) return request_failed(md.status(), err);
  auto topics = md->topics;
  std::sort(topics.begin(), topics.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const auto& t : topics) {
    if (t.error_code != 0) {
      err << "keelctl: topic " << t.name.value_or("?") << ": " << error_text(t.error_code, {})
          << "\n";
      code = kExitFailed;
      continue;
    }
    out << "Topic: " << t.name.value_or("") << "\tPartitionCount: " << t.partitions.size()
        << "\tReplicationFactor: "
        << (t.partitions.empty() ? 0 : t.partitions.front().replica_nodes.size()) << "\n";
    auto partitions = t.partitions;
    std::sort(partitions.begin(), partitions.end(),
              [](const auto& a, const auto& b) { return a.partition_index < b.partition_index; });
    for (const auto& p : partitions) {
      out << "\tPartition: " << p.partition_index << "\tLeader: " << p.leader_id
          << "\tReplicas: " << join(p.replica_nodes) << "\tIsr: " << join(p.isr_nodes) << "\n";
    }
  }
  return code;
}

int topic_create(const Options& options, const TopicSpec& spec, std::ostream& out,
                 std::ostream& err) {
  int code = kExitOk;
  std::optional<KafkaConnection> c = open(options, err, &code);
  if (!c) return code;
  protocol::CreateTopicsRequest req;
  req.timeout_ms = static_cast<int32_t>(options.timeout.count());
  protocol::CreateTopicsRequest::CreatableTopic t;
  t.name = spec.name;
  t.num_partitions = spec.partitions;
  t.replication_factor = spec.replication_factor;
  for (const auto& [k, v] : spec.configs) t.configs.push_back({k, v, {}});
  req.topics.push_back(std::move(t));
  auto resp = c->call<protocol::CreateTopicsResponse>(req, kCreateTopicsVersion);
  if (!resp.ok()) return request_failed(resp.status(), err);
  for (const auto& r : resp->topics) {
    if (r.error_code != 0) {
      err << "keelctl: creating " << r.name << ": " << error_text(r.error_code, r.error_message)
          << "\n";
      return kExitFailed;
    }
    out << "Created topic " << r.name << " (" << r.num_partitions << " partitions, replication "
        << r.replication_factor << ")\n";
  }
  return kExitOk;
}

int topic_delete(const Options& options, const std::string& name, std::ostream& out,
                 std::ostream& err) {
  int code = kExitOk;
  std::optional<KafkaConnection> c = open(options, err, &code);
  if (!c) return code;
  protocol::DeleteTopicsRequest req;
  req.timeout_ms = static_cast<int32_t>(options.timeout.count());
  protocol::DeleteTopicsRequest::DeleteTopicState state;
  state.name = name;
  req.topics.push_back(state);
  auto resp = c->call<protocol::DeleteTopicsResponse>(req, kDeleteTopicsVersion);
  if (!resp.ok()) return request_failed(resp.status(), err);
  for (const auto& r : resp->responses) {
    if (r.error_code != 0) {
      err << "keelctl: deleting " << r.name.value_or(name) << ": "
          << error_text(r.error_code, r.error_message) << "\n";
      return kExitFailed;
    }
    out << "Deleted topic " << r.name.value_or(name) << "\n";
  }
  return kExitOk;
}

int cluster_status(const Options& options, std::ostream& out, std::ostream& err) {
  int code = kExitOk;
  std::optional<KafkaConnection> c = open(options, err, &code);
  if (!c) return code;
  auto md = metadata(*c, std::nullopt);
  if (!md.ok()) return request_failed(md.status(), err);
  bool healthy = true;
  out << "cluster " << md->cluster_id.value_or("?") << ", controller " << md->controller_id << "\n";
  auto brokers = md->brokers;
  std::sort(brokers.begin(), brokers.end(),
            [](const auto& a, const auto& b) { return a.node_id < b.node_id; });
  for (const auto& b : brokers) {
    out << "  broker " << b.node_id << " at " << b.host << ":" << b.port;
    if (b.rack) out << " rack " << *b.rack;
    out << "\n";
  }
  if (brokers.empty()) healthy = false;

  // The quorum, when this node serves DescribeQuorum.
  protocol::ApiVersionsRequest hello;
  hello.client_software_name = "keelctl";  // v3+ brokers refuse an empty name
  hello.client_software_version = "1";
  auto versions = c->call<protocol::ApiVersionsResponse>(hello, kApiVersionsVersion);
  bool serves_quorum = false;
  if (!versions.ok() || versions->error_code != 0) {
    err << "keelctl: ApiVersions failed: "
        << (versions.ok() ? error_text(versions->error_code, {})
                          : std::string(versions.status().message()))
        << "\n";
  } else {
    for (const auto& k : versions->api_keys) {
      if (k.api_key == protocol::DescribeQuorumRequest::kApiKey) serves_quorum = true;
    }
  }
  if (serves_quorum) {
    protocol::DescribeQuorumRequest q;
    protocol::DescribeQuorumRequest::TopicData t;
    t.topic_name = "__cluster_metadata";
    t.partitions.push_back({0, {}});
    q.topics.push_back(std::move(t));
    auto quorum = c->call<protocol::DescribeQuorumResponse>(q, kDescribeQuorumVersion);
    if (quorum.ok()) {
      print_quorum(*quorum, out, &healthy);
    } else {
      out << "quorum: " << quorum.status().message() << "\n";
      healthy = false;
    }
  } else {
    out << "quorum: this node does not serve DescribeQuorum (a single-node quorum)\n";
  }

  int offline = 0, under = 0;
  for (const auto& t : md->topics) {
    for (const auto& p : t.partitions) {
      const std::string tp = t.name.value_or("?") + "-" + std::to_string(p.partition_index);
      if (p.leader_id < 0) {
        ++offline;
        out << "  offline: " << tp << " (replicas " << join(p.replica_nodes) << ")\n";
      } else if (p.isr_nodes.size() < p.replica_nodes.size()) {
        ++under;
        out << "  under-replicated: " << tp << " (isr " << join(p.isr_nodes) << " of "
            << join(p.replica_nodes) << ")\n";
      }
    }
  }
  out << md->topics.size() << " topics, " << offline << " offline and " << under
      << " under-replicated partitions\n";
  if (offline > 0 || under > 0) healthy = false;
  out << (healthy ? "healthy" : "UNHEALTHY") << "\n";
  return healthy ? kExitOk : kExitFailed;
}

}  // namespace keel::tools
