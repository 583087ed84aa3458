// File: controller/control/topic_control.h
// Topic creation and deletion as pure functions (Kafka's ReplicationControlManager part for
// topics): the committed image and a request in, the records and the answer out.
//
// Answers are per topic, in request order. A topic that fails validation gets its error and
// contributes no record; the others are all carried out by one batch.
#pragma once

#include <string>
#include <vector>

#include "controller/control/control_types.h"
#include "controller/control/controller_result.h"
#include "controller/metadata_image.h"

namespace keel::controller {

// Topic names: 1-249 chars of [a-zA-Z0-9._-], not "." or "..", not the metadata log's; no
// name that differs from another only in '.' vs '_'. Placement over the usable brokers
// (unfenced, see replica_placement.h). validate_only: full validation, no records.
ControllerResult<std::vector<CreateTopicResult>> create_topics(const MetadataImage& image,
                                                               const ControlSettings& settings,
                                                               const std::vector<NewTopic>& topics,
                                                               bool validate_only);

// UNKNOWN_TOPIC_OR_PARTITION for absent names, INVALID_REQUEST for duplicates.
ControllerResult<std::vector<absl::Status>> delete_topics(const MetadataImage& image,
                                                          const std::vector<std::string>& names);
// Same by id (DeleteTopics v6+): UNKNOWN_TOPIC_ID for absent or zero ids.
ControllerResult<std::vector<absl::Status>> delete_topics_by_id(const MetadataImage& image,
                                                                const std::vector<Uuid>& ids);

}  // namespace keel::controller
