// File: controller/control/cluster_control.h
// Brokers in the cluster as pure functions (Kafka's ClusterControlManager with the fencing
// parts of ReplicationControlManager): registration, heartbeats, fencing on a missed
// session, controlled shutdown, unregistration. Each returns the records and the answer; the
// controller commits the records before it answers.
//
// Lifecycle (KIP-631, KIP-841): a broker registers fenced with a new epoch (the offset of its
// registration record); it is unfenced by the heartbeat that shows it has replayed the
// metadata log up to its own registration; a broker whose session expires is fenced and
// leaves every ISR (new leaders elected); a heartbeat asking to shut down puts it in
// controlled shutdown (leaderships and ISR places move away) and is answered should_shutdown
// once it leads nothing, and fenced with that answer (it stops heartbeating).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "controller/control/broker_control.h"
#include "controller/control/controller_result.h"
#include "controller/metadata_image.h"

namespace keel::controller {

struct HeartbeatRequest {
  int32_t node_id = -1;
  int64_t broker_epoch = -1;
  int64_t metadata_offset = -1;  // the last metadata offset the broker has applied
  bool want_fence = false;
  bool want_shutdown = false;
};

struct HeartbeatAnswer {
  // STALE_BROKER_EPOCH for an epoch that is not the registration's, BROKER_ID_NOT_REGISTERED
  // for an unknown broker.
  absl::Status status;
  bool is_caught_up = false;
  bool is_fenced = true;
  bool should_shutdown = false;
};

// Registration in a cluster: fenced until caught up (answer: the new broker epoch). A node
// re-registering keeps nothing of its old epoch; its partitions stay as they are in the image
// (it is still a replica) until fencing or elections change them.
ControllerResult<int64_t> register_fenced_broker(const MetadataImage& image,
                                                 const BrokerRegistration& registration,
                                                 int64_t next_offset);

ControllerResult<HeartbeatAnswer> broker_heartbeat(const MetadataImage& image,
                                                   const HeartbeatRequest& request);

// The session of `node_id` expired: fence it and move its leaderships and ISR places.
// No records when it is unknown or already fenced.
ControllerResult<absl::Status> fence_broker(const MetadataImage& image, int32_t node_id);

// UnregisterBroker: removes a broker that is gone for good (fenced first if it was not).
// BROKER_ID_NOT_REGISTERED when unknown.
ControllerResult<absl::Status> unregister_broker(const MetadataImage& image, int32_t node_id);

}  // namespace keel::controller
