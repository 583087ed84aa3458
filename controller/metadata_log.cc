#include "controller/metadata_log.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"
#include "protocol/records/batch_iterator.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "protocol/records/record_reader.h"
#include "protocol/status.h"
#include "storage/file_slice.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;

// Bytes read from the log per step; a larger batch is read whole (min_one_batch).
constexpr int32_t kReadChunkBytes = 1 << 20;

absl::Status corrupt_at(int64_t offset, std::string_view problem) {
  return protocol::kafka_error(
      ErrorCode::kKafkaStorageError,
      absl::StrCat("corrupt metadata log at offset ", offset, ": ", std::string(problem)),
      absl::StatusCode::kDataLoss);
}

}  // namespace

storage::LogConfig metadata_log_config() {
  storage::LogConfig config;
  config.retention_ms = -1;
  config.retention_bytes = -1;
  config.cleanup_delete = true;
  config.cleanup_compact = false;
  config.max_message_bytes = kMaxMetadataBatchBytes;
  return config;
}

absl::StatusOr<protocol::Bytes> encode_metadata_batch(
    const std::vector<metadata::MetadataRecord>& records, int64_t timestamp_ms) {
  std::vector<std::string> values;
  values.reserve(records.size());
  for (const metadata::MetadataRecord& record : records) {
    std::string value;
    if (!record.SerializeToString(&value)) {
      return absl::InternalError("cannot serialize a metadata record");
    }
    values.push_back(std::move(value));
  }
  protocol::RecordBatchBuilder builder;
  for (const std::string& value : values) {
    protocol::RecordInput input;
    input.timestamp = timestamp_ms;
    input.value = protocol::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
    builder.append(input);
  }
  return builder.build();
}

absl::Status read_metadata_log(const storage::Log& log, int64_t from, int64_t to,
                               const MetadataRecordVisitor& fn) {
  int64_t next = from;
  while (next < to) {
    KEEL_ASSIGN_OR_RETURN(storage::FileSlice slice,
                          log.read(next, kReadChunkBytes, to, /*min_one_batch=*/true));
    if (slice.empty()) return corrupt_at(next, "no batch found below the log end offset");
    KEEL_ASSIGN_OR_RETURN(protocol::Bytes bytes, storage::read_slice(slice));
    const int64_t before = next;
    protocol::BatchIterator batches{std::span<const uint8_t>(bytes)};
    while (batches.next()) {
      const std::span<const uint8_t> batch = batches.batch();
      absl::StatusOr<protocol::RecordBatchHeader> header = protocol::validate_batch(batch);
      if (!header.ok()) return corrupt_at(next, std::string(header.status().message()));
      if (header->last_offset() < next) continue;  // before `from`
      if (header->is_control()) {
        next = header->last_offset() + 1;
        continue;
      }
      absl::StatusOr<protocol::RecordReader> reader = protocol::RecordReader::for_batch(batch);
      if (!reader.ok())
        return corrupt_at(header->base_offset, std::string(reader.status().message()));
      protocol::RecordView view;
      while (reader->next(view)) {
        const int64_t offset = header->base_offset + view.offset_delta;
        if (offset < next) continue;
        if (offset >= to) return absl::OkStatus();
        if (!view.value) return corrupt_at(offset, "record without a value");
        metadata::MetadataRecord record;
        if (!record.ParseFromArray(view.value->data(), static_cast<int>(view.value->size()))) {
          return corrupt_at(offset, "the record is not a metadata record");
        }
        absl::Status status = fn(record, offset);
        if (!status.ok()) return corrupt_at(offset, std::string(status.message()));
        next = offset + 1;
      }
      if (!reader->status().ok()) return corrupt_at(next, std::string(reader->status().message()));
      next = std::max(next, header->last_offset() + 1);
    }
    if (!batches.status().ok()) return corrupt_at(next, std::string(batches.status().message()));
    if (next == before) return corrupt_at(next, "the log read made no progress");
  }
  return absl::OkStatus();
}

}  // namespace keel::controller
