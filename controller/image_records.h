// File: controller/image_records.h
// A metadata image written back as the records that rebuild it (the content of a metadata
// snapshot, as Kafka's image writers): brokers, their registration state, topics, partitions
// with replicas/ISR/leader and epochs, topic and broker configs. Replaying them into an empty
// image gives an equal image.
#pragma once

#include <vector>

#include "controller/metadata_image.h"
#include "controller/metadata_records.pb.h"

namespace keel::controller {

std::vector<metadata::MetadataRecord> image_records(const MetadataImage& image);

}  // namespace keel::controller
