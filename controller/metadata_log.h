// File: controller/metadata_log.h
// Metadata records in the metadata log (`__cluster_metadata-0`, a storage::Log): one Kafka
// record per metadata record, its value the serialized metadata::MetadataRecord (null key).
// The records of one controller operation form one uncompressed batch, so they are appended,
// lost in a crash, or truncated by recovery together.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/metadata_records.pb.h"
#include "protocol/wire/types.h"
#include "storage/file_names.h"
#include "storage/log.h"
#include "storage/log_config.h"

namespace keel::controller {

// The metadata log's directory name inside the first log dir. storage::LogManager skips it.
inline constexpr std::string_view kMetadataLogDirName = storage::kMetadataLogDir;

// Largest metadata batch (one operation's records). Far above what an admin request yields in
// practice (100,000 partitions are about 4 MiB); above it the operation fails as a whole.
inline constexpr int64_t kMaxMetadataBatchBytes = 64LL << 20;

// The metadata log's settings: nothing is ever deleted by retention (snapshots will bound the
// log), batches up to kMaxMetadataBatchBytes.
storage::LogConfig metadata_log_config();

// One batch holding `records` in order, stamped with `timestamp_ms`.
absl::StatusOr<protocol::Bytes> encode_metadata_batch(
    const std::vector<metadata::MetadataRecord>& records, int64_t timestamp_ms);

// Calls `fn(record, offset)` for every metadata record with an offset in [from, to), in order.
// Control batches are skipped. Errors: the log's read errors, a batch that is compressed or
// does not parse, a record value that is not a MetadataRecord, and whatever `fn` returns; each
// names the offset (DATA_LOSS with KAFKA_STORAGE_ERROR for bad contents).
using MetadataRecordVisitor =
    std::function<absl::Status(const metadata::MetadataRecord& record, int64_t offset)>;
absl::Status read_metadata_log(const storage::Log& log, int64_t from, int64_t to,
                               const MetadataRecordVisitor& fn);

}  // namespace keel::controller
