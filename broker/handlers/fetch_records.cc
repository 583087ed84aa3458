// File: broker/handlers/fetch_records.cc
#include "broker/handlers/fetch_records.h"

#include <utility>

namespace keel::broker::handlers {

net::HandlerResult encode_fetch_response(const protocol::RequestHeader& header,
                                         protocol::FetchResponse& response,
                                         const std::vector<FetchedRecords>& records) {
  // The records stay in the segment files: the frame is encoded with placeholders of the
  // right sizes and the connection splices the file regions in (sendfile on plaintext).
  // `records` is in message order (topics, then partitions), as the splices must be.
  std::vector<storage::FileSlice> slices;
  slices.reserve(records.size());
  for (const FetchedRecords& r : records) {
    *r.field = protocol::RecordsView::external(r.slice.size);
    slices.push_back(r.slice);
  }
  return net::HandlerResult::respond_spliced(
      protocol::encode_response_frame_spliced(header.correlation_id, header.api_version, response),
      std::move(slices));
}

}  // namespace keel::broker::handlers
