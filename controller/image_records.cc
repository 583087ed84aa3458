// File: controller/image_records.cc
#include "controller/image_records.h"

#include "controller/control/record_builders.h"

namespace keel::controller {

std::vector<metadata::MetadataRecord> image_records(const MetadataImage& image) {
  std::vector<metadata::MetadataRecord> out;
  for (const auto& [id, b] : image.brokers()) {
    metadata::MetadataRecord reg;
    metadata::BrokerRegistrationRecord* r = reg.mutable_broker_registration();
    r->set_node_id(b.node_id);
    r->set_broker_epoch(b.broker_epoch);
    for (const metadata::Endpoint& e : b.endpoints) *r->add_endpoints() = e;
    r->set_rack(b.rack);
    r->set_fenced(b.fenced);
    out.push_back(std::move(reg));
    if (b.in_controlled_shutdown) {
      metadata::MetadataRecord change;
      metadata::BrokerRegistrationChangeRecord* c = change.mutable_broker_registration_change();
      c->set_node_id(b.node_id);
      c->set_broker_epoch(b.broker_epoch);
      c->set_in_controlled_shutdown(true);
      out.push_back(std::move(change));
    }
  }
  for (const auto& [name, topic] : image.topics()) {
    out.push_back(topic_record(name, topic->id));
    for (const auto& [pid, p] : topic->partitions) {
      metadata::MetadataRecord record = partition_record(topic->id, pid, p.replicas, p.isr);
      metadata::PartitionRecord* pr = record.mutable_partition();
      pr->set_leader(p.leader);
      pr->set_leader_epoch(p.leader_epoch);
      pr->set_partition_epoch(p.partition_epoch);
      out.push_back(std::move(record));
    }
    for (const auto& [key, value] : topic->configs) {
      out.push_back(config_record(metadata::CONFIG_RESOURCE_TOPIC, name, key, value));
    }
  }
  for (const auto& [resource, configs] : image.broker_configs()) {
    for (const auto& [key, value] : configs) {
      out.push_back(config_record(metadata::CONFIG_RESOURCE_BROKER, resource, key, value));
    }
  }
  return out;
}

}  // namespace keel::controller
