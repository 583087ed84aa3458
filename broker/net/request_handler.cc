// File: broker/net/request_handler.cc
#include "broker/net/request_handler.h"

#include <string>

namespace keel::broker::net {

HandlerResult HandlerResult::respond_spliced(protocol::Bytes frame,
                                             std::vector<FileSplice> splices) {
  size_t previous = 0;
  for (const FileSplice& s : splices) {
    if (s.frame_offset < previous || s.frame_offset > frame.size()) {
      return close("internal error: response splice offsets out of order or out of the frame");
    }
    if (s.slice.size > 0 && s.slice.file == nullptr) {
      return close("internal error: response splice without a file");
    }
    previous = s.frame_offset;
  }
  HandlerResult r = respond(std::move(frame));
  r.splices = std::move(splices);
  return r;
}

HandlerResult HandlerResult::respond_spliced(protocol::SplicedFrame frame,
                                             std::vector<storage::FileSlice> slices) {
  std::vector<FileSplice> splices;
  splices.reserve(frame.splices.size());
  size_t next = 0;
  for (storage::FileSlice& slice : slices) {
    if (slice.empty()) continue;
    if (next == frame.splices.size() || frame.splices[next].size != slice.size) {
      return close("internal error: file slices do not match the response's external records");
    }
    splices.push_back({frame.splices[next++].offset, std::move(slice)});
  }
  if (next != frame.splices.size()) {
    return close("internal error: fewer file slices than external records in the response");
  }
  return respond_spliced(std::move(frame.frame_without_external_bytes), std::move(splices));
}

}  // namespace keel::broker::net
