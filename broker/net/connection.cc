// File: broker/net/connection.cc
#include "broker/net/connection.h"

#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>
#include <system_error>
#include <utility>

#include "broker/net/asio.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/reader.h"
#include "storage/file_slice.h"

namespace keel::broker::net {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Polling period while only the global budget blocks a reader: other shards release bytes
// without knowing who waits, and a short poll is simpler than cross-shard wake-ups.
constexpr auto kGlobalBudgetPoll = std::chrono::milliseconds(5);

// sendfile(2) in one call at most (Linux sends at most 0x7ffff000 bytes anyway).
constexpr uint64_t kMaxSendfileBytes = uint64_t{1} << 30;
// The copy fallback reads and writes file regions in pieces of this size.
constexpr uint64_t kCopyChunkBytes = 256 * 1024;

constexpr const char* kTruncatedFile =
    "cannot send fetched records: the segment file is shorter than the slice read from it";

void count(NetMetrics* m, std::atomic<uint64_t> NetMetrics::*field, uint64_t n = 1) {
  if (m != nullptr) NetMetrics::add(m->*field, n);
}

// sendfile(2) cannot be given MSG_NOSIGNAL: a peer that went away would raise SIGPIPE, whose
// default action ends the process. Ignore it unless the program installed its own handler.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      std::signal(SIGPIPE, SIG_IGN);
    }
  });
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, const ConnectionContext& ctx,
                       std::function<void()> on_done)
    : socket_(std::move(socket)),
      ctx_(ctx),
      on_done_(std::move(on_done)),
      reader_wake_(socket_.get_executor()),
      writer_wake_(socket_.get_executor()) {
  error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
  client_host_ = ec ? std::string() : "/" + ep.address().to_string();
  origin_.client_host = client_host_;
  origin_.listener = ctx_.listener;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);  // best effort
}

Connection::~Connection() {
  count(ctx_.metrics, &NetMetrics::connections_closed);
  if (on_done_) on_done_();
}

void Connection::start() {
  auto self = shared_from_this();
  auto on_exit = [self](std::exception_ptr e) {
    if (e) self->close("internal error in connection coroutine", false);
  };
  asio::co_spawn(socket_.get_executor(), read_loop(self), on_exit);
  asio::co_spawn(socket_.get_executor(), write_loop(self), on_exit);
}

void Connection::stop() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->stop_here(); });
}

void Connection::stop_here() {
  if (stopping_ || closed_) return;
  stopping_ = true;
  wake(reader_wake_);
  // cancel() would also abort a write in progress; the writer cancels after its write.
  if (in_read_ && !writing_) {
    error_code ec;
    socket_.cancel(ec);
  }
}

void Connection::close(const std::string& reason, bool violation) {
  if (closed_) return;
  closed_ = true;
  std::fprintf(stderr, "keel net: closing connection from %s: %s\n", peer_.c_str(), reason.c_str());
  if (violation) count(ctx_.metrics, &NetMetrics::protocol_errors);
  error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  wake(reader_wake_);
  wake(writer_wake_);
}

asio::awaitable<bool> Connection::admit(int64_t frame_bytes) {
  const auto& lim = ctx_.limits;
  while (!closed_ && !stopping_) {
    // One request is always admitted locally, so a frame above the byte limit still passes.
    const bool local_ok =
        in_flight_bytes_ == 0 || in_flight_bytes_ + frame_bytes <= lim.max_in_flight_bytes;
    if (local_ok &&
        (ctx_.global_budget == nullptr || ctx_.global_budget->try_acquire(frame_bytes))) {
      in_flight_bytes_ += frame_bytes;
      co_return true;
    }
    if (local_ok) {
      reader_wake_.expires_after(kGlobalBudgetPoll);
    } else {
      reader_wake_.expires_at(asio::steady_timer::time_point::max());
    }
    error_code ec;
    co_await reader_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return false;
}

void Connection::release(int64_t frame_bytes) {
  in_flight_bytes_ -= frame_bytes;
  if (ctx_.global_budget != nullptr) ctx_.global_budget->release(frame_bytes);
  wake(reader_wake_);
}

asio::awaitable<void> Connection::read_loop(std::shared_ptr<Connection> self) {
  std::array<uint8_t, protocol::kFrameSizeBytes> prefix{};
  error_code ec;
  while (!closed_ && !stopping_) {
    // Backpressure on the request count: do not even read the next size prefix.
    if (slots_.size() >= static_cast<size_t>(ctx_.limits.max_in_flight_requests)) {
      reader_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await reader_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    in_read_ = true;
    co_await asio::async_read(socket_, asio::buffer(prefix),
                              asio::redirect_error(asio::use_awaitable, ec));
    in_read_ = false;
    if (ec) break;  // EOF, stop() or a dead peer: finish what was read, then close
    bytes_in_ += prefix.size();
    count(ctx_.metrics, &NetMetrics::bytes_in, prefix.size());

    auto size = protocol::parse_frame_size(prefix, ctx_.limits.max_frame_bytes);
    if (!size.ok()) {
      close("bad frame size: " + std::string(size.status().message()), true);
      break;
    }
    if (!co_await admit(*size)) break;
    // Not zero-filled: the read overwrites every byte (zeroing showed up at 2-5% of produce CPU).
    const auto frame_size = static_cast<size_t>(*size);
    std::shared_ptr<uint8_t[]> frame = std::make_shared_for_overwrite<uint8_t[]>(frame_size);
    in_read_ = true;
    co_await asio::async_read(socket_, asio::buffer(frame.get(), frame_size),
                              asio::redirect_error(asio::use_awaitable, ec));
    in_read_ = false;
    if (ec) {
      release(*size);
      // Cancelled by stop(): the partial request was never acknowledged, so just drop it.
      if (!stopping_) close("truncated frame: " + ec.message(), true);
      break;
    }
    bytes_in_ += frame_size;
    count(ctx_.metrics, &NetMetrics::bytes_in, frame_size);

    protocol::Reader reader(frame.get(), frame_size);
    protocol::RequestHeader header;
    absl::Status status = protocol::decode_request_header(reader, &header);
    if (!status.ok()) {
      release(*size);
      close("bad request header: " + std::string(status.message()), true);
      break;
    }
    ++requests_;
    count(ctx_.metrics, &NetMetrics::requests);
    const uint64_t seq = first_seq_ + slots_.size();
    slots_.emplace_back();
    // Handled at once (pipelining); the writer restores request order.
    asio::co_spawn(
        socket_.get_executor(),
        run_handler(self, seq, std::move(header), std::move(frame), frame_size, reader.position()),
        [self](std::exception_ptr e) {
          if (e) self->close("internal error in request handling", false);
        });
  }
  reading_ = false;
  wake(writer_wake_);
}

asio::awaitable<void> Connection::run_handler([[maybe_unused]] std::shared_ptr<Connection> self,
                                              uint64_t seq, protocol::RequestHeader header,
                                              std::shared_ptr<uint8_t[]> frame, size_t frame_size,
                                              size_t body_offset) {
  HandlerResult result;
  try {
    std::span<const uint8_t> body(frame.get() + body_offset, frame_size - body_offset);
    result = co_await ctx_.handler->handle(origin_, header, body);
  } catch (const std::exception& e) {
    result = HandlerResult::close(std::string("request handler threw: ") + e.what());
  } catch (...) {
    result = HandlerResult::close("request handler threw");
  }
  release(static_cast<int64_t>(frame_size));
  frame.reset();
  if (closed_) co_return;
  Slot& slot = slots_[seq - first_seq_];
  slot.result = std::move(result);
  slot.done = true;
  wake(writer_wake_);
}

asio::awaitable<void> Connection::write_loop([[maybe_unused]] std::shared_ptr<Connection> self) {
  error_code ec;
  while (!closed_) {
    if (!slots_.empty() && slots_.front().done) {
      HandlerResult& r = slots_.front().result;
      if (r.kind == HandlerResult::Kind::kClose) {
        close(r.reason, true);
        break;
      }
      if (r.kind == HandlerResult::Kind::kRespond) {
        // Pop only after the write: the slot counts as in flight until then.
        writing_ = true;
        if (r.splices.empty()) {
          co_await asio::async_write(socket_, asio::buffer(r.frame),
                                     asio::redirect_error(asio::use_awaitable, ec));
          writing_ = false;
          if (ec) {
            close("write failed: " + ec.message(), false);
            break;
          }
          count_out(r.frame.size());
        } else {
          const bool ok = co_await write_spliced(r);
          writing_ = false;
          if (!ok) break;
        }
        count(ctx_.metrics, &NetMetrics::responses);
        if (stopping_ && in_read_) socket_.cancel(ec);  // the cancel stop() deferred
      }
      slots_.pop_front();
      ++first_seq_;
      wake(reader_wake_);
      continue;
    }
    if (!reading_ && slots_.empty()) break;
    writer_wake_.expires_at(asio::steady_timer::time_point::max());
    co_await writer_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!closed_) {  // graceful end: everything read was answered
    closed_ = true;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }
}

void Connection::count_out(uint64_t n) {
  bytes_out_ += n;
  count(ctx_.metrics, &NetMetrics::bytes_out, n);
}

asio::awaitable<bool> Connection::write_spliced(const HandlerResult& r) {
  const std::span<const uint8_t> frame(r.frame);
  size_t at = 0;  // frame bytes before `at` are written
  // Empty regions at the end send nothing: MSG_MORE must not be set for them.
  size_t end = r.splices.size();
  while (end > 0 && r.splices[end - 1].slice.empty()) --end;
  for (size_t i = 0; i < end; ++i) {
    const FileSplice& splice = r.splices[i];
    if (splice.frame_offset < at || splice.frame_offset > frame.size() ||
        (!splice.slice.empty() && splice.slice.file == nullptr)) {
      close("internal error: bad file splice in a response", false);
      co_return false;
    }
    if (splice.frame_offset > at) {
      if (!co_await write_piece(frame.subspan(at, splice.frame_offset - at), true)) {
        co_return false;
      }
      at = splice.frame_offset;
    }
    if (splice.slice.empty()) continue;
    const bool more = at < frame.size() || i + 1 < end;
    if (!co_await write_file(splice.slice, more)) co_return false;
  }
  if (at < frame.size() && !co_await write_piece(frame.subspan(at), false)) co_return false;
  co_return true;
}

asio::awaitable<bool> Connection::write_piece(std::span<const uint8_t> bytes, bool more) {
  const asio::socket_base::message_flags flags = more ? MSG_MORE : 0;
  error_code ec;
  while (!bytes.empty()) {
    const size_t n = co_await socket_.async_send(asio::buffer(bytes.data(), bytes.size()), flags,
                                                 asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) co_return false;
    if (ec) {
      close("write failed: " + ec.message(), false);
      co_return false;
    }
    count_out(n);
    bytes = bytes.subspan(n);
  }
  co_return true;
}

asio::awaitable<bool> Connection::write_file(const storage::FileSlice& slice, bool more) {
  uint64_t done = 0;
  const int in_fd = slice.file->native_handle();
  error_code ec;
  if (ctx_.limits.zero_copy && in_fd >= 0 && !closed_) {
    ignore_sigpipe_once();
    // Asio puts the descriptor in non-blocking mode for its own async operations already;
    // this only makes sure before sendfile relies on it.
    if (!socket_.native_non_blocking()) socket_.native_non_blocking(true, ec);
    while (!ec && done < slice.size) {
      if (closed_) co_return false;
      off_t offset = static_cast<off_t>(slice.position + done);
      const auto want = static_cast<size_t>(std::min(slice.size - done, kMaxSendfileBytes));
      const ssize_t n = ::sendfile(socket_.native_handle(), in_fd, &offset, want);
      if (n > 0) {
        done += static_cast<uint64_t>(n);
        count_out(static_cast<uint64_t>(n));
        count(ctx_.metrics, &NetMetrics::zero_copy_bytes, static_cast<uint64_t>(n));
        continue;
      }
      if (n == 0) {  // end of file before the end of the slice
        close(kTruncatedFile, false);
        co_return false;
      }
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        count(ctx_.metrics, &NetMetrics::zero_copy_waits);
        co_await socket_.async_wait(asio::ip::tcp::socket::wait_write,
                                    asio::redirect_error(asio::use_awaitable, ec));
        if (closed_) co_return false;
        if (ec) {
          close("write failed: " + ec.message(), false);
          co_return false;
        }
        continue;
      }
      // A file system that cannot sendfile: copy the rest.
      if (err == EINVAL || err == ENOSYS || err == EOPNOTSUPP) break;
      close("sendfile failed: " + std::generic_category().message(err), false);
      co_return false;
    }
  }
  co_return co_await copy_file(slice, done, more);
}

asio::awaitable<bool> Connection::copy_file(const storage::FileSlice& slice, uint64_t done,
                                            bool more) {
  while (done < slice.size) {
    if (closed_) co_return false;
    const uint64_t n = std::min(slice.size - done, kCopyChunkBytes);
    absl::StatusOr<protocol::Bytes> chunk =
        storage::read_slice(storage::FileSlice{slice.file, slice.position + done, n});
    if (!chunk.ok()) {
      close("cannot send fetched records: " + std::string(chunk.status().message()), false);
      co_return false;
    }
    done += n;
    if (!co_await write_piece(*chunk, more || done < slice.size)) co_return false;
    count(ctx_.metrics, &NetMetrics::copied_file_bytes, n);
  }
  co_return true;
}

}  // namespace keel::broker::net
