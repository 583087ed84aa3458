// File: controller/control/broker_heartbeats.h
// The active controller's view of broker sessions (Kafka's BrokerHeartbeatManager): when each
// broker last heartbeated, and which sessions have expired. In memory only: a new active
// controller starts every session afresh (a broker gets a full session to reach it), as in
// Kafka. Times are monotonic milliseconds passed in; no clock of its own.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace keel::controller {

class BrokerHeartbeats {
 public:
  explicit BrokerHeartbeats(int64_t session_timeout_ms) : session_ms_(session_timeout_ms) {}

  // A heartbeat (or registration) of `node_id` at `now_ms`.
  void touch(int32_t node_id, int64_t now_ms) { last_[node_id] = now_ms; }
  // Other evidence that `node_id` lived at `at_ms` (its Raft fetches, in combined mode):
  // extends the session, never shortens it. A node without a session gets none.
  void extend(int32_t node_id, int64_t at_ms) {
    auto it = last_.find(node_id);
    if (it != last_.end() && at_ms > it->second) it->second = at_ms;
  }
  void forget(int32_t node_id) { last_.erase(node_id); }
  // Sessions that had no heartbeat for longer than the session timeout, by id.
  std::vector<int32_t> expired(int64_t now_ms) const;
  // When the next session may expire (for the controller's timer); INT64_MAX when none.
  int64_t next_expiry_ms() const;

 private:
  int64_t session_ms_;
  std::map<int32_t, int64_t> last_;
};

}  // namespace keel::controller
