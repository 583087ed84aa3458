// Responses with file regions (zero-copy Fetch): sendfile(2) from a real segment-like file,
// partial sends and a full socket (slow reader), response order with pipelined spliced and
// normal responses, a file truncated since the read, the copy fallback, files without a
// descriptor, and a Fetch response encoded with external records.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/net/server.h"
#include "protocol/generated/fetch.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/writer.h"
#include "storage/env.h"
#include "storage/file_slice.h"
#include "tests/unit/broker/net_test_util.h"

namespace keel::broker::net {
namespace {

namespace asio = boost::asio;
using protocol::Reader;
using protocol::Writer;
using storage::FileSlice;
using storage::RandomAccessFile;
using testing::Bytes;
using testing::eventually;
using testing::kTestApiKey;
using testing::request_frame;
using namespace std::chrono_literals;

constexpr auto kLongWait = std::chrono::seconds(30);  // a bound, not a performance threshold

// What the handler is asked to build.
enum class Kind : int8_t {
  kSpliced = 0,   // frame bytes and file regions, respond_spliced(Bytes, FileSplices)
  kInMemory = 1,  // the same bytes, materialised with read_slice (a normal response)
  kFetch = 2,     // a FetchResponse with external records (version = request's api_version)
};
// Flags for kSpliced / kInMemory.
constexpr uint8_t kNoMarkers = 1;  // regions back to back (adjacent splices)
constexpr uint8_t kNoTrailer = 2;  // the last region ends the frame

struct Region {
  uint64_t position = 0;
  uint64_t size = 0;
};

struct Script {
  int32_t delay_ms = 0;
  Kind kind = Kind::kSpliced;
  uint8_t file = 0;  // index into the handler's files
  uint8_t flags = 0;
  std::vector<Region> regions;
};

Bytes script_request(int32_t correlation_id, const Script& s, int16_t version = 0) {
  Bytes body;
  Writer w(body);
  w.write_int32(s.delay_ms);
  w.write_int8(static_cast<int8_t>(s.kind));
  w.write_int8(static_cast<int8_t>(s.file));
  w.write_int8(static_cast<int8_t>(s.flags));
  w.write_int32(static_cast<int32_t>(s.regions.size()));
  for (const Region& r : s.regions) {
    w.write_int64(static_cast<int64_t>(r.position));
    w.write_int64(static_cast<int64_t>(r.size));
  }
  return request_frame(kTestApiKey, version, correlation_id, body);
}

// The response layout: size, correlation id, then per region a 3-byte marker and the region's
// bytes, then a 2-byte trailer. Built as frame bytes + splices (`file` given) or, for the
// expected bytes, with the contents inline.
struct Built {
  Bytes frame;
  std::vector<FileSplice> splices;
};

Built build(int32_t correlation_id, const std::vector<Region>& regions, uint8_t flags,
            const std::shared_ptr<const RandomAccessFile>& file, const Bytes* contents) {
  uint64_t total = 4;
  for (const Region& r : regions) total += r.size + ((flags & kNoMarkers) ? 0 : 3);
  if (!(flags & kNoTrailer)) total += 2;
  Built b;
  Writer w(b.frame);
  w.write_int32(static_cast<int32_t>(total));
  w.write_int32(correlation_id);
  for (size_t i = 0; i < regions.size(); ++i) {
    if (!(flags & kNoMarkers)) {
      const uint8_t marker[3] = {0xee, static_cast<uint8_t>(i), 0xee};
      w.write_raw(marker, 3);
    }
    const Region& r = regions[i];
    if (contents != nullptr) {
      w.write_raw(contents->data() + r.position, r.size);
    } else {
      b.splices.push_back({b.frame.size(), FileSlice{file, r.position, r.size}});
    }
  }
  if (!(flags & kNoTrailer)) {
    const uint8_t trailer[2] = {0xdd, 0xdd};
    w.write_raw(trailer, 2);
  }
  return b;
}

// A FetchResponse whose partitions carry the regions as records: external ones for the
// server, in-memory ones (from `contents`) for the expected bytes.
protocol::FetchResponse fetch_response(const std::vector<Region>& regions, const Bytes* contents) {
  protocol::FetchResponse resp;
  resp.session_id = 42;
  for (size_t i = 0; i < regions.size(); ++i) {
    if (i % 2 == 0) resp.responses.emplace_back().topic = "topic-" + std::to_string(i);
    auto& p = resp.responses.back().partitions.emplace_back();
    p.partition_index = static_cast<int32_t>(i);
    p.high_watermark = 1000 + static_cast<int64_t>(i);
    p.current_leader.leader_id = 3;  // a tagged field after the records in v12+
    const Region& r = regions[i];
    p.records = contents != nullptr ? protocol::RecordsView(contents->data() + r.position, r.size)
                                    : protocol::RecordsView::external(r.size);
  }
  return resp;
}

// Serves scripted responses from a fixed set of files (read-only once the server runs).
class SpliceHandler : public RequestHandler {
 public:
  std::vector<std::shared_ptr<const RandomAccessFile>> files;

  asio::awaitable<HandlerResult> handle(const RequestOrigin& /*origin*/,
                                        const protocol::RequestHeader& header,
                                        std::span<const uint8_t> body) override {
    Reader r(body);
    Script s;
    s.delay_ms = r.read_int32();
    s.kind = static_cast<Kind>(r.read_int8());
    s.file = static_cast<uint8_t>(r.read_int8());
    s.flags = static_cast<uint8_t>(r.read_int8());
    const int32_t n = r.read_int32();
    for (int32_t i = 0; i < n && r.ok(); ++i) {
      Region region;
      region.position = static_cast<uint64_t>(r.read_int64());
      region.size = static_cast<uint64_t>(r.read_int64());
      s.regions.push_back(region);
    }
    if (!r.ok() || s.file >= files.size()) co_return HandlerResult::close("bad test request");
    if (s.delay_ms > 0) {
      asio::steady_timer t(co_await asio::this_coro::executor);
      t.expires_after(std::chrono::milliseconds(s.delay_ms));
      co_await t.async_wait(asio::use_awaitable);
    }
    const auto& file = files[s.file];
    const int32_t corr = header.correlation_id;
    if (s.kind == Kind::kFetch) {
      std::vector<FileSlice> slices;
      for (const Region& region : s.regions) {
        slices.push_back(FileSlice{file, region.position, region.size});
      }
      co_return HandlerResult::respond_spliced(
          protocol::encode_response_frame_spliced(corr, header.api_version,
                                                  fetch_response(s.regions, nullptr)),
          std::move(slices));
    }
    Built b = build(corr, s.regions, s.flags, file, nullptr);
    if (s.kind == Kind::kSpliced) {
      co_return HandlerResult::respond_spliced(std::move(b.frame), std::move(b.splices));
    }
    Bytes contents;
    for (const Region& region : s.regions) {
      auto bytes = storage::read_slice(FileSlice{file, region.position, region.size});
      if (!bytes.ok()) co_return HandlerResult::close("read failed");
      contents.insert(contents.end(), bytes->begin(), bytes->end());
    }
    std::vector<Region> packed;  // the same regions, laid out one after another in `contents`
    uint64_t at = 0;
    for (const Region& region : s.regions) {
      packed.push_back({at, region.size});
      at += region.size;
    }
    co_return HandlerResult::respond(build(corr, packed, s.flags, nullptr, &contents).frame);
  }
};

// A file with no descriptor (as FaultEnv's): the connection must copy it.
class MemoryFile : public RandomAccessFile {
 public:
  explicit MemoryFile(Bytes data) : data_(std::move(data)) {}
  absl::StatusOr<size_t> read(uint64_t offset, std::span<uint8_t> dst) const override {
    if (offset >= data_.size()) return size_t{0};
    const size_t n = std::min<size_t>(dst.size(), data_.size() - offset);
    std::memcpy(dst.data(), data_.data() + offset, n);
    return n;
  }
  absl::StatusOr<uint64_t> size() const override { return data_.size(); }

 private:
  Bytes data_;
};

// A blocking client with a chosen receive buffer (set before connecting, so the window is
// small from the start and a large response really fills the server's socket).
class Client {
 public:
  explicit Client(uint16_t port, int rcvbuf = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Client() { reset(); }
  bool connected() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(const Bytes& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // Exactly n bytes, or fewer if the peer closed or the wait ran out (`closed` tells which).
  Bytes read(size_t n, bool* closed = nullptr) {
    Bytes out(n);
    size_t got = 0;
    bool eof = false;
    const auto deadline = std::chrono::steady_clock::now() + kLongWait;
    while (got < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      const ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
      if (r <= 0) {
        eof = true;
        break;
      }
      got += static_cast<size_t>(r);
    }
    out.resize(got);
    if (closed != nullptr) *closed = eof;
    return out;
  }

  // Everything until the peer closes (bounded by kLongWait); `closed` false on timeout.
  Bytes read_until_closed(bool* closed) {
    Bytes all;
    *closed = false;
    while (!*closed) {
      bool eof = false;
      Bytes chunk = read(64 * 1024, &eof);
      all.insert(all.end(), chunk.begin(), chunk.end());
      if (eof) *closed = true;
      if (!eof && chunk.size() < 64 * 1024) break;  // timed out
    }
    return all;
  }

 private:
  int fd_ = -1;
};

class NetZeroCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "keel_zero_copy_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (server_) server_->stop(std::chrono::seconds(10));
    (void)storage::Env::posix()->remove_dir(dir_);
  }

  // Writes a file of `size` patterned bytes, registers it with the handler, returns its index.
  uint8_t add_file(size_t size, const std::string& name) {
    Bytes data(size);
    uint32_t x = 0x9e3779b9u ^ static_cast<uint32_t>(size);
    for (auto& b : data) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      b = static_cast<uint8_t>(x);
    }
    const std::string path = storage::join_path(dir_, name);
    auto w = storage::Env::posix()->open_writable(path);
    EXPECT_TRUE(w.ok());
    EXPECT_TRUE((*w)->append(data).ok());
    EXPECT_TRUE((*w)->close().ok());
    auto r = storage::Env::posix()->open_readable(path);
    EXPECT_TRUE(r.ok());
    std::shared_ptr<const RandomAccessFile> file = std::move(*r);
    EXPECT_GE(file->native_handle(), 0);
    handler_.files.push_back(std::move(file));
    contents_.push_back(std::move(data));
    paths_.push_back(path);
    return static_cast<uint8_t>(handler_.files.size() - 1);
  }
  uint8_t add_memory_file(size_t size) {
    Bytes data(size);
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
    handler_.files.push_back(std::make_shared<MemoryFile>(data));
    contents_.push_back(std::move(data));
    paths_.emplace_back();
    return static_cast<uint8_t>(handler_.files.size() - 1);
  }

  void start(bool zero_copy = true) {
    ServerOptions opts;
    opts.endpoints = {{"127.0.0.1", 0, ""}};
    opts.num_shards = 2;
    opts.limits.zero_copy = zero_copy;
    opts.handler = &handler_;
    opts.metrics = &metrics_;
    server_ = std::make_unique<Server>(opts);
    ASSERT_TRUE(server_->start().ok());
    port_ = server_->bound_ports().at(0);
  }

  // The response the client must see for `s` (the same for every kind).
  Bytes expected(int32_t correlation_id, const Script& s, int16_t version = 0) const {
    const Bytes& contents = contents_.at(s.file);
    if (s.kind == Kind::kFetch) {
      return protocol::encode_response_frame(correlation_id, version,
                                             fetch_response(s.regions, &contents));
    }
    return build(correlation_id, s.regions, s.flags, nullptr, &contents).frame;
  }

  // Reads one whole response frame (prefix included) of the expected length.
  static Bytes read_response(Client& c, size_t size) {
    Bytes got = c.read(size);
    EXPECT_EQ(got.size(), size);
    return got;
  }

  static uint64_t file_bytes(const Script& s) {
    uint64_t n = 0;
    for (const Region& r : s.regions) n += r.size;
    return n;
  }

  std::string dir_;
  std::vector<Bytes> contents_;
  std::vector<std::string> paths_;
  SpliceHandler handler_;
  NetMetrics metrics_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

constexpr size_t kBig = 8 << 20;

TEST_F(NetZeroCopyTest, LargeSplicedResponseToASlowReaderIsByteExact) {
  const uint8_t f = add_file(kBig, "big.log");
  start();
  Client c(port_, 64 * 1024);
  ASSERT_TRUE(c.connected());
  Script s;
  s.file = f;
  s.regions = {{0, 3 << 20}, {(3 << 20) + 17, 40}, {(3 << 20) + 100, kBig - (3 << 20) - 100}};
  ASSERT_TRUE(c.send(script_request(1, s)));
  // Do not read until the server found its socket full at least once (EAGAIN, async_wait).
  ASSERT_TRUE(eventually([&] { return metrics_.zero_copy_waits.load() > 0; }, kLongWait));
  const Bytes want = expected(1, s);
  EXPECT_TRUE(read_response(c, want.size()) == want);
  EXPECT_TRUE(eventually([&] { return metrics_.responses.load() == 1; }));
  EXPECT_EQ(metrics_.zero_copy_bytes.load(), file_bytes(s));
  EXPECT_EQ(metrics_.copied_file_bytes.load(), 0u);
  EXPECT_EQ(metrics_.bytes_out.load(), want.size());
}

TEST_F(NetZeroCopyTest, AdjacentSplicesAndASpliceAtTheEndOfTheFrame) {
  const uint8_t f = add_file(1 << 20, "a.log");
  start();
  Client c(port_);
  Script s;
  s.file = f;
  s.flags = kNoMarkers | kNoTrailer;
  s.regions = {{5, 1000}, {0, 1}, {1000, 300000}, {7, 0}, {(1 << 20) - 10, 10}, {7, 0}};
  ASSERT_TRUE(c.send(script_request(9, s)));
  const Bytes want = expected(9, s);
  EXPECT_TRUE(read_response(c, want.size()) == want);
}

// Pipelined requests finishing in reverse order, mixing spliced, normal and Fetch responses
// over two files: every response arrives whole, in request order, byte for byte.
void run_pipeline(Client& c, uint8_t big, uint8_t small,
                  const std::function<Bytes(int32_t, const Script&)>& expect) {
  std::vector<Script> scripts;
  const int n = 9;
  for (int i = 0; i < n; ++i) {
    Script s;
    s.delay_ms = 20 * (n - i);  // later requests are ready first
    s.kind = static_cast<Kind>(i % 3);
    s.file = (i % 2 == 0) ? big : small;
    const uint64_t base = static_cast<uint64_t>(i) * 4099;
    s.regions = {{base, 70000 + static_cast<uint64_t>(i)}, {base + 3, 5}};
    if (s.file == big) s.regions.push_back({kBig / 2, kBig / 4 + static_cast<uint64_t>(i)});
    s.flags = static_cast<uint8_t>(i % 4);
    scripts.push_back(s);
  }
  Bytes all;
  for (int i = 0; i < n; ++i) {
    const int16_t version = scripts[i].kind == Kind::kFetch ? static_cast<int16_t>(4 + i) : 0;
    Bytes r = script_request(100 + i, scripts[i], version);
    all.insert(all.end(), r.begin(), r.end());
  }
  ASSERT_TRUE(c.send(all));
  for (int i = 0; i < n; ++i) {
    SCOPED_TRACE(i);
    const Bytes want = expect(100 + i, scripts[i]);
    const Bytes got = c.read(want.size());
    ASSERT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want);
  }
}

TEST_F(NetZeroCopyTest, PipelinedSplicedAndNormalResponsesStayInOrder) {
  const uint8_t big = add_file(kBig, "big.log");
  const uint8_t small = add_file(1 << 20, "small.log");
  start();
  Client c(port_, 128 * 1024);
  run_pipeline(c, big, small, [&](int32_t corr, const Script& s) {
    return expected(corr, s, s.kind == Kind::kFetch ? static_cast<int16_t>(4 + corr - 100) : 0);
  });
  EXPECT_GT(metrics_.zero_copy_bytes.load(), 0u);
  EXPECT_EQ(metrics_.copied_file_bytes.load(), 0u);
  EXPECT_TRUE(eventually([&] { return metrics_.responses.load() == 9; }));
}

TEST_F(NetZeroCopyTest, CopyFallbackSendsIdenticalBytes) {
  const uint8_t big = add_file(kBig, "big.log");
  const uint8_t small = add_file(1 << 20, "small.log");
  start(/*zero_copy=*/false);
  Client c(port_, 128 * 1024);
  run_pipeline(c, big, small, [&](int32_t corr, const Script& s) {
    return expected(corr, s, s.kind == Kind::kFetch ? static_cast<int16_t>(4 + corr - 100) : 0);
  });
  EXPECT_EQ(metrics_.zero_copy_bytes.load(), 0u);
  EXPECT_GT(metrics_.copied_file_bytes.load(), 0u);
}

TEST_F(NetZeroCopyTest, FileWithoutDescriptorIsCopied) {
  const uint8_t f = add_memory_file(600000);
  start();
  Client c(port_);
  Script s;
  s.file = f;
  s.regions = {{0, 300000}, {299999, 300001}};
  ASSERT_TRUE(c.send(script_request(3, s)));
  const Bytes want = expected(3, s);
  EXPECT_TRUE(read_response(c, want.size()) == want);
  EXPECT_EQ(metrics_.zero_copy_bytes.load(), 0u);
  EXPECT_TRUE(eventually([&] { return metrics_.copied_file_bytes.load() == file_bytes(s); }));
}

TEST_F(NetZeroCopyTest, FetchResponseWithExternalRecordsInEveryVersion) {
  const uint8_t f = add_file(1 << 20, "fetch.log");
  start();
  Client c(port_);
  for (int16_t v = 4; v <= protocol::FetchResponse::kMaxVersion; ++v) {
    SCOPED_TRACE(v);
    Script s;
    s.kind = Kind::kFetch;
    s.file = f;
    s.regions = {{0, 100}, {100, 0}, {4096, 200000}, {7, 1}, {300000, 5000}};
    ASSERT_TRUE(c.send(script_request(v, s, v)));
    const Bytes want = expected(v, s, v);
    const Bytes got = read_response(c, want.size());
    ASSERT_TRUE(got == want);
  }
}

// The file is cut after the handler built its slices: the response cannot be completed, so
// the connection closes after the earlier responses; later ones are never sent.
void check_truncation(uint16_t port, uint8_t file, const std::string& path,
                      const std::function<Bytes(int32_t, const Script&)>& expect) {
  ASSERT_TRUE(storage::Env::posix()->truncate_file(path, 100 * 1024).ok());
  Client c(port);
  Script ok;
  ok.file = file;
  ok.regions = {{0, 1000}};
  Script cut;
  cut.file = file;
  cut.regions = {{10, 50}, {1000, 500 * 1024}};
  Bytes all = script_request(1, ok);
  for (const Bytes& r : {script_request(2, cut), script_request(3, ok)}) {
    all.insert(all.end(), r.begin(), r.end());
  }
  ASSERT_TRUE(c.send(all));
  const Bytes first = expect(1, ok);
  EXPECT_TRUE(c.read(first.size()) == first);
  bool closed = false;
  const Bytes rest = c.read_until_closed(&closed);
  EXPECT_TRUE(closed);
  const Bytes second = expect(2, cut);  // from the file as it was: more than is left
  EXPECT_LT(rest.size(), second.size());
  EXPECT_TRUE(std::equal(rest.begin(), rest.end(), second.begin()));
}

TEST_F(NetZeroCopyTest, TruncatedFileClosesTheConnection) {
  const uint8_t f = add_file(1 << 20, "cut.log");
  start();
  check_truncation(port_, f, paths_[f],
                   [&](int32_t corr, const Script& s) { return expected(corr, s); });
  // Not the client's fault: no protocol error, and the server still serves others.
  EXPECT_EQ(metrics_.protocol_errors.load(), 0u);
  EXPECT_TRUE(eventually([&] { return server_->live_connections() == 0; }));
  Client c(port_);
  Script s;
  s.file = f;
  s.regions = {{0, 100 * 1024}};
  ASSERT_TRUE(c.send(script_request(4, s)));
  const Bytes want = expected(4, s);
  EXPECT_TRUE(read_response(c, want.size()) == want);
}

TEST_F(NetZeroCopyTest, TruncatedFileClosesTheConnectionWithCopying) {
  const uint8_t f = add_file(1 << 20, "cut.log");
  start(/*zero_copy=*/false);
  check_truncation(port_, f, paths_[f],
                   [&](int32_t corr, const Script& s) { return expected(corr, s); });
}

TEST_F(NetZeroCopyTest, ClientGoneMidResponseOnlyClosesItsConnection) {
  const uint8_t f = add_file(kBig, "big.log");
  start();
  {
    Client c(port_, 64 * 1024);
    Script s;
    s.file = f;
    s.regions = {{0, kBig}};
    ASSERT_TRUE(c.send(script_request(1, s)));
    ASSERT_TRUE(eventually([&] { return metrics_.zero_copy_waits.load() > 0; }, kLongWait));
    // Closing with unread data resets the connection: sendfile then fails (EPIPE/ECONNRESET),
    // which must neither raise SIGPIPE in the process nor disturb others.
  }
  EXPECT_TRUE(eventually([&] { return server_->live_connections() == 0; }, kLongWait));
  Client c(port_);
  Script s;
  s.file = f;
  s.regions = {{12345, 100000}};
  ASSERT_TRUE(c.send(script_request(2, s)));
  const Bytes want = expected(2, s);
  EXPECT_TRUE(read_response(c, want.size()) == want);
}

TEST_F(NetZeroCopyTest, GracefulStopFlushesASplicedResponseInProgress) {
  const uint8_t f = add_file(kBig, "big.log");
  start();
  Client c(port_, 64 * 1024);
  Script s;
  s.file = f;
  s.regions = {{0, kBig}};
  ASSERT_TRUE(c.send(script_request(1, s)));
  ASSERT_TRUE(eventually([&] { return metrics_.zero_copy_waits.load() > 0; }, kLongWait));
  std::thread stopper([&] { server_->stop(std::chrono::seconds(30)); });
  const Bytes want = expected(1, s);
  EXPECT_TRUE(read_response(c, want.size()) == want);
  bool closed = false;
  EXPECT_TRUE(c.read_until_closed(&closed).empty());
  EXPECT_TRUE(closed);
  stopper.join();
}

TEST(HandlerResultSpliced, ChecksSplicesAndPairsSlicesWithExternalRecords) {
  auto file = std::make_shared<MemoryFile>(Bytes(100, 1));
  const Bytes frame(10, 0);
  EXPECT_EQ(HandlerResult::respond_spliced(frame, {{4, {file, 0, 5}}, {10, {file, 5, 5}}}).kind,
            HandlerResult::Kind::kRespond);
  EXPECT_EQ(HandlerResult::respond_spliced(frame, {{4, {file, 0, 5}}, {3, {file, 5, 5}}}).kind,
            HandlerResult::Kind::kClose);  // out of order
  EXPECT_EQ(HandlerResult::respond_spliced(frame, {{11, {file, 0, 5}}}).kind,
            HandlerResult::Kind::kClose);  // past the frame
  EXPECT_EQ(HandlerResult::respond_spliced(frame, {{1, {nullptr, 0, 5}}}).kind,
            HandlerResult::Kind::kClose);  // no file

  protocol::SplicedFrame spliced{frame, {{2, 5}, {6, 7}}};
  HandlerResult r = HandlerResult::respond_spliced(
      spliced, {FileSlice{file, 0, 5}, FileSlice{}, FileSlice{file, 50, 7}});
  ASSERT_EQ(r.kind, HandlerResult::Kind::kRespond);  // the empty slice is skipped
  ASSERT_EQ(r.splices.size(), 2u);
  EXPECT_EQ(r.splices[0].frame_offset, 2u);
  EXPECT_EQ(r.splices[1].frame_offset, 6u);
  EXPECT_EQ(r.splices[1].slice.position, 50u);
  EXPECT_EQ(r.frame, frame);
  EXPECT_EQ(HandlerResult::respond_spliced(spliced, {FileSlice{file, 0, 5}}).kind,
            HandlerResult::Kind::kClose);  // too few
  EXPECT_EQ(
      HandlerResult::respond_spliced(spliced, {FileSlice{file, 0, 5}, FileSlice{file, 0, 8}}).kind,
      HandlerResult::Kind::kClose);  // size mismatch
  EXPECT_EQ(HandlerResult::respond_spliced(
                spliced, {FileSlice{file, 0, 5}, FileSlice{file, 0, 7}, FileSlice{file, 0, 1}})
                .kind,
            HandlerResult::Kind::kClose);  // too many
}

}  // namespace
}  // namespace keel::broker::net
