// File: controller/raft/quorum_state.h
// The election state that must survive a crash: the epoch, whom this node voted for in it and
// the leader it knows, plus the voter set it was written under. Stored in `quorum-state` in the
// metadata log's directory as a small text file (one `key value` per line, last line a
// CRC-32C of the others), replaced atomically and fsynced by store() before any vote or
// acknowledgement depending on it leaves the node.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/env.h"

namespace keel::controller::raft {

inline constexpr char kQuorumStateFileName[] = "quorum-state";

struct QuorumStateData {
  int32_t epoch = 0;
  int32_t voted_for = -1;
  int32_t leader_id = -1;
  std::vector<int32_t> voters;
  bool operator==(const QuorumStateData&) const = default;
};

std::string encode_quorum_state(const QuorumStateData& data);
// A malformed file is DATA_LOSS (KAFKA_STORAGE_ERROR): a torn or foreign file must never be
// mistaken for "never voted".
absl::StatusOr<QuorumStateData> decode_quorum_state(std::string_view text);

class QuorumStateStore {
 public:
  QuorumStateStore(storage::Env* env, std::string dir)
      : env_(env), path_(storage::join_path(dir, kQuorumStateFileName)) {}

  // nullopt when the file does not exist (a fresh node).
  absl::StatusOr<std::optional<QuorumStateData>> load();
  // Durable when it returns OK.
  absl::Status store(const QuorumStateData& data);

 private:
  storage::Env* env_;
  std::string path_;
};

}  // namespace keel::controller::raft
