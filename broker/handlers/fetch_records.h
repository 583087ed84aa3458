// File: broker/handlers/fetch_records.h
// Encodes a Fetch response whose records live in segment files (storage::FileSlice).
#pragma once

#include <optional>
#include <vector>

#include "broker/net/request_handler.h"
#include "protocol/generated/fetch.h"
#include "protocol/wire/header.h"
#include "storage/file_slice.h"

namespace keel::broker::handlers {

struct FetchedRecords {
  std::optional<protocol::RecordsView>* field;  // the partition's records in the response
  storage::FileSlice slice;
};

// The response with every slice spliced into its partition's records field; `records` must
// be in message order (topics, then partitions).
net::HandlerResult encode_fetch_response(const protocol::RequestHeader& header,
                                         protocol::FetchResponse& response,
                                         const std::vector<FetchedRecords>& records);

}  // namespace keel::broker::handlers
