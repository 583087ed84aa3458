#include "protocol/records/record_reader.h"

#include <algorithm>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"
#include "protocol/records/record_batch.h"
#include "protocol/status.h"

namespace keel::protocol {
namespace {

// A cursor over record bytes kept in locals, so the compiler holds it in registers: going
// through a Reader's members made every varint a store/load round trip (the record walk is
// on the produce path, once per record).
struct Cursor {
  const uint8_t* p;
  const uint8_t* end;

  size_t left() const { return static_cast<size_t>(end - p); }

  // Zigzag varint (int32_t: at most 5 bytes) or varlong (int64_t: at most 10); false when
  // truncated or too long for the type.
  template <typename Signed>
  bool zigzag(Signed& out) {
    using Unsigned = std::make_unsigned_t<Signed>;
    constexpr int kBits = 8 * sizeof(Unsigned);
    constexpr int kLastShift = kBits / 7 * 7;  // 28 or 63: the byte that may overflow
    constexpr uint8_t kOverflowBits = 0x7f & ~((1u << (kBits - kLastShift)) - 1);
    auto decode = [](Unsigned v) { return static_cast<Signed>((v >> 1) ^ (~(v & 1) + 1)); };
    if (p != end && *p < 0x80) {  // the common single byte
      out = decode(*p++);
      return true;
    }
    if (left() >= 2 && p[1] < 0x80) {  // two bytes: lengths of 64..8191
      out = decode(static_cast<Unsigned>((p[0] & 0x7fu) | static_cast<Unsigned>(p[1]) << 7));
      p += 2;
      return true;
    }
    Unsigned value = 0;
    for (int shift = 0; shift <= kLastShift; shift += 7) {
      if (p == end) return false;
      const uint8_t b = *p++;
      if (shift == kLastShift && (b & kOverflowBits) != 0) return false;
      value |= static_cast<Unsigned>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        out = decode(value);
        return true;
      }
    }
    return false;
  }
  bool varint(int32_t& out) { return zigzag(out); }
  bool varlong(int64_t& out) { return zigzag(out); }

  bool span(size_t n, ByteView& out) {
    if (n > left()) return false;
    out = ByteView(p, n);
    p += n;
    return true;
  }

  // A varint length (-1 for null) followed by that many bytes.
  bool nullable_bytes(std::optional<ByteView>& out) {
    int32_t length;
    if (!varint(length) || length < -1) return false;
    if (length == -1) {
      out.reset();
      return true;
    }
    ByteView bytes;
    if (!span(static_cast<size_t>(length), bytes)) return false;
    out = bytes;
    return true;
  }
};

}  // namespace

bool HeaderReader::next(RecordHeaderView& out) {
  if (index_ >= count_) return false;
  Cursor c{bytes_.data() + pos_, bytes_.data() + bytes_.size()};
  int32_t key_length;
  ByteView key;
  // Parsed straight into `out`: copying a local optional<span> stalled on store forwarding.
  if (!c.varint(key_length) || key_length < 0 || !c.span(static_cast<size_t>(key_length), key) ||
      !c.nullable_bytes(out.value)) {
    index_ = count_;  // cannot happen for a record RecordReader accepted
    return false;
  }
  out.key = std::string_view(reinterpret_cast<const char*>(key.data()), key.size());
  pos_ = static_cast<size_t>(c.p - bytes_.data());
  ++index_;
  return true;
}

RecordReader::RecordReader(ByteView records, int32_t record_count)
    : records_(records), remaining_(std::max(record_count, 0)), check_leftover_(record_count > 0) {}

absl::StatusOr<RecordReader> RecordReader::for_batch(ByteView batch) {
  KEEL_ASSIGN_OR_RETURN(RecordBatchHeader header, parse_batch_header(batch));
  if (header.is_compressed()) {
    return kafka_error(ErrorCode::kUnsupportedCompressionType,
                       "RecordReader::for_batch needs an uncompressed batch");
  }
  return RecordReader(batch.subspan(batch_layout::kRecords), header.record_count);
}

bool RecordReader::fail(const std::string& reason) {
  status_ = kafka_error(ErrorCode::kInvalidRecord, absl::StrCat("record ", index_, ": ", reason));
  done_ = true;
  return false;
}

bool RecordReader::next(RecordView& out) {
  if (done_) return false;
  if (remaining_ == 0) {
    done_ = true;
    if (check_leftover_ && pos_ != records_.size()) {
      return fail(
          absl::StrCat(records_.size() - pos_, " bytes remain after the declared record count"));
    }
    return false;
  }

  const uint8_t* const start = records_.data() + pos_;
  Cursor r{start, records_.data() + records_.size()};
  int32_t length;
  if (!r.varint(length)) return fail("premature end of records before the declared count");
  if (length < 0) return fail(absl::StrCat("negative record length ", length));
  if (static_cast<size_t>(length) > r.left()) {
    return fail(absl::StrCat("record length ", length, " exceeds the ", r.left(), " bytes left"));
  }

  Cursor b{r.p, r.p + length};
  if (b.left() < 1) return fail("record truncated in its fixed fields");
  out.attributes = static_cast<int8_t>(*b.p++);
  if (!b.varlong(out.timestamp_delta) || !b.varint(out.offset_delta)) {
    return fail("record truncated in its fixed fields");
  }
  if (!b.nullable_bytes(out.key)) return fail("invalid key length");
  if (!b.nullable_bytes(out.value)) return fail("invalid value length");

  int32_t header_count;
  if (!b.varint(header_count) || header_count < 0) return fail("invalid number of record headers");
  // Each header takes at least two bytes (key length, value length).
  if (static_cast<size_t>(header_count) > b.left() / 2) {
    return fail(absl::StrCat(header_count, " headers cannot fit in the record"));
  }
  const uint8_t* const headers_start = b.p;
  for (int32_t i = 0; i < header_count; ++i) {
    int32_t key_length;
    if (!b.varint(key_length) || key_length < 0) return fail("invalid header key length");
    ByteView key;
    std::optional<ByteView> value;
    if (!b.span(static_cast<size_t>(key_length), key) || !b.nullable_bytes(value)) {
      return fail("invalid header");
    }
  }
  if (b.left() != 0) {
    return fail(absl::StrCat("invalid record size: expected to read ", length,
                             " bytes in record payload, but instead read ",
                             length - static_cast<int32_t>(b.left())));
  }

  out.header_count = static_cast<uint32_t>(header_count);
  out.header_bytes = ByteView(headers_start, b.end);
  out.encoded = ByteView(start, b.end);
  pos_ = static_cast<size_t>(b.end - records_.data());
  --remaining_;
  ++index_;
  return true;
}

}  // namespace keel::protocol
