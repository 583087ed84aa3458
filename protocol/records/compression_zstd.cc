// zstd via streaming decompression: producers may omit the frame content size.
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <utility>

#include "protocol/records/compression_internal.h"

namespace keel::protocol::compression_internal {
namespace {

constexpr int kLevel = 3;  // zstd's default, what librdkafka and the Java client use

// Caps the window a frame may demand (its buffer is allocated up front when the content size is
// absent). 2^23 covers every standard level; larger limits allow proportionally more.
constexpr int kMinWindowLog = 23;
constexpr int kMaxWindowLog = 27;  // zstd's own default limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT)

struct DctxGuard {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  ~DctxGuard() { ZSTD_freeDCtx(ctx); }
};

int window_log_max(size_t max_output) {
  const int needed = static_cast<int>(std::bit_width(max_output));
  return std::clamp(needed, kMinWindowLog, kMaxWindowLog);
}

}  // namespace

absl::StatusOr<Bytes> zstd_compress(std::span<const uint8_t> input) {
  Bytes out(ZSTD_compressBound(input.size()));
  const size_t written = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), kLevel);
  if (ZSTD_isError(written)) return absl::InternalError(ZSTD_getErrorName(written));
  out.resize(written);
  return out;
}

absl::StatusOr<Bytes> zstd_decompress(std::span<const uint8_t> input, size_t max_output) {
  DctxGuard guard;
  if (guard.ctx == nullptr) return absl::InternalError("ZSTD_createDCtx failed");
  const size_t set =
      ZSTD_DCtx_setParameter(guard.ctx, ZSTD_d_windowLogMax, window_log_max(max_output));
  if (ZSTD_isError(set)) return absl::InternalError(ZSTD_getErrorName(set));

  // A declared content size sizes the buffer exactly and rejects a bomb before any work.
  size_t hint = input.size() * 4;
  const unsigned long long declared = ZSTD_getFrameContentSize(input.data(), input.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return corrupt("zstd", "bad frame header");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
    if (declared > max_output) return too_large("zstd", max_output);
    hint = static_cast<size_t>(declared);
  }

  ZSTD_inBuffer in{input.data(), input.size(), 0};
  BoundedOutput out(max_output, hint);
  while (true) {
    std::span<uint8_t> space = out.space();
    if (space.empty()) return too_large("zstd", max_output);
    ZSTD_outBuffer ob{space.data(), space.size(), 0};
    const size_t ret = ZSTD_decompressStream(guard.ctx, &ob, &in);
    if (ZSTD_isError(ret)) return corrupt("zstd", ZSTD_getErrorName(ret));
    out.commit(ob.pos);
    if (ret == 0) {  // a frame ended; further frames may follow
      if (in.pos == in.size) break;
      continue;
    }
    // More input needed but none left, and nothing held back for lack of output space.
    if (in.pos == in.size && ob.pos < ob.size) return corrupt("zstd", "truncated frame");
  }
  if (out.over_limit()) return too_large("zstd", max_output);
  return std::move(out).finish();
}

}  // namespace keel::protocol::compression_internal
