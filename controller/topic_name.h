// File: controller/topic_name.h
// Kafka's rules for topic names, checked by the controller before a topic is created.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace keel::controller {

// The longest legal topic name (Kafka's limit: a partition directory name is the topic name
// plus "-<partition>" and must fit in 255 bytes).
inline constexpr size_t kMaxTopicNameLength = 249;

// The metadata log's own name: `__cluster_metadata-0` is its directory in the first log dir,
// so no topic may be called this.
inline constexpr std::string_view kMetadataTopicName = "__cluster_metadata";

// OK, or INVALID_TOPIC_EXCEPTION saying why: empty, "." or "..", longer than 249 characters,
// or a character other than ASCII letters, digits, '.', '_' and '-'.
absl::Status validate_topic_name(std::string_view name);

// The name with every '.' replaced by '_'. Two topics whose names differ only there would
// collide in metric names, so Kafka refuses the second one; so does Keel.
std::string unify_collision_chars(std::string_view name);

// True when the name contains '.' or '_' (it may collide with another name).
bool has_collision_chars(std::string_view name);

}  // namespace keel::controller
