#include "tests/sim/sim_corrupt.h"

#include <algorithm>
#include <type_traits>

namespace keel::sim {

using controller::raft::Envelope;

// A copy of `e` with one field made invalid (never a plausible lie: a forged but valid-looking
// message is a Byzantine fault Raft does not claim to survive). Record bytes are flipped only
// where the batch CRC covers them or the offset checks catch them.
Envelope corrupt_message(Envelope e, std::mt19937_64& rng) {
  using namespace controller::raft;
  const uint64_t pick = rng() % 3;
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, VoteRequest>) {
          if (pick == 0) m.candidate_epoch = -1;
          if (pick == 1) m.last_offset = -1;
          if (pick == 2) m.candidate_id = 99;
        } else if constexpr (std::is_same_v<T, VoteResponse>) {
          m.leader_epoch = -1;
          m.error = ErrorCode::kInvalidRequest;
        } else if constexpr (std::is_same_v<T, BeginQuorumEpochRequest> ||
                             std::is_same_v<T, EndQuorumEpochRequest>) {
          if (pick == 0) m.leader_epoch = -1;
          if (pick >= 1) m.leader_id = 99;
        } else if constexpr (std::is_same_v<T, FetchRequest>) {
          if (pick == 0) m.fetch_offset = -1;
          if (pick == 1) m.replica_id = 99;
          if (pick == 2) m.current_leader_epoch = m.current_leader_epoch - 1;
        } else if constexpr (std::is_same_v<T, FetchResponse>) {
          if (m.records.size() > 21) {
            const size_t batch = 12 + ((size_t{m.records[8]} << 24) | (size_t{m.records[9]} << 16) |
                                       (size_t{m.records[10]} << 8) | size_t{m.records[11]});
            const size_t end = std::min(batch, m.records.size());
            if (end > 17) m.records[17 + rng() % (end - 17)] ^= 0x5a;
          } else {
            m.high_watermark = -3;
          }
        } else if constexpr (std::is_same_v<T, FetchSnapshotRequest>) {
          m.position = -1;
        } else if constexpr (std::is_same_v<T, FetchSnapshotResponse>) {
          if (!m.bytes.empty()) {
            m.bytes[rng() % m.bytes.size()] ^= 0x5a;
          } else {
            m.position = -1;
          }
        } else {
          m.leader_epoch = -1;
        }
      },
      e.message);
  return e;
}

}  // namespace keel::sim
