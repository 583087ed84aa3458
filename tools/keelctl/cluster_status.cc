// File: tools/keelctl/cluster_status.cc
// `keelctl cluster status`: the brokers (fenced ones too, with their metadata log position),
// the active controller, the metadata quorum (leader, epoch, high watermark, each voter's lag,
// asked of the quorum leader whichever node was the bootstrap), and partitions without a
// leader or with fewer in-sync replicas than replicas. Any of those problems: exit 1.
#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

#include "protocol/error_code.h"
#include "protocol/generated/api_versions.h"
#include "protocol/generated/describe_cluster.h"
#include "protocol/generated/describe_quorum.h"
#include "tools/keelctl/command_util.h"
#include "tools/keelctl/commands.h"

namespace keel::tools {
namespace {

using protocol::ErrorCode;

struct Node {
  std::string address;
  std::optional<std::string> rack;
  bool fenced = false;
};

// The highest version of each API the node serves (empty when ApiVersions fails).
std::map<int16_t, int16_t> api_versions(KafkaConnection& c, std::ostream& err) {
  protocol::ApiVersionsRequest hello;
  hello.client_software_name = "keelctl";  // v3+ brokers refuse an empty name
  hello.client_software_version = "1";
  auto versions = c.call<protocol::ApiVersionsResponse>(hello, kApiVersionsVersion);
  std::map<int16_t, int16_t> out;
  if (!versions.ok() || versions->error_code != 0) {
    err << "keelctl: ApiVersions failed: "
        << (versions.ok() ? error_text(versions->error_code, {})
                          : std::string(versions.status().message()))
        << "\n";
    return out;
  }
  for (const auto& k : versions->api_keys) out[k.api_key] = k.max_version;
  return out;
}

absl::StatusOr<protocol::DescribeQuorumResponse::PartitionDataResponse> describe_quorum(
    KafkaConnection& c) {
  protocol::DescribeQuorumRequest q;
  protocol::DescribeQuorumRequest::TopicData t;
  t.topic_name = "__cluster_metadata";
  t.partitions.push_back({0, {}});
  q.topics.push_back(std::move(t));
  auto r = c.call<protocol::DescribeQuorumResponse>(q, kDescribeQuorumVersion);
  if (!r.ok()) return r.status();
  if (r->topics.empty() || r->topics[0].partitions.empty()) {
    return absl::DataLossError("DescribeQuorum answered no partition");
  }
  return r->topics[0].partitions[0];
}

// Every broker the cluster knows, fenced ones included (DescribeCluster v2), else the
// Metadata's live ones.
std::map<int32_t, Node> brokers(KafkaConnection& c, const protocol::MetadataResponse& md,
                                const std::map<int16_t, int16_t>& apis) {
  std::map<int32_t, Node> out;
  auto dc = apis.find(protocol::DescribeClusterRequest::kApiKey);
  if (dc != apis.end() && dc->second >= kDescribeClusterVersion) {
    protocol::DescribeClusterRequest req;
    req.include_fenced_brokers = true;
    auto r = c.call<protocol::DescribeClusterResponse>(req, kDescribeClusterVersion);
    if (!r.ok() || r->error_code != 0) return out;
    for (const auto& b : r->brokers) {
      out[b.broker_id] = {b.host + ":" + std::to_string(b.port), b.rack, b.is_fenced};
    }
    return out;
  }
  for (const auto& b : md.brokers) {
    out[b.node_id] = {b.host + ":" + std::to_string(b.port), b.rack, false};
  }
  return out;
}

// The quorum as its leader sees it, with each voter's lag; `log_ends` gets each voter's
// metadata log end. A follower asked first names the leader, which is then asked.
void print_quorum(const Options& options, KafkaConnection& c, const std::map<int32_t, Node>& nodes,
                  std::ostream& out, std::ostream& err, bool* healthy,
                  std::map<int32_t, int64_t>* log_ends) {
  auto p = describe_quorum(c);
  if (p.ok() && p->error_code == static_cast<int16_t>(ErrorCode::kNotLeaderOrFollower) &&
      p->leader_id >= 0) {
    auto leader = nodes.find(p->leader_id);
    int code = kExitOk;
    if (leader != nodes.end()) {
      std::optional<KafkaConnection> lc = open(options, err, &code, leader->second.address);
      if (lc) p = describe_quorum(*lc);
    }
  }
  if (!p.ok()) {
    out << "quorum: " << p.status().message() << "\n";
    *healthy = false;
    return;
  }
  if (p->error_code != 0) {
    out << "quorum: leader " << p->leader_id << ", epoch " << p->leader_epoch << " ("
        << error_text(p->error_code, p->error_message) << ")\n";
    if (p->leader_id < 0) *healthy = false;
    return;
  }
  out << "quorum: leader " << p->leader_id << ", epoch " << p->leader_epoch << ", high watermark "
      << p->high_watermark << "\n";
  if (p->leader_id < 0) *healthy = false;
  for (const auto& v : p->current_voters) {
    const int64_t lag = std::max<int64_t>(0, p->high_watermark - v.log_end_offset);
    out << "  voter " << v.replica_id << ": log end " << v.log_end_offset << ", lag " << lag
        << "\n";
    (*log_ends)[v.replica_id] = v.log_end_offset;
  }
  for (const auto& o : p->observers) {
    out << "  observer " << o.replica_id << ": log end " << o.log_end_offset << "\n";
    (*log_ends)[o.replica_id] = o.log_end_offset;
  }
}

}  // namespace

int cluster_status(const Options& options, std::ostream& out, std::ostream& err) {
  int code = kExitOk;
  std::optional<KafkaConnection> c = open(options, err, &code);
  if (!c) return code;
  auto md = metadata(*c, std::nullopt);
  if (!md.ok()) return request_failed(md.status(), err);
  bool healthy = true;
  out << "cluster " << md->cluster_id.value_or("?") << ", controller " << md->controller_id << "\n";
  const std::map<int16_t, int16_t> apis = api_versions(*c, err);
  const std::map<int32_t, Node> nodes = brokers(*c, *md, apis);
  if (nodes.empty()) healthy = false;

  std::map<int32_t, int64_t> log_ends;
  std::ostringstream quorum;
  if (apis.count(protocol::DescribeQuorumRequest::kApiKey) > 0) {
    print_quorum(options, *c, nodes, quorum, err, &healthy, &log_ends);
  } else {
    quorum << "quorum: this node does not serve DescribeQuorum (a single-node quorum)\n";
  }
  for (const auto& [id, n] : nodes) {
    out << "  broker " << id << " at " << n.address;
    if (n.rack) out << " rack " << *n.rack;
    if (n.fenced) out << " FENCED";
    auto end = log_ends.find(id);
    if (end != log_ends.end()) out << ", metadata offset " << end->second;
    out << "\n";
    if (n.fenced) healthy = false;
  }
  out << quorum.str();

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
