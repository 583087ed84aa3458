// snappy: raw blocks, plus the xerial framing that Java-lineage clients write.
#include <snappy.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/records/byte_order.h"
#include "protocol/records/compression_internal.h"

namespace keel::protocol::compression_internal {
namespace {

constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
constexpr size_t kXerialHeaderSize = 16;  // magic, int32 version, int32 compatible version

const char* as_chars(const uint8_t* p) { return reinterpret_cast<const char*>(p); }

bool is_xerial(std::span<const uint8_t> input) {
  return input.size() >= sizeof(kXerialMagic) &&
         std::memcmp(input.data(), kXerialMagic, sizeof(kXerialMagic)) == 0;
}

// Appends the decoded `block` to `out`, keeping the total within `max_output`.
absl::Status append_block(std::span<const uint8_t> block, size_t max_output, Bytes& out) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(as_chars(block.data()), block.size(), &length)) {
    return corrupt("snappy", "bad block length");
  }
  if (length > max_output - out.size()) return too_large("snappy", max_output);
  if (length == 0) {
    if (!snappy::IsValidCompressedBuffer(as_chars(block.data()), block.size())) {
      return corrupt("snappy", "invalid block");
    }
    return absl::OkStatus();
  }
  const size_t at = out.size();
  out.resize(at + length);
  if (!snappy::RawUncompress(as_chars(block.data()), block.size(),
                             reinterpret_cast<char*>(out.data() + at))) {
    return corrupt("snappy", "invalid block");
  }
  return absl::OkStatus();
}

absl::StatusOr<Bytes> xerial_decompress(std::span<const uint8_t> input, size_t max_output) {
  if (input.size() < kXerialHeaderSize) return corrupt("snappy", "truncated xerial header");
  Bytes out;
  size_t pos = kXerialHeaderSize;
  while (pos < input.size()) {
    if (input.size() - pos < 4) return corrupt("snappy", "truncated xerial chunk length");
    const auto length = static_cast<int32_t>(records_internal::load_be32(input, pos));
    pos += 4;
    if (length <= 0 || static_cast<size_t>(length) > input.size() - pos) {
      return corrupt("snappy", absl::StrCat("bad xerial chunk length ", length));
    }
    absl::Status s = append_block(input.subspan(pos, static_cast<size_t>(length)), max_output, out);
    if (!s.ok()) return s;
    pos += static_cast<size_t>(length);
  }
  return out;
}

}  // namespace

absl::StatusOr<Bytes> snappy_compress(std::span<const uint8_t> input) {
  Bytes out(snappy::MaxCompressedLength(input.size()));
  size_t written = 0;
  snappy::RawCompress(as_chars(input.data()), input.size(), reinterpret_cast<char*>(out.data()),
                      &written);
  out.resize(written);
  return out;
}

absl::StatusOr<Bytes> snappy_decompress(std::span<const uint8_t> input, size_t max_output) {
  if (is_xerial(input)) return xerial_decompress(input, max_output);
  Bytes out;
  absl::Status s = append_block(input, max_output, out);
  if (!s.ok()) return s;
  return out;
}

}  // namespace keel::protocol::compression_internal
