#include "protocol/records/batch_records.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"
#include "protocol/records/compression.h"
#include "protocol/status.h"

namespace keel::protocol {

absl::StatusOr<BatchRecords> BatchRecords::open(std::span<const uint8_t> batch,
                                                size_t max_decompressed) {
  BatchRecords out;
  KEEL_ASSIGN_OR_RETURN(out.header_, parse_batch_header(batch));
  if (out.header_.compression_id() > batch_attr::kMaxCompressionId) {
    return kafka_error(ErrorCode::kUnsupportedCompressionType,
                       absl::StrCat("unknown compression codec id ", out.header_.compression_id()));
  }
  std::span<const uint8_t> area = batch.subspan(batch_layout::kRecords);
  if (!out.header_.is_compressed()) {
    out.view_ = area;
    return out;
  }
  out.compressed_ = true;
  if (out.header_.record_count <= 0) return out;
  KEEL_ASSIGN_OR_RETURN(out.owned_, decompress(out.header_.compression(), area, max_decompressed));
  return out;
}

}  // namespace keel::protocol
