// libFuzzer target for record data: the input is a records region (what a Produce partition or
// a Fetch response carries). Every batch is split out, validated, opened (decompressed with a
// 1 MiB cap) and iterated down to each header. Nothing may crash, read out of bounds or trip a
// sanitizer, and anything that validates must iterate exactly as declared or report an error.
//
// Batches are opened even when validation fails (a wrong CRC is the common case for mutated
// inputs), so the decompressors and the record parser see arbitrary bytes too.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "protocol/records/batch_iterator.h"
#include "protocol/records/batch_records.h"
#include "protocol/records/control_record.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_reader.h"

namespace {

using namespace keel::protocol;  // NOLINT: a fuzz entry point, not library code

constexpr size_t kMaxDecompressed = 1 << 20;

void walk_records(const BatchRecords& records) {
  RecordReader reader = records.reader();
  RecordView record;
  int32_t seen = 0;
  while (reader.next(record)) {
    ++seen;
    HeaderReader headers = record.headers();
    RecordHeaderView header;
    uint32_t header_count = 0;
    while (headers.next(header)) ++header_count;
    // RecordReader validated the headers, so reading them back cannot stop early.
    if (header_count != record.header_count) std::abort();
    if (records.header().is_control()) (void)parse_control_record(record);
  }
  if (reader.status().ok() && seen != std::max(records.header().record_count, 0)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  BatchIterator it(std::span<const uint8_t>(data, size));
  while (it.next()) {
    std::span<const uint8_t> batch = it.batch();
    absl::StatusOr<RecordBatchHeader> header = validate_batch(batch);
    if (header.ok()) {
      (void)validate_client_batch(*header);
      if (header->size_in_bytes() != batch.size()) std::abort();
    }
    absl::StatusOr<BatchRecords> records = BatchRecords::open(batch, kMaxDecompressed);
    if (!records.ok()) continue;
    if (records->records().size() > kMaxDecompressed && header.ok() && header->is_compressed()) {
      std::abort();  // the decompression cap was not enforced
    }
    walk_records(*records);
  }
  (void)it.status();
  return 0;
}
