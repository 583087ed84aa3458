// File: controller/control/broker_control.cc
#include "controller/control/broker_control.h"

namespace keel::controller {

ControllerResult<int64_t> register_broker(const MetadataImage& /*image*/,
                                          const BrokerRegistration& registration,
                                          int64_t next_offset) {
  ControllerResult<int64_t> out;
  metadata::MetadataRecord record;
  metadata::BrokerRegistrationRecord* r = record.mutable_broker_registration();
  r->set_node_id(registration.node_id);
  r->set_broker_epoch(next_offset);
  for (const metadata::Endpoint& endpoint : registration.endpoints) *r->add_endpoints() = endpoint;
  r->set_rack(registration.rack);
  r->set_fenced(false);
  out.records.push_back(std::move(record));
  out.response = next_offset;
  return out;
}

}  // namespace keel::controller
