// File: controller/control/cluster_control.cc
#include "controller/control/cluster_control.h"

#include "absl/strings/str_cat.h"
#include "controller/control/leader_election.h"
#include "protocol/error_code.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;
using protocol::kafka_error;

metadata::MetadataRecord registration_change(const BrokerImage& b, std::optional<bool> fenced,
                                             std::optional<bool> shutting_down) {
  metadata::MetadataRecord record;
  metadata::BrokerRegistrationChangeRecord* c = record.mutable_broker_registration_change();
  c->set_node_id(b.node_id);
  c->set_broker_epoch(b.broker_epoch);
  if (fenced) c->set_fenced(*fenced);
  if (shutting_down) c->set_in_controlled_shutdown(*shutting_down);
  return record;
}

bool leads_anything(const MetadataImage& image, int32_t node_id) {
  for (const auto& [name, topic] : image.topics()) {
    for (const auto& [id, p] : topic->partitions) {
      if (p.leader == node_id) return true;
    }
  }
  return false;
}

void append(std::vector<metadata::MetadataRecord>* to, std::vector<metadata::MetadataRecord> from) {
  for (auto& r : from) to->push_back(std::move(r));
}

absl::Status not_registered(int32_t node_id) {
  return kafka_error(ErrorCode::kBrokerIdNotRegistered,
                     absl::StrCat("Broker ", node_id, " is not registered."));
}

}  // namespace

ControllerResult<int64_t> register_fenced_broker(const MetadataImage& image,
                                                 const BrokerRegistration& registration,
                                                 int64_t next_offset) {
  ControllerResult<int64_t> out = register_broker(image, registration, next_offset);
  for (auto& r : out.records) {
    if (r.has_broker_registration()) r.mutable_broker_registration()->set_fenced(true);
  }
  return out;
}

ControllerResult<HeartbeatAnswer> broker_heartbeat(const MetadataImage& image,
                                                   const HeartbeatRequest& request) {
  ControllerResult<HeartbeatAnswer> out;
  HeartbeatAnswer& a = out.response;
  const BrokerImage* b = image.broker(request.node_id);
  if (b == nullptr) {
    a.status = not_registered(request.node_id);
    return out;
  }
  if (b->broker_epoch != request.broker_epoch) {
    a.status = kafka_error(ErrorCode::kStaleBrokerEpoch,
                           absl::StrCat("Broker ", request.node_id, " has epoch ", b->broker_epoch,
                                        ", not ", request.broker_epoch, "."));
    return out;
  }
  // Caught up: it has replayed the log at least up to its own registration.
  a.is_caught_up = request.metadata_offset >= b->broker_epoch;
  a.is_fenced = b->fenced;
  if (request.want_shutdown) {
    if (!b->in_controlled_shutdown) {
      out.records.push_back(registration_change(*b, std::nullopt, true));
      append(&out.records, remove_from_isrs(image, b->node_id));
    }
    // Done once the image shows it leads nothing (the records above have committed).
    a.should_shutdown = b->in_controlled_shutdown && !leads_anything(image, b->node_id);
    // Told to stop, it heartbeats no more: fenced now, as Kafka does, instead of after its
    // session, so no client is sent to it meanwhile.
    if (a.should_shutdown && !b->fenced) {
      out.records.push_back(registration_change(*b, true, std::nullopt));
      a.is_fenced = true;
    }
    return out;
  }
  if (request.want_fence && !b->fenced) {
    out.records.push_back(registration_change(*b, true, std::nullopt));
    append(&out.records, remove_from_isrs(image, b->node_id));
    a.is_fenced = true;
  } else if (!request.want_fence && b->fenced && a.is_caught_up) {
    out.records.push_back(registration_change(*b, false, false));
    append(&out.records, rejoin_isrs(image, b->node_id));
    a.is_fenced = false;
  }
  return out;
}

ControllerResult<absl::Status> fence_broker(const MetadataImage& image, int32_t node_id) {
  ControllerResult<absl::Status> out;
  const BrokerImage* b = image.broker(node_id);
  if (b == nullptr) {
    out.response = not_registered(node_id);
    return out;
  }
  if (b->fenced) return out;
  out.records.push_back(registration_change(*b, true, std::nullopt));
  append(&out.records, remove_from_isrs(image, node_id));
  return out;
}

ControllerResult<absl::Status> unregister_broker(const MetadataImage& image, int32_t node_id) {
  ControllerResult<absl::Status> out = fence_broker(image, node_id);
  if (!out.response.ok()) return out;
  const BrokerImage* b = image.broker(node_id);
  metadata::MetadataRecord record;
  record.mutable_unregister_broker()->set_node_id(node_id);
  record.mutable_unregister_broker()->set_broker_epoch(b->broker_epoch);
  out.records.push_back(std::move(record));
  return out;
}

}  // namespace keel::controller
