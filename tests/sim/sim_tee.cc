#include "tests/sim/sim_tee.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace keel::sim {

void TeeStateMachine::on_committed(int64_t offset, int32_t epoch, std::string_view payload) {
  first_->on_committed(offset, epoch, payload);
  second_->on_committed(offset, epoch, payload);
}

void TeeStateMachine::on_applied_through(int64_t end_offset) {
  first_->on_applied_through(end_offset);
  second_->on_applied_through(end_offset);
}

void TeeStateMachine::on_leader_change(int32_t leader_id, int32_t epoch) {
  first_->on_leader_change(leader_id, epoch);
  second_->on_leader_change(leader_id, epoch);
}

absl::StatusOr<std::string> TeeStateMachine::take_snapshot(int64_t end_offset) {
  absl::StatusOr<std::string> a = first_->take_snapshot(end_offset);
  if (!a.ok()) return a.status();
  absl::StatusOr<std::string> b = second_->take_snapshot(end_offset);
  if (!b.ok()) return b.status();
  return absl::StrCat(a->size(), ":", *a, *b);
}

absl::Status TeeStateMachine::load_snapshot(int64_t end_offset, std::string_view bytes) {
  const size_t colon = bytes.find(':');
  size_t n = 0;
  if (colon == std::string_view::npos ||
      !absl::SimpleAtoi(absl::string_view(bytes.data(), colon), &n) ||
      n > bytes.size() - colon - 1) {
    return absl::DataLossError("bad tee snapshot");
  }
  const std::string_view rest = bytes.substr(colon + 1);
  absl::Status s = first_->load_snapshot(end_offset, rest.substr(0, n));
  if (!s.ok()) return s;
  return second_->load_snapshot(end_offset, rest.substr(n));
}

}  // namespace keel::sim
