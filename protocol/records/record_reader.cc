#include "protocol/records/record_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"
#include "protocol/records/record_batch.h"
#include "protocol/status.h"
#include "protocol/wire/reader.h"

namespace keel::protocol {
namespace {

// A varint length (-1 for null) followed by that many bytes.
bool read_nullable_bytes(Reader& r, std::optional<ByteView>& out) {
  const int32_t length = r.read_varint();
  if (!r.ok() || length < -1) return false;
  if (length == -1) {
    out.reset();
    return true;
  }
  ByteView bytes = r.read_span(static_cast<size_t>(length));
  if (!r.ok()) return false;
  out = bytes;
  return true;
}

}  // namespace

bool HeaderReader::next(RecordHeaderView& out) {
  if (index_ >= count_) return false;
  Reader r(bytes_.subspan(pos_));
  const int32_t key_length = r.read_varint();
  ByteView key;
  if (r.ok() && key_length >= 0) key = r.read_span(static_cast<size_t>(key_length));
  std::optional<ByteView> value;
  if (!r.ok() || key_length < 0 || !read_nullable_bytes(r, value)) {
    index_ = count_;  // cannot happen for a record RecordReader accepted
    return false;
  }
  out.key = std::string_view(reinterpret_cast<const char*>(key.data()), key.size());
  out.value = value;
  pos_ += r.position();
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

  Reader r(records_.subspan(pos_));
  const int32_t length = r.read_varint();
  if (!r.ok()) return fail("premature end of records before the declared count");
  if (length < 0) return fail(absl::StrCat("negative record length ", length));
  ByteView body = r.read_span(static_cast<size_t>(length));
  if (!r.ok()) {
    return fail(
        absl::StrCat("record length ", length, " exceeds the ", r.remaining(), " bytes left"));
  }

  Reader b(body);
  out.attributes = b.read_int8();
  out.timestamp_delta = b.read_varlong();
  out.offset_delta = b.read_varint();
  if (!b.ok()) return fail("record truncated in its fixed fields");
  if (!read_nullable_bytes(b, out.key)) return fail("invalid key length");
  if (!read_nullable_bytes(b, out.value)) return fail("invalid value length");

  const int32_t header_count = b.read_varint();
  if (!b.ok() || header_count < 0) return fail("invalid number of record headers");
  // Each header takes at least two bytes (key length, value length).
  if (static_cast<size_t>(header_count) > b.remaining() / 2) {
    return fail(absl::StrCat(header_count, " headers cannot fit in the record"));
  }
  const size_t headers_start = b.position();
  for (int32_t i = 0; i < header_count; ++i) {
    const int32_t key_length = b.read_varint();
    if (!b.ok() || key_length < 0) return fail("invalid header key length");
    b.skip(static_cast<size_t>(key_length));
    std::optional<ByteView> value;
    if (!b.ok() || !read_nullable_bytes(b, value)) return fail("invalid header");
  }
  if (b.remaining() != 0) {
    return fail(absl::StrCat("invalid record size: expected to read ", length,
                             " bytes in record payload, but instead read ", b.position()));
  }

  out.header_count = static_cast<uint32_t>(header_count);
  out.header_bytes = body.subspan(headers_start);
  out.encoded = records_.subspan(pos_, r.position());
  pos_ += r.position();
  --remaining_;
  ++index_;
  return true;
}

}  // namespace keel::protocol
