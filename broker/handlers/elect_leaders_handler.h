// File: broker/handlers/elect_leaders_handler.h
// ElectLeaders (key 43), v0-2: leader elections through the controller (control/
// leader_election.h has the rules).
//
// Behaviour: PREFERRED (election_type 0; v0 has no type and means it) makes each named
// partition's first replica leader when it is in the ISR and eligible: OK, ELECTION_NOT_NEEDED,
// PREFERRED_LEADER_NOT_AVAILABLE or UNKNOWN_TOPIC_OR_PARTITION per partition. A null
// topic_partitions means every partition, and then only those not ELECTION_NOT_NEEDED are
// listed (Kafka's rule). UNCLEAN (1): Keel never elects an out-of-sync replica:
// ELECTION_NOT_NEEDED for a partition with a leader, ELIGIBLE_LEADERS_NOT_AVAILABLE when no
// in-sync replica can lead. Any other type is INVALID_REQUEST. When the controller cannot be
// reached, the top-level error (v1+) and every partition's carry that error.
#pragma once

#include "broker/handlers/handler.h"
#include "protocol/generated/elect_leaders.h"

namespace keel::broker::handlers {

class ElectLeadersHandler
    : public TypedHandler<ElectLeadersHandler, protocol::ElectLeadersRequest> {
 public:
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;

  boost::asio::awaitable<HandlerResult> serve(const RequestContext& ctx,
                                              const protocol::RequestHeader& header,
                                              protocol::ElectLeadersRequest& req) const;
};

}  // namespace keel::broker::handlers
