// File: controller/control/broker_heartbeats.cc
#include "controller/control/broker_heartbeats.h"

#include <algorithm>
#include <limits>

namespace keel::controller {

std::vector<int32_t> BrokerHeartbeats::expired(int64_t now_ms) const {
  std::vector<int32_t> out;
  for (const auto& [id, last] : last_) {
    if (now_ms - last > session_ms_) out.push_back(id);
  }
  return out;
}

int64_t BrokerHeartbeats::next_expiry_ms() const {
  int64_t next = std::numeric_limits<int64_t>::max();
  for (const auto& [id, last] : last_) next = std::min(next, last + session_ms_ + 1);
  return next;
}

}  // namespace keel::controller
