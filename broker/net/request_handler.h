// File: broker/net/request_handler.h
// The seam between the network layer and the broker's request processing.
//
// Contract: a Connection calls handle() once per request, on the connection's own
// io_context thread (its shard), possibly many times concurrently for pipelined requests.
// Implementations are shared by every connection of every shard, so they must be safe to
// call from several threads at once. They must not throw (an exception is treated as a
// protocol violation and closes the connection, but is never allowed to reach the loop).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/net/asio.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"
#include "protocol/wire/types.h"
#include "storage/file_slice.h"

namespace keel::broker::net {

// A region of a segment file that belongs at `frame_offset` of a response frame (zero-copy
// Fetch). The offset counts the frame's in-memory bytes only, as protocol::Splice does.
struct FileSplice {
  size_t frame_offset = 0;
  storage::FileSlice slice;
};

// What to do with one request once it has been handled.
struct HandlerResult {
  enum class Kind {
    kRespond,     // write `frame` (size prefix + response header + body) in request order
    kNoResponse,  // nothing is sent back (Produce with acks=0)
    kClose,       // protocol violation: close the connection after earlier responses
  };
  Kind kind = Kind::kNoResponse;
  protocol::Bytes frame;
  std::string reason;  // for kClose: logged once by the connection
  // kRespond: file regions inserted into `frame` as it is written (sendfile(2) on plaintext
  // connections, copied otherwise), by non-decreasing frame_offset, each <= frame.size().
  // If a file turns out shorter than its slice, the connection is closed mid-response.
  std::vector<FileSplice> splices;

  static HandlerResult respond(protocol::Bytes f) { return {Kind::kRespond, std::move(f), {}, {}}; }
  // A frame with file regions spliced in; kClose (a handler bug) if the splices are not
  // ordered, not within the frame, or a non-empty slice has no file.
  static HandlerResult respond_spliced(protocol::Bytes frame, std::vector<FileSplice> splices);
  // The usual form for Fetch: `frame` from protocol::encode_response_frame_spliced, and the
  // file slices of its external records in encounter order (topics, then partitions, in
  // message order). Empty slices are skipped, as RecordsView::external(0) is no splice; the
  // others must match frame.splices one to one in size, else kClose (a handler bug).
  static HandlerResult respond_spliced(protocol::SplicedFrame frame,
                                       std::vector<storage::FileSlice> slices);
  static HandlerResult no_response() { return {Kind::kNoResponse, {}, {}, {}}; }
  static HandlerResult close(std::string why) { return {Kind::kClose, {}, std::move(why), {}}; }
};

// Where a request came from, for handlers that report it (group members' client host).
struct RequestOrigin {
  std::string_view client_host;  // "/127.0.0.1", as Kafka prints a member's host
  std::string_view listener;     // the name of the listener the request arrived on
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  // `header` was decoded from the frame; `body` is the rest of the frame. Both stay valid
  // until the returned awaitable completes. Unknown API keys and unsupported versions reach
  // the handler too: answering them (or closing) is its decision.
  virtual boost::asio::awaitable<HandlerResult> handle(const RequestOrigin& origin,
                                                       const protocol::RequestHeader& header,
                                                       std::span<const uint8_t> body) = 0;
};

}  // namespace keel::broker::net
