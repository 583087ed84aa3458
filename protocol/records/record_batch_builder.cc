#include "protocol/records/record_batch_builder.h"

#include <algorithm>
#include <limits>

#include "protocol/error_code.h"
#include "protocol/records/compression.h"
#include "protocol/status.h"
#include "protocol/wire/varint.h"
#include "protocol/wire/writer.h"

namespace keel::protocol {
namespace {

constexpr size_t kMaxInt32 = static_cast<size_t>(std::numeric_limits<int32_t>::max());

size_t nullable_size(const std::optional<ByteView>& bytes) {
  if (!bytes) return varint_size(-1);
  return varint_size(static_cast<int32_t>(bytes->size())) + bytes->size();
}

void write_nullable(Writer& w, const std::optional<ByteView>& bytes) {
  if (!bytes) {
    w.write_varint(-1);
    return;
  }
  w.write_varint(static_cast<int32_t>(bytes->size()));
  w.write_raw(*bytes);
}

bool fits_int32(const std::optional<ByteView>& bytes) {
  return !bytes || bytes->size() <= kMaxInt32;
}

}  // namespace

void RecordBatchBuilder::append(const RecordInput& record) {
  if (!error_.ok()) return;
  if (count_ == std::numeric_limits<int32_t>::max()) {
    error_ = absl::OutOfRangeError("too many records for one batch");
    return;
  }
  bool fits =
      fits_int32(record.key) && fits_int32(record.value) && record.headers.size() <= kMaxInt32;
  for (const HeaderInput& h : record.headers) {
    fits = fits && h.key.size() <= kMaxInt32 && fits_int32(h.value);
  }
  if (!fits) {
    error_ = absl::OutOfRangeError("record field longer than int32");
    return;
  }

  if (count_ == 0) base_timestamp_ = record.timestamp;
  max_timestamp_ = count_ == 0 ? record.timestamp : std::max(max_timestamp_, record.timestamp);
  // Wrapping subtraction: hostile timestamps must not overflow; readers add back the same way.
  const auto timestamp_delta = static_cast<int64_t>(static_cast<uint64_t>(record.timestamp) -
                                                    static_cast<uint64_t>(base_timestamp_));
  const int32_t offset_delta = count_;

  size_t body = 1 + varlong_size(timestamp_delta) + varint_size(offset_delta) +
                nullable_size(record.key) + nullable_size(record.value) +
                varint_size(static_cast<int32_t>(record.headers.size()));
  for (const HeaderInput& h : record.headers) {
    body += varint_size(static_cast<int32_t>(h.key.size())) + h.key.size() + nullable_size(h.value);
  }
  if (body > kMaxInt32) {
    error_ = absl::OutOfRangeError("record longer than int32");
    return;
  }

  Writer w(records_);
  w.write_varint(static_cast<int32_t>(body));
  w.write_int8(0);  // record attributes: unused
  w.write_varlong(timestamp_delta);
  w.write_varint(offset_delta);
  write_nullable(w, record.key);
  write_nullable(w, record.value);
  w.write_varint(static_cast<int32_t>(record.headers.size()));
  for (const HeaderInput& h : record.headers) {
    w.write_varint(static_cast<int32_t>(h.key.size()));
    w.write_raw(h.key.data(), h.key.size());
    write_nullable(w, h.value);
  }
  ++count_;
}

absl::StatusOr<Bytes> RecordBatchBuilder::build() const {
  if (!error_.ok()) return error_;
  KEEL_ASSIGN_OR_RETURN(Bytes area, compress(options_.compression, records_));
  if (area.size() > kMaxInt32 - batch_layout::kHeaderSize) {
    return absl::OutOfRangeError("record batch longer than int32");
  }

  int16_t attributes = static_cast<int16_t>(options_.compression);
  if (options_.transactional) attributes |= batch_attr::kTransactional;
  if (options_.control) attributes |= batch_attr::kControl;

  Bytes out;
  out.reserve(batch_layout::kHeaderSize + area.size());
  Writer w(out);
  w.write_int64(options_.base_offset);
  w.write_int32(
      static_cast<int32_t>(batch_layout::kHeaderSize - batch_layout::kLogOverhead + area.size()));
  w.write_int32(options_.partition_leader_epoch);
  w.write_int8(kRecordBatchMagic);
  w.write_uint32(0);  // CRC, filled below
  w.write_int16(attributes);
  w.write_int32(count_ - 1);  // lastOffsetDelta
  w.write_int64(base_timestamp_);
  w.write_int64(max_timestamp_);
  w.write_int64(options_.producer_id);
  w.write_int16(options_.producer_epoch);
  w.write_int32(options_.base_sequence);
  w.write_int32(count_);
  w.write_raw(area);
  w.patch_int32(batch_layout::kCrc, static_cast<int32_t>(compute_batch_crc(out)));
  return out;
}

}  // namespace keel::protocol
