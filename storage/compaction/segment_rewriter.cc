#include "storage/compaction/segment_rewriter.h"

#include <limits>

#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/batch_scanner.h"

namespace keel::storage::compaction {
namespace {

// Output is handed to the segment in chunks of about this size (one vectored write each).
constexpr size_t kWriteChunk = 1 << 20;

absl::Status corrupt(const SegmentInfo& seg, const std::string& problem) {
  return protocol::kafka_error(protocol::ErrorCode::kKafkaStorageError,
                               "cleaner: segment " + seg.log_path + " is corrupt: " + problem,
                               absl::StatusCode::kDataLoss);
}

// The output side of one group: batches buffered, then appended to the cleaned segment.
class GroupWriter {
 public:
  GroupWriter(Log& log, int64_t base_offset, int64_t now_ms)
      : log_(log), base_offset_(base_offset), now_ms_(now_ms) {}
  ~GroupWriter() {
    if (segment_) {  // not handed over: an error happened
      (void)segment_->close();
      (void)segment_->remove_files();
    }
  }

  bool started() const { return segment_ != nullptr; }
  uint64_t bytes_written() const { return written_; }

  absl::Status start() {
    KEEL_ASSIGN_OR_RETURN(segment_, log_.create_cleaned_segment(base_offset_));
    return absl::OkStatus();
  }
  absl::Status add(std::span<const uint8_t> batch) {
    pending_.insert(pending_.end(), batch.begin(), batch.end());
    return pending_.size() >= kWriteChunk ? flush() : absl::OkStatus();
  }
  absl::Status flush() {
    if (pending_.empty()) return absl::OkStatus();
    KEEL_RETURN_IF_ERROR(segment_->append_batches(pending_, now_ms_));
    written_ += pending_.size();
    pending_.clear();
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<LogSegment>> finish() {
    KEEL_RETURN_IF_ERROR(flush());
    KEEL_RETURN_IF_ERROR(segment_->seal());
    return std::move(segment_);
  }

 private:
  Log& log_;
  int64_t base_offset_;
  int64_t now_ms_;
  std::unique_ptr<LogSegment> segment_;
  protocol::Bytes pending_;
  uint64_t written_ = 0;
};

// Copies the whole batches in [0, end) of `seg` to `writer` unchanged.
absl::Status copy_prefix(const SegmentInfo& seg, uint64_t end, size_t buffer_bytes,
                         GroupWriter& writer) {
  BatchScanner scanner(*seg.file, 0, end, buffer_bytes);
  while (true) {
    KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
    if (step == BatchScanner::Step::kEnd) return absl::OkStatus();
    if (step == BatchScanner::Step::kCorrupt) return corrupt(seg, scanner.problem());
    KEEL_ASSIGN_OR_RETURN(auto bytes, scanner.batch());
    KEEL_RETURN_IF_ERROR(writer.add(bytes));
  }
}

}  // namespace

absl::StatusOr<GroupResult> rewrite_next_group(std::span<const SegmentInfo> segments,
                                               const CleanPolicy& policy, uint64_t segment_bytes,
                                               size_t buffer_bytes, Log& log) {
  GroupResult result;
  if (segments.empty()) return result;
  GroupWriter writer(log, segments.front().base_offset, policy.now_ms);
  bool any_batch = false;
  bool only_empty_batches = true;  // e.g. a placeholder left by an earlier pass
  protocol::RecordBatchHeader last_header;
  uint64_t output = 0;  // bytes the group's output holds so far (written or still implicit)
  for (const SegmentInfo& seg : segments) {
    if (result.segments_consumed > 0) {
      const bool fits =
          output + seg.size_bytes <= segment_bytes &&
          seg.end_offset - 1 - segments.front().base_offset <= std::numeric_limits<int32_t>::max();
      if (!fits) break;
      if (!writer.started()) {
        // Merging is a change: the unchanged output so far becomes real.
        KEEL_RETURN_IF_ERROR(writer.start());
        for (size_t i = 0; i < result.segments_consumed; ++i) {
          KEEL_RETURN_IF_ERROR(
              copy_prefix(segments[i], segments[i].size_bytes, buffer_bytes, writer));
        }
      }
    }
    ++result.segments_consumed;
    BatchScanner scanner(*seg.file, 0, seg.size_bytes, buffer_bytes);
    while (true) {
      KEEL_ASSIGN_OR_RETURN(BatchScanner::Step step, scanner.next());
      if (step == BatchScanner::Step::kEnd) break;
      if (step == BatchScanner::Step::kCorrupt) return corrupt(seg, scanner.problem());
      KEEL_ASSIGN_OR_RETURN(auto bytes, scanner.batch());
      KEEL_ASSIGN_OR_RETURN(auto header, protocol::validate_batch(bytes));
      result.bytes_read += bytes.size();
      any_batch = true;
      only_empty_batches &= header.record_count == 0 && !header.is_control();
      last_header = header;
      KEEL_ASSIGN_OR_RETURN(FilteredBatch f, filter_batch(bytes, header, policy, &result.stats));
      if (f.delete_horizon >= 0 &&
          (result.min_delete_horizon < 0 || f.delete_horizon < result.min_delete_horizon)) {
        result.min_delete_horizon = f.delete_horizon;
      }
      if (f.kind == FilteredBatch::Kind::kUnchanged) {
        output += bytes.size();
        if (writer.started()) KEEL_RETURN_IF_ERROR(writer.add(bytes));
        continue;
      }
      if (!writer.started()) {
        // First change in the group's only segment: the output so far is its input so far.
        const uint64_t position = scanner.position();
        KEEL_RETURN_IF_ERROR(writer.start());
        KEEL_RETURN_IF_ERROR(copy_prefix(seg, position, buffer_bytes, writer));
      }
      if (f.kind == FilteredBatch::Kind::kRewritten) {
        output += f.bytes.size();
        KEEL_RETURN_IF_ERROR(writer.add(f.bytes));
      }
    }
  }
  if (!writer.started()) return result;
  KEEL_RETURN_IF_ERROR(writer.flush());
  if (any_batch && writer.bytes_written() == 0) {
    // A lone segment of placeholders would only be swapped for a new placeholder: keep it.
    if (result.segments_consumed == 1 && only_empty_batches) return result;  // files removed
    KEEL_RETURN_IF_ERROR(writer.add(empty_batch_like(last_header)));
  }
  KEEL_ASSIGN_OR_RETURN(result.segment, writer.finish());
  result.bytes_written = writer.bytes_written();
  return result;
}

}  // namespace keel::storage::compaction
