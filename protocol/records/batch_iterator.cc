#include "protocol/records/batch_iterator.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"
#include "protocol/records/byte_order.h"
#include "protocol/records/record_batch.h"

namespace keel::protocol {

bool BatchIterator::fail(absl::Status status, bool partial) {
  status_ = std::move(status);
  partial_tail_ = partial;
  done_ = true;
  batch_ = {};
  return false;
}

bool BatchIterator::next() {
  if (done_) return false;
  batch_ = {};
  const size_t left = region_.size() - pos_;
  if (left == 0) {
    done_ = true;
    return false;
  }
  std::span<const uint8_t> rest = region_.subspan(pos_);
  if (left < batch_layout::kLogOverhead) {
    return fail(
        kafka_error(ErrorCode::kCorruptMessage, absl::StrCat("truncated record batch at byte ",
                                                             pos_, ": only ", left, " bytes left")),
        /*partial=*/true);
  }
  // Magic before the length check, so a legacy message set gets the clear "magic" error.
  if (left > batch_layout::kMagic) {
    const int8_t magic = static_cast<int8_t>(rest[batch_layout::kMagic]);
    if (magic != kRecordBatchMagic) {
      return fail(kafka_error(ErrorCode::kInvalidRecord,
                              absl::StrCat("record batch at byte ", pos_, " has magic ",
                                           static_cast<int>(magic),
                                           (magic == 0 || magic == 1)
                                               ? ": the legacy message format is not supported"
                                               : ": only magic 2 is supported")),
                  /*partial=*/false);
    }
  }
  const auto length =
      static_cast<int32_t>(records_internal::load_be32(rest, batch_layout::kBatchLength));
  if (length < batch_layout::kMinBatchLength) {
    return fail(kafka_error(ErrorCode::kCorruptMessage,
                            absl::StrCat("record batch at byte ", pos_, " has batchLength ", length,
                                         ", below the minimum ", batch_layout::kMinBatchLength)),
                /*partial=*/false);
  }
  const size_t size = batch_layout::kLogOverhead + static_cast<size_t>(length);
  if (size > left) {
    return fail(
        kafka_error(ErrorCode::kCorruptMessage,
                    absl::StrCat("truncated record batch at byte ", pos_, ": batchLength ", length,
                                 " but only ", left - batch_layout::kLogOverhead, " bytes follow")),
        /*partial=*/true);
  }
  batch_ = rest.first(size);
  batch_pos_ = pos_;
  pos_ += size;
  return true;
}

absl::StatusOr<std::vector<std::span<const uint8_t>>> split_batches(RecordsView region) {
  std::vector<std::span<const uint8_t>> batches;
  BatchIterator it(region);
  while (it.next()) batches.push_back(it.batch());
  if (!it.status().ok()) return it.status();
  return batches;
}

}  // namespace keel::protocol
