// gzip via zlib: deflate/inflate with the gzip wrapper (windowBits 15 + 16).
#include <zlib.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "protocol/records/compression_internal.h"

namespace keel::protocol::compression_internal {
namespace {

constexpr int kGzipWindowBits = 15 + 16;
constexpr size_t kMaxZlibChunk = std::numeric_limits<uInt>::max();

struct InflateGuard {
  z_stream* stream;
  ~InflateGuard() { inflateEnd(stream); }
};
struct DeflateGuard {
  z_stream* stream;
  ~DeflateGuard() { deflateEnd(stream); }
};

bool starts_gzip_member(const uint8_t* p, size_t n) {
  return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

}  // namespace

absl::StatusOr<Bytes> gzip_compress(std::span<const uint8_t> input) {
  if (input.size() > kMaxZlibChunk) return corrupt("gzip", "input too large to compress");
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("deflateInit2 failed");
  }
  DeflateGuard guard{&zs};
  Bytes out(deflateBound(&zs, static_cast<uLong>(input.size())));
  zs.next_in = const_cast<Bytef*>(input.data());  // zlib's API is not const-correct
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(std::min(out.size(), kMaxZlibChunk));
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) return absl::InternalError("deflate did not finish");
  out.resize(zs.total_out);
  return out;
}

absl::StatusOr<Bytes> gzip_decompress(std::span<const uint8_t> input, size_t max_output) {
  if (input.size() > kMaxZlibChunk) return corrupt("gzip", "input too large");
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) return absl::InternalError("inflateInit2 failed");
  InflateGuard guard{&zs};
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = static_cast<uInt>(input.size());

  BoundedOutput out(max_output, input.size() * 4);
  while (true) {
    std::span<uint8_t> space = out.space();
    if (space.empty()) return too_large("gzip", max_output);
    zs.next_out = space.data();
    zs.avail_out = static_cast<uInt>(std::min(space.size(), kMaxZlibChunk));
    const uInt before = zs.avail_out;
    const int ret = inflate(&zs, Z_NO_FLUSH);
    out.commit(before - zs.avail_out);
    if (ret == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Java's GZIPInputStream reads concatenated members; anything else after one is junk.
      if (!starts_gzip_member(zs.next_in, zs.avail_in)) {
        return corrupt("gzip", "trailing bytes after the gzip stream");
      }
      if (inflateReset(&zs) != Z_OK) return absl::InternalError("inflateReset failed");
      continue;
    }
    if (ret == Z_BUF_ERROR && zs.avail_in == 0) return corrupt("gzip", "truncated stream");
    if (ret != Z_OK) return corrupt("gzip", zs.msg != nullptr ? zs.msg : "inflate failed");
  }
  if (out.over_limit()) return too_large("gzip", max_output);
  return std::move(out).finish();
}

}  // namespace keel::protocol::compression_internal
