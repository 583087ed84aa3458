// File: controller/control/record_builders.h
// One function per kind of metadata record the control managers emit.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/metadata_image.h"
#include "controller/metadata_records.pb.h"

namespace keel::controller {

metadata::MetadataRecord topic_record(const std::string& name, const Uuid& id);
metadata::MetadataRecord remove_topic_record(const Uuid& id);
// A new partition led by the first replica of its ISR (-1 when the ISR is empty), epoch 0.
metadata::MetadataRecord partition_record(const Uuid& id, int32_t partition,
                                          const std::vector<int32_t>& replicas,
                                          const std::vector<int32_t>& isr);
// Sets (value present) or removes one dynamic config.
metadata::MetadataRecord config_record(metadata::ConfigResourceType type,
                                       const std::string& resource, const std::string& name,
                                       const std::optional<std::string>& value);
// The records turning `from` into `to` for one resource, appended to `records`.
void config_diff(metadata::ConfigResourceType type, const std::string& resource,
                 const std::map<std::string, std::string>& from,
                 const std::map<std::string, std::string>& to,
                 std::vector<metadata::MetadataRecord>* records);

}  // namespace keel::controller
