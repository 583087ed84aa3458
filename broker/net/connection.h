// File: broker/net/connection.h
// One client connection: reads pipelined requests, handles them concurrently and writes the
// responses strictly in request order.
//
// Threading: a Connection lives on one io_context (its shard) for its whole life. All of its
// state is touched only from that io_context's single thread, so it has no locks; stop() is
// the one member that may be called from any thread (it posts). Handler coroutines run on the
// same executor.
//
// Lifetime: owned by shared_ptr. The reader, the writer and every running handler hold a
// reference, so the object lives until the last of them finishes, even after the socket was
// closed. `on_done` runs from the destructor, on whichever thread drops the last reference.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "broker/net/asio.h"
#include "broker/net/limits.h"
#include "broker/net/request_handler.h"

namespace keel::broker::net {

// What a connection needs from its owner; everything here outlives every connection.
struct ConnectionContext {
  RequestHandler* handler = nullptr;
  ConnectionLimits limits;
  InflightBudget* global_budget = nullptr;  // may be null: no global limit
  NetMetrics* metrics = nullptr;            // may be null
  std::string_view listener;                // the accepting listener's name; may be empty
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, const ConnectionContext& ctx,
             std::function<void()> on_done);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts the reader and the writer on the socket's executor. Call once.
  void start();
  // Graceful: stop reading, finish the requests already read, flush their responses, close.
  // Thread-safe.
  void stop();

  // Per-connection counters (read them on the connection's thread).
  uint64_t bytes_in() const { return bytes_in_; }
  uint64_t bytes_out() const { return bytes_out_; }
  uint64_t requests() const { return requests_; }

 private:
  // One request's place in the response order.
  struct Slot {
    bool done = false;
    HandlerResult result;
  };

  // Each coroutine takes `self` so the frame keeps the connection alive from its creation.
  boost::asio::awaitable<void> read_loop(std::shared_ptr<Connection> self);
  boost::asio::awaitable<void> write_loop(std::shared_ptr<Connection> self);
  // Writes a response with file regions (r.splices): frame bytes and regions alternately.
  // Each returns false once the connection was closed (the reason is logged by close()).
  boost::asio::awaitable<bool> write_spliced(const HandlerResult& r);
  // `more`: further bytes of the same response follow (MSG_MORE: no lone small packet).
  boost::asio::awaitable<bool> write_piece(std::span<const uint8_t> bytes, bool more);
  // sendfile(2) when zero_copy is on and the file has a descriptor, else copy_file().
  boost::asio::awaitable<bool> write_file(const storage::FileSlice& slice, bool more);
  // Copies slice[done, size) through memory, in chunks.
  boost::asio::awaitable<bool> copy_file(const storage::FileSlice& slice, uint64_t done, bool more);
  void count_out(uint64_t n);
  boost::asio::awaitable<void> run_handler(std::shared_ptr<Connection> self, uint64_t seq,
                                           protocol::RequestHeader header,
                                           std::shared_ptr<uint8_t[]> frame, size_t frame_size,
                                           size_t body_offset);
  // Waits until there is room for a request of `frame_bytes`, or the connection stops.
  boost::asio::awaitable<bool> admit(int64_t frame_bytes);
  void release(int64_t frame_bytes);
  // Abortive close after a protocol violation (`violation`) or an I/O error; logs once.
  void close(const std::string& reason, bool violation);
  void stop_here();  // stop(), on the connection's thread
  static void wake(boost::asio::steady_timer& t) { t.cancel(); }

  boost::asio::ip::tcp::socket socket_;
  ConnectionContext ctx_;
  std::function<void()> on_done_;
  std::string peer_;
  std::string client_host_;
  RequestOrigin origin_;  // views client_host_

  // Condition variables: a timer that never expires, cancelled to wake its waiter.
  boost::asio::steady_timer reader_wake_;
  boost::asio::steady_timer writer_wake_;

  std::deque<Slot> slots_;  // front = oldest request without a written response
  uint64_t first_seq_ = 0;  // sequence number of slots_.front()
  int64_t in_flight_bytes_ = 0;
  bool reading_ = true;    // false once the reader finished
  bool stopping_ = false;  // graceful stop requested
  bool closed_ = false;    // socket closed; nothing more is read or written
  bool writing_ = false;   // a write is in progress (stop must not cancel it)
  bool in_read_ = false;   // the reader waits in a socket read

  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
  uint64_t requests_ = 0;
};

}  // namespace keel::broker::net
