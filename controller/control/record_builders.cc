// File: controller/control/record_builders.cc
#include "controller/control/record_builders.h"

namespace keel::controller {

metadata::MetadataRecord topic_record(const std::string& name, const Uuid& id) {
  metadata::MetadataRecord record;
  record.mutable_topic()->set_name(name);
  record.mutable_topic()->set_topic_id(uuid_to_bytes(id));
  return record;
}

metadata::MetadataRecord remove_topic_record(const Uuid& id) {
  metadata::MetadataRecord record;
  record.mutable_remove_topic()->set_topic_id(uuid_to_bytes(id));
  return record;
}

metadata::MetadataRecord partition_record(const Uuid& id, int32_t partition,
                                          const std::vector<int32_t>& replicas,
                                          const std::vector<int32_t>& isr) {
  metadata::MetadataRecord record;
  metadata::PartitionRecord* p = record.mutable_partition();
  p->set_topic_id(uuid_to_bytes(id));
  p->set_partition_id(partition);
  for (int32_t r : replicas) p->add_replicas(r);
  for (int32_t r : isr) p->add_isr(r);
  p->set_leader(isr.empty() ? -1 : isr.front());
  p->set_leader_epoch(0);
  p->set_partition_epoch(0);
  return record;
}

metadata::MetadataRecord config_record(metadata::ConfigResourceType type,
                                       const std::string& resource, const std::string& name,
                                       const std::optional<std::string>& value) {
  metadata::MetadataRecord record;
  metadata::ConfigRecord* c = record.mutable_config();
  c->set_resource_type(type);
  c->set_resource_name(resource);
  c->set_name(name);
  if (value) c->set_value(*value);
  return record;
}

void config_diff(metadata::ConfigResourceType type, const std::string& resource,
                 const std::map<std::string, std::string>& from,
                 const std::map<std::string, std::string>& to,
                 std::vector<metadata::MetadataRecord>* records) {
  for (const auto& [name, value] : from) {
    if (!to.count(name)) records->push_back(config_record(type, resource, name, std::nullopt));
  }
  for (const auto& [name, value] : to) {
    auto it = from.find(name);
    if (it == from.end() || it->second != value) {
      records->push_back(config_record(type, resource, name, value));
    }
  }
}

}  // namespace keel::controller
