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
#include "tools/keelctl/command_util.h"
#include "tools/keelctl/kafka_connection.h"

namespace keel::tools {

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

}  // namespace keel::tools
