// LZ4 frame format via liblz4's LZ4F_* API.
#include <lz4frame.h>

#include <utility>

#include "protocol/records/compression_internal.h"

namespace keel::protocol::compression_internal {
namespace {

struct DctxGuard {
  LZ4F_dctx* ctx = nullptr;
  ~DctxGuard() {
    if (ctx != nullptr) LZ4F_freeDecompressionContext(ctx);
  }
};

}  // namespace

absl::StatusOr<Bytes> lz4_compress(std::span<const uint8_t> input) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;  // Java's KafkaLZ4BlockInputStream needs it
  prefs.frameInfo.contentSize = input.size();
  Bytes out(LZ4F_compressFrameBound(input.size(), &prefs));
  const size_t written =
      LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(written)) return absl::InternalError(LZ4F_getErrorName(written));
  out.resize(written);
  return out;
}

absl::StatusOr<Bytes> lz4_decompress(std::span<const uint8_t> input, size_t max_output) {
  if (input.empty()) return corrupt("lz4", "empty input");
  DctxGuard guard;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&guard.ctx, LZ4F_VERSION))) {
    return absl::InternalError("LZ4F_createDecompressionContext failed");
  }
  const uint8_t* in = input.data();
  size_t in_left = input.size();
  BoundedOutput out(max_output, input.size() * 4);
  while (true) {
    std::span<uint8_t> space = out.space();
    if (space.empty()) return too_large("lz4", max_output);
    size_t produced = space.size();
    size_t consumed = in_left;
    const size_t ret = LZ4F_decompress(guard.ctx, space.data(), &produced, in, &consumed, nullptr);
    if (LZ4F_isError(ret)) return corrupt("lz4", LZ4F_getErrorName(ret));
    out.commit(produced);
    in += consumed;
    in_left -= consumed;
    if (ret == 0) {  // a frame ended; another may follow, the context is ready for it
      if (in_left == 0) break;
      continue;
    }
    if (in_left == 0 && produced < space.size()) return corrupt("lz4", "truncated frame");
    if (consumed == 0 && produced == 0) return corrupt("lz4", "decoder made no progress");
  }
  if (out.over_limit()) return too_large("lz4", max_output);
  return std::move(out).finish();
}

}  // namespace keel::protocol::compression_internal
