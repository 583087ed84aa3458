#include "storage/compaction/batch_filter.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "protocol/records/batch_records.h"
#include "protocol/records/compression.h"
#include "protocol/status.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/varint.h"
#include "protocol/wire/writer.h"

namespace keel::storage::compaction {
namespace {

using protocol::Bytes;
using protocol::RecordBatchHeader;
namespace attr = protocol::batch_attr;
namespace layout = protocol::batch_layout;

int64_t wrapping_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrapping_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

int64_t saturating_add(int64_t a, int64_t b) {
  if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
    return std::numeric_limits<int64_t>::max();
  }
  return a + b;
}

struct KeptRecord {
  std::span<const uint8_t> encoded;  // the whole record, length prefix included
  int64_t timestamp = 0;             // absolute
};

// Appends `r` to `out` with its timestamp delta re-based on `base_timestamp`; every other
// field (attributes, offset delta, key, value, headers) is copied unchanged.
absl::Status append_rebased(const KeptRecord& r, int64_t base_timestamp, Bytes& out) {
  protocol::Reader in(r.encoded);
  (void)in.read_varint();  // length
  const int8_t attributes = in.read_int8();
  (void)in.read_varlong();  // old timestamp delta
  const int32_t offset_delta = in.read_varint();
  KEEL_RETURN_IF_ERROR(in.status());
  const std::span<const uint8_t> rest = r.encoded.subspan(in.position());
  const int64_t delta = wrapping_sub(r.timestamp, base_timestamp);
  const size_t body =
      1 + protocol::varlong_size(delta) + protocol::varint_size(offset_delta) + rest.size();
  protocol::Writer w(out);
  w.write_varint(static_cast<int32_t>(body));
  w.write_int8(attributes);
  w.write_varlong(delta);
  w.write_varint(offset_delta);
  w.write_raw(rest);
  return absl::OkStatus();
}

// The batch for header fields `h` (offsets, epoch, producer, timestamps, count, attributes
// as given) around an already compressed records area.
Bytes encode_batch(const RecordBatchHeader& h, std::span<const uint8_t> area) {
  Bytes out;
  out.reserve(layout::kHeaderSize + area.size());
  protocol::Writer w(out);
  w.write_int64(h.base_offset);
  w.write_int32(static_cast<int32_t>(layout::kHeaderSize - layout::kLogOverhead + area.size()));
  w.write_int32(h.partition_leader_epoch);
  w.write_int8(protocol::kRecordBatchMagic);
  w.write_uint32(0);  // CRC, below
  w.write_int16(h.attributes);
  w.write_int32(h.last_offset_delta);
  w.write_int64(h.base_timestamp);
  w.write_int64(h.max_timestamp);
  w.write_int64(h.producer_id);
  w.write_int16(h.producer_epoch);
  w.write_int32(h.base_sequence);
  w.write_int32(h.record_count);
  w.write_raw(area);
  w.patch_int32(layout::kCrc, static_cast<int32_t>(protocol::compute_batch_crc(out)));
  return out;
}

FilteredBatch unchanged(int64_t horizon = -1) {
  FilteredBatch f;
  f.kind = FilteredBatch::Kind::kUnchanged;
  f.delete_horizon = horizon;
  return f;
}

}  // namespace

void FilterStats::add(const FilterStats& o) {
  records_read += o.records_read;
  records_kept += o.records_kept;
  shadowed_removed += o.shadowed_removed;
  tombstones_removed += o.tombstones_removed;
  keyless_removed += o.keyless_removed;
  aborted_removed += o.aborted_removed;
  batches_rewritten += o.batches_rewritten;
  batches_dropped += o.batches_dropped;
}

Bytes empty_batch_like(const RecordBatchHeader& h) {
  RecordBatchHeader e = h;
  e.attributes = static_cast<int16_t>(h.attributes & (attr::kLogAppendTime | attr::kTransactional));
  e.base_timestamp = h.max_timestamp;
  e.record_count = 0;
  return encode_batch(e, {});
}

absl::StatusOr<FilteredBatch> filter_batch(std::span<const uint8_t> batch,
                                           const RecordBatchHeader& h, const CleanPolicy& policy,
                                           FilterStats* stats) {
  if (h.is_control()) return unchanged();
  const bool last_of_producer = policy.producers->is_last_batch(h);
  const TxnOutcome txn = policy.producers->outcome(h);
  if (txn == TxnOutcome::kOpen) {
    stats->records_read += h.record_count;
    stats->records_kept += h.record_count;
    return unchanged();
  }
  FilteredBatch dropped;
  dropped.kind = FilteredBatch::Kind::kDropped;
  if (h.record_count == 0) {  // an earlier pass's placeholder
    if (last_of_producer) return unchanged();
    ++stats->batches_dropped;
    return dropped;
  }

  KEEL_ASSIGN_OR_RETURN(auto records, protocol::BatchRecords::open(batch, policy.max_decompressed));
  protocol::RecordReader reader = records.reader();
  protocol::RecordView record;
  const bool had_horizon = h.has_delete_horizon();
  const bool horizon_passed = had_horizon && h.base_timestamp <= policy.now_ms;
  std::vector<KeptRecord> kept;
  kept.reserve(static_cast<size_t>(h.record_count));
  bool tombstones = false;
  while (reader.next(record)) {
    ++stats->records_read;
    const int64_t offset = h.base_offset + record.offset_delta;
    if (txn == TxnOutcome::kAborted) {
      ++stats->aborted_removed;
      continue;
    }
    if (!record.key.has_value()) {
      ++stats->keyless_removed;
      continue;
    }
    if (policy.map->get((*policy.hasher)(*record.key)) > offset) {
      ++stats->shadowed_removed;
      continue;
    }
    if (!record.value.has_value()) {
      if (horizon_passed) {
        ++stats->tombstones_removed;
        continue;
      }
      tombstones = true;
    }
    kept.push_back({record.encoded, wrapping_add(h.base_timestamp, record.timestamp_delta)});
  }
  KEEL_RETURN_IF_ERROR(reader.status());
  stats->records_kept += static_cast<int64_t>(kept.size());

  const bool all_kept = static_cast<int32_t>(kept.size()) == h.record_count;
  // Untouched unless records go or the horizon bit must change (set for new tombstones,
  // cleared when none remain, so the bit keeps meaning "tombstones to expire").
  if (all_kept && tombstones == had_horizon) {
    return unchanged(tombstones ? h.base_timestamp : -1);
  }
  FilteredBatch out;
  out.kind = FilteredBatch::Kind::kRewritten;
  if (kept.empty()) {
    if (!last_of_producer) {
      ++stats->batches_dropped;
      return dropped;
    }
    out.bytes = empty_batch_like(h);
    ++stats->batches_rewritten;
    return out;
  }

  // The new baseTimestamp: the horizon while tombstones remain (kept, or set now), else the
  // original one (or the first record's time when a horizon no longer applies).
  RecordBatchHeader nh = h;
  nh.attributes = static_cast<int16_t>(h.attributes & ~attr::kDeleteHorizon);
  if (tombstones) {
    nh.attributes = static_cast<int16_t>(nh.attributes | attr::kDeleteHorizon);
    nh.base_timestamp =
        had_horizon ? h.base_timestamp : saturating_add(policy.now_ms, policy.delete_retention_ms);
    out.delete_horizon = nh.base_timestamp;
  } else if (had_horizon) {
    nh.base_timestamp = kept.front().timestamp;
  }
  if (!h.is_log_append_time()) {
    nh.max_timestamp = kept.front().timestamp;
    for (const KeptRecord& r : kept) nh.max_timestamp = std::max(nh.max_timestamp, r.timestamp);
  }
  nh.record_count = static_cast<int32_t>(kept.size());

  Bytes area;
  for (const KeptRecord& r : kept) {
    if (nh.base_timestamp == h.base_timestamp) {
      area.insert(area.end(), r.encoded.begin(), r.encoded.end());
    } else {
      KEEL_RETURN_IF_ERROR(append_rebased(r, nh.base_timestamp, area));
    }
  }
  if (h.is_compressed()) {
    KEEL_ASSIGN_OR_RETURN(area, protocol::compress(h.compression(), area));
  }
  out.bytes = encode_batch(nh, area);
  ++stats->batches_rewritten;
  return out;
}

}  // namespace keel::storage::compaction
