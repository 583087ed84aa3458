// File: broker/quorum/counting_state_machine.h
// The quorum's state machine until the metadata one moves onto Raft: it only counts the
// committed records, and its snapshot is that count. Called on the driver's thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/numbers.h"
#include "controller/raft/raft_config.h"

namespace keel::broker::quorum {

class CountingStateMachine final : public controller::raft::StateMachine {
 public:
  void on_committed(int64_t, int32_t, std::string_view) override { ++committed_; }
  void on_leader_change(int32_t, int32_t) override {}
  absl::StatusOr<std::string> take_snapshot(int64_t) override { return std::to_string(committed_); }
  absl::Status load_snapshot(int64_t, std::string_view bytes) override {
    if (!absl::SimpleAtoi(absl::string_view(bytes.data(), bytes.size()), &committed_)) {
      return absl::DataLossError("snapshot is not a record count");
    }
    return absl::OkStatus();
  }
  int64_t committed() const { return committed_; }

 private:
  int64_t committed_ = 0;
};

}  // namespace keel::broker::quorum
