// File: tools/keelctl/cluster_admin.cc
// keelctl's cluster admin commands: leader elections (ElectLeaders) and removing a broker that
// is gone for good (UnregisterBroker). Any broker forwards both to the active controller.
#include <algorithm>

#include "protocol/error_code.h"
#include "protocol/generated/elect_leaders.h"
#include "protocol/generated/unregister_broker.h"
#include "tools/keelctl/command_util.h"
#include "tools/keelctl/commands.h"

namespace keel::tools {
namespace {

using protocol::ErrorCode;

// The request's topic_partitions: null (every partition), or the partitions of one topic
// (all of them, from Metadata, unless `partition` names one).
absl::StatusOr<std::optional<std::vector<protocol::ElectLeadersRequest::TopicPartitions>>> targets(
    KafkaConnection& c, const std::optional<std::string>& topic, std::optional<int32_t> partition) {
  using Targets = std::vector<protocol::ElectLeadersRequest::TopicPartitions>;
  if (!topic) return std::optional<Targets>();
  protocol::ElectLeadersRequest::TopicPartitions t;
  t.topic = *topic;
  if (partition) {
    t.partition_id.push_back(*partition);
  } else {
    auto md = metadata(c, topic);
    if (!md.ok()) return md.status();
    for (const auto& mt : md->topics) {
      if (mt.error_code != 0) {
        return absl::NotFoundError("topic " + *topic + ": " + error_text(mt.error_code, {}));
      }
      for (const auto& p : mt.partitions) t.partition_id.push_back(p.partition_index);
    }
    std::sort(t.partition_id.begin(), t.partition_id.end());
  }
  return std::optional<Targets>(Targets{std::move(t)});
}

}  // namespace

int elect_leaders(const Options& options, const std::optional<std::string>& topic,
                  std::optional<int32_t> partition, std::ostream& out, std::ostream& err) {
  int code = kExitOk;
  std::optional<KafkaConnection> c = open(options, err, &code);
  if (!c) return code;
  auto which = targets(*c, topic, partition);
  if (!which.ok()) return request_failed(which.status(), err);
  protocol::ElectLeadersRequest req;
  req.election_type = 0;  // preferred
  req.topic_partitions = std::move(*which);
  req.timeout_ms = static_cast<int32_t>(options.timeout.count());
  auto resp = c->call<protocol::ElectLeadersResponse>(req, kElectLeadersVersion);
  if (!resp.ok()) return request_failed(resp.status(), err);
  if (resp->error_code != 0) {
    err << "keelctl: electing leaders: " << error_text(resp->error_code, {}) << "\n";
    return kExitFailed;
  }
  size_t listed = 0;
  for (const auto& t : resp->replica_election_results) {
    for (const auto& p : t.partition_result) {
      ++listed;
      out << t.topic << "-" << p.partition_id << ": ";
      if (p.error_code == 0) {
        out << "elected its preferred leader\n";
        continue;
      }
      out << error_text(p.error_code, p.error_message) << "\n";
      if (p.error_code != static_cast<int16_t>(ErrorCode::kElectionNotNeeded)) code = kExitFailed;
    }
  }
  // Asked for every partition, the answer lists only those that needed an election.
  if (listed == 0) out << "every partition is led by its preferred replica\n";
  return code;
}

int cluster_unregister(const Options& options, int32_t node_id, std::ostream& out,
                       std::ostream& err) {
  int code = kExitOk;
  std::optional<KafkaConnection> c = open(options, err, &code);
  if (!c) return code;
  protocol::UnregisterBrokerRequest req;
  req.broker_id = node_id;
  auto resp = c->call<protocol::UnregisterBrokerResponse>(req, kUnregisterBrokerVersion);
  if (!resp.ok()) return request_failed(resp.status(), err);
  if (resp->error_code != 0) {
    err << "keelctl: unregistering broker " << node_id << ": "
        << error_text(resp->error_code, resp->error_message) << "\n";
    return kExitFailed;
  }
  out << "Unregistered broker " << node_id << "\n";
  return kExitOk;
}

}  // namespace keel::tools
