// File: controller/control/controller_result.h
// What a control manager returns (Kafka's ControllerResult): the metadata records that carry
// out an operation, and the answer to give once they are committed. Control managers are
// pure functions of the committed image and the request; they never write, wait or publish.
// The Controller appends `records` as one batch and, only when it commits, answers
// `response`; when the commit fails every accepted part of the answer gets that error.
#pragma once

#include <utility>
#include <vector>

#include "controller/metadata_records.pb.h"

namespace keel::controller {

template <typename Response>
struct ControllerResult {
  std::vector<metadata::MetadataRecord> records;
  Response response;
};

}  // namespace keel::controller
