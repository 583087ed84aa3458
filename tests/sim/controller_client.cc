#include "tests/sim/controller_client.h"

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"

namespace keel::sim {
namespace {

using controller::ConfigChange;
using controller::ConfigOp;
using controller::raft::Role;
using protocol::ErrorCode;

constexpr int kTopicPool = 6;
constexpr int32_t kBrokers = 3;

int64_t between(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo + 1));
}

std::string topic_name(std::mt19937_64& rng) { return absl::StrCat("t", rng() % kTopicPool); }

bool is(const absl::Status& s, ErrorCode code) { return protocol::kafka_error_of(s) == code; }

}  // namespace

int64_t ControllerClient::applied_on(int32_t node) const {
  const ControllerNode& n = nodes_->at(node);
  return n.raft ? n.raft->applied_offset() : -1;
}

ControllerNode* ControllerClient::pick_node(std::mt19937_64& rng) {
  std::vector<ControllerNode*> up;
  ControllerNode* leader = nullptr;
  for (auto& [id, n] : *nodes_) {
    if (!n.controller) continue;
    up.push_back(&n);
    if (n.raft->role() == Role::kLeader && (!leader || n.raft->epoch() > leader->raft->epoch())) {
      leader = &n;
    }
  }
  if (up.empty()) return nullptr;
  if (leader && rng() % 3 != 0) return leader;
  return up[rng() % up.size()];
}

void ControllerClient::answered(const Call& call, const absl::Status& status) {
  if (trace_) {
    trace_(absl::StrCat("client: ", call.op, " on node ", call.node, " answered ",
                        status.ok() ? "OK" : status.ToString()));
  }
  if (is(status, ErrorCode::kNotController)) {
    ++coverage_->ops_not_controller;
    if (!call.in_submit) ++coverage_->lost_leadership_before_commit;
  }
  if (status.ok() && !call.was_leader) {
    checker_->fail("not-controller", absl::StrCat(call.op, " submitted to node ", call.node,
                                                  ", not the leader, was answered OK"));
  }
}

void ControllerClient::event(std::mt19937_64& rng, std::vector<int32_t>* touched) {
  ControllerNode* n = pick_node(rng);
  if (!n) return;
  touched->push_back(n->id);
  if (trace_) {
    trace_(absl::StrCat("client: request to node ", n->id,
                        n->raft->role() == Role::kLeader ? " (leader)" : ""));
  }
  auto call = std::make_shared<Call>();
  call->node = n->id;
  call->was_leader = n->raft->role() == Role::kLeader;
  // Brokers first: registered, then unfenced by a caught-up heartbeat.
  const int32_t broker = static_cast<int32_t>(between(rng, 1, kBrokers));
  const BrokerView& b = brokers_[broker];
  const uint64_t r = rng() % 100;
  if ((b.epoch < 0 || b.shutting_down) && r < 60) {
    register_broker(*n, broker, call);
  } else if (!b.unfenced && r < 60) {
    heartbeat(*n, broker, rng, call);
  } else if (r < 35) {
    create_topics(*n, rng, call);
  } else if (r < 47) {
    delete_topics(*n, rng, call);
  } else if (r < 60) {
    create_partitions(*n, rng, call);
  } else if (r < 75) {
    alter_configs(*n, rng, call);
  } else if (r < 80) {
    register_broker(*n, broker, call);
  } else {
    heartbeat(*n, broker, rng, call);
  }
  call->in_submit = false;
}

void ControllerClient::create_topics(ControllerNode& n, std::mt19937_64& rng,
                                     std::shared_ptr<Call> call) {
  call->op = "create_topics";
  std::vector<controller::NewTopic> topics(static_cast<size_t>(between(rng, 1, 2)));
  for (controller::NewTopic& t : topics) {
    t.name = topic_name(rng);
    t.num_partitions = static_cast<int32_t>(between(rng, 1, 4));
    t.replication_factor = static_cast<int16_t>(between(rng, 1, 3));
    if (rng() % 2) t.configs["retention.ms"] = absl::StrCat(between(rng, 1, 9) * 1000);
  }
  const bool validate_only = rng() % 10 == 0;
  n.controller->create_topics(
      topics, validate_only,
      [this, call, topics, validate_only](std::vector<controller::CreateTopicResult> results) {
        bool any_ok = false;
        for (size_t i = 0; i < results.size(); ++i) {
          answered(*call, results[i].status);
          if (is(results[i].status, ErrorCode::kTopicAlreadyExists)) {
            ++coverage_->topic_already_exists;
          }
          if (!results[i].status.ok() || validate_only) continue;
          any_ok = true;
          ++coverage_->topics_created;
          checker_->on_create_acked(topics[i].name, results[i].topic_id, applied_on(call->node));
        }
        if (any_ok) ++coverage_->ops_ok;
      });
}

void ControllerClient::delete_topics(ControllerNode& n, std::mt19937_64& rng,
                                     std::shared_ptr<Call> call) {
  call->op = "delete_topics";
  std::vector<std::string> names{topic_name(rng)};
  if (rng() % 3 == 0) names.push_back(topic_name(rng));
  std::vector<size_t> handles;
  for (const std::string& name : names) {
    handles.push_back(checker_->on_delete_submitted(name, n.raft->log_end_offset()));
  }
  n.controller->delete_topics(names, [this, call, handles](std::vector<absl::Status> statuses) {
    bool any_ok = false;
    for (size_t i = 0; i < statuses.size(); ++i) {
      answered(*call, statuses[i]);
      // Refused before anything was appended: this delete never removes the topic.
      if (call->in_submit || (!statuses[i].ok() && !is(statuses[i], ErrorCode::kNotController))) {
        checker_->delete_had_no_effect(handles[i]);
      }
      if (statuses[i].ok()) {
        any_ok = true;
        ++coverage_->topics_deleted;
      }
    }
    if (any_ok) ++coverage_->ops_ok;
  });
}

void ControllerClient::create_partitions(ControllerNode& n, std::mt19937_64& rng,
                                         std::shared_ptr<Call> call) {
  call->op = "create_partitions";
  std::vector<controller::NewPartitions> requests(1);
  requests[0].topic = topic_name(rng);
  requests[0].new_total = static_cast<int32_t>(between(rng, 1, 6));
  const bool validate_only = rng() % 10 == 0;
  n.controller->create_partitions(requests, validate_only,
                                  [this, call, validate_only](std::vector<absl::Status> statuses) {
                                    answered(*call, statuses[0]);
                                    if (statuses[0].ok() && !validate_only) {
                                      ++coverage_->partitions_added;
                                      ++coverage_->ops_ok;
                                    }
                                  });
}

void ControllerClient::alter_configs(ControllerNode& n, std::mt19937_64& rng,
                                     std::shared_ptr<Call> call) {
  call->op = "alter_configs";
  controller::ConfigResource resource{keel::metadata::CONFIG_RESOURCE_TOPIC, topic_name(rng)};
  std::vector<ConfigChange> changes;
  const uint64_t pick = rng() % 4;
  if (pick == 0) {
    changes.push_back(ConfigChange{"retention.ms", ConfigOp::kDelete, std::nullopt});
  } else {
    changes.push_back(
        ConfigChange{"retention.ms", ConfigOp::kSet, absl::StrCat(between(rng, 1, 99) * 1000)});
  }
  if (pick == 3) {
    changes.push_back(
        ConfigChange{"cleanup.policy", ConfigOp::kSet, rng() % 2 ? "delete" : "compact"});
  }
  const bool replace_all = rng() % 6 == 0;
  const bool validate_only = rng() % 10 == 0;
  n.controller->alter_configs(resource, changes, replace_all, validate_only,
                              [this, call, validate_only](absl::Status status) {
                                answered(*call, status);
                                if (status.ok() && !validate_only) {
                                  ++coverage_->configs_altered;
                                  ++coverage_->ops_ok;
                                }
                              });
}

void ControllerClient::register_broker(ControllerNode& n, int32_t broker,
                                       std::shared_ptr<Call> call) {
  call->op = "register_broker";
  controller::BrokerRegistration registration;
  registration.node_id = broker;
  keel::metadata::Endpoint endpoint;
  endpoint.set_listener_name("PLAINTEXT");
  endpoint.set_host(absl::StrCat("broker", broker));
  endpoint.set_port(9092);
  registration.endpoints.push_back(endpoint);
  registration.rack = absl::StrCat("rack", broker % 2);
  n.controller->register_broker(registration, [this, call, broker](absl::StatusOr<int64_t> epoch) {
    answered(*call, epoch.status());
    if (!epoch.ok()) return;
    ++coverage_->ops_ok;
    ++coverage_->brokers_registered;
    BrokerView& b = brokers_[broker];
    if (*epoch > b.epoch) b = BrokerView{*epoch, false, false};  // a new, fenced epoch
  });
}

void ControllerClient::heartbeat(ControllerNode& n, int32_t broker, std::mt19937_64& rng,
                                 std::shared_ptr<Call> call) {
  call->op = "heartbeat";
  controller::HeartbeatRequest request;
  request.node_id = broker;
  request.broker_epoch = brokers_[broker].epoch;
  request.metadata_offset = n.raft->applied_offset() - 1;
  const uint64_t r = rng() % 100;
  request.want_fence = r < 8;
  request.want_shutdown = r >= 8 && r < 12;
  n.controller->heartbeat(request, [this, call, request](controller::HeartbeatAnswer a) {
    answered(*call, a.status);
    if (!a.status.ok()) return;
    ++coverage_->ops_ok;
    BrokerView& b = brokers_[request.node_id];
    if (b.epoch != request.broker_epoch) return;  // re-registered meanwhile
    if (b.unfenced && (a.is_fenced || request.want_shutdown)) ++coverage_->brokers_fenced;
    if (!b.unfenced && !a.is_fenced) ++coverage_->brokers_unfenced;
    b.unfenced = !a.is_fenced && !request.want_shutdown;
    b.shutting_down = b.shutting_down || request.want_shutdown;
  });
}

}  // namespace keel::sim
