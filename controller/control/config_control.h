// File: controller/control/config_control.h
// Dynamic config changes as a pure function (Kafka's ConfigurationControlManager): the
// committed image and the change in, the records and the answer out.
#pragma once

#include <vector>

#include "controller/control/control_types.h"
#include "controller/control/controller_result.h"
#include "controller/metadata_image.h"

namespace keel::controller {

// IncrementalAlterConfigs semantics on one resource (kAppend/kSubtract for list-valued
// configs such as cleanup.policy). `replace_all` = legacy AlterConfigs: the given set replaces
// all dynamic configs of the resource. Validated as a whole; all or nothing: on error, no
// records. UNKNOWN_TOPIC_OR_PARTITION for an unknown topic, INVALID_REQUEST for a bad broker
// resource name, a repeated name, a null value or a bad operation, INVALID_CONFIG from the
// validator.
ControllerResult<absl::Status> alter_configs(const MetadataImage& image,
                                             const ControlSettings& settings,
                                             const ConfigResource& resource,
                                             const std::vector<ConfigChange>& changes,
                                             bool replace_all, bool validate_only);

}  // namespace keel::controller
