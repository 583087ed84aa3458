// File: broker/group/group_shard.cc
#include "broker/group/group_shard.h"

#include <algorithm>
#include <cstdio>

#include "protocol/error_code.h"

namespace keel::broker::group {
namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;

int16_t code(ErrorCode c) { return static_cast<int16_t>(c); }
constexpr int16_t kNone = 0;

JoinResult join_error(ErrorCode c, std::string member_id = {}) {
  JoinResult r;
  r.error = code(c);
  r.member_id = std::move(member_id);
  return r;
}

SyncResult sync_error(ErrorCode c) {
  SyncResult r;
  r.error = code(c);
  return r;
}

const Bytes* metadata_for(const std::vector<Protocol>& protocols, const std::string& name) {
  for (const Protocol& p : protocols) {
    if (p.name == name) return &p.metadata;
  }
  return nullptr;
}

}  // namespace

const char* state_name(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Dead";
}

GroupShard::GroupShard(Options options) : options_(std::move(options)) {}

// Monotonic time as a time point, so durations keep std::chrono's type safety.
TimePoint GroupShard::now() const {
  const storage::Clock* c = options_.clock ? options_.clock : storage::Clock::system();
  return TimePoint(std::chrono::milliseconds(c->monotonic_ms()));
}

int64_t GroupShard::wall_ms() const {
  return (options_.clock ? options_.clock : storage::Clock::system())->now_ms();
}

absl::Status GroupShard::append(const Records& records) {
  if (records.empty() || !options_.append) return absl::OkStatus();
  return options_.append(records);
}

GroupShard::Group* GroupShard::find(const std::string& id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

const GroupShard::Group* GroupShard::find(const std::string& id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

GroupShard::Group& GroupShard::create(const std::string& id) {
  Group& g = groups_[id];
  g.id = id;
  g.empty_since_ms = wall_ms();
  return g;
}

std::optional<GroupState> GroupShard::state(const std::string& group_id) const {
  const Group* g = find(group_id);
  if (g == nullptr) return std::nullopt;
  return g->state;
}

int32_t GroupShard::generation(const std::string& group_id) const {
  const Group* g = find(group_id);
  return g == nullptr ? -1 : g->generation;
}

std::string GroupShard::new_member_id(const std::string& client_id) {
  storage::Random& random = options_.random ? *options_.random : *storage::Random::system();
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx",
                static_cast<unsigned long long>(random.next_u64()),
                static_cast<unsigned long long>(random.next_u64()));
  std::string hex(buf);
  return client_id + "-" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

// ---- loading ---------------------------------------------------------------------------

void GroupShard::replay(const RecordKey& key, std::optional<std::span<const uint8_t>> value) {
  if (const auto* k = std::get_if<OffsetKey>(&key)) {
    Group* g = find(k->group);
    if (!value) {
      if (g != nullptr) g->offsets.erase({k->topic, k->partition});
      return;
    }
    absl::StatusOr<OffsetValue> v = decode_offset_value(*value);
    if (!v.ok()) return;
    if (g == nullptr) g = &create(k->group);
    g->offsets[{k->topic, k->partition}] = std::move(*v);
    return;
  }
  const auto& k = std::get<GroupKey>(key);
  Group* g = find(k.group);
  if (!value) {
    if (g != nullptr) {
      auto offsets = std::move(g->offsets);
      groups_.erase(k.group);
      if (!offsets.empty()) create(k.group).offsets = std::move(offsets);
    }
    return;
  }
  absl::StatusOr<GroupValue> v = decode_group_value(*value);
  if (!v.ok()) return;
  if (g == nullptr) g = &create(k.group);
  g->has_metadata = true;
  g->protocol_type = v->protocol_type;
  g->generation = v->generation;
  g->protocol = v->protocol;
  g->leader = v->leader.value_or("");
  g->empty_since_ms = v->state_timestamp_ms;
  g->members.clear();
  g->join_order.clear();
  g->static_members.clear();
  for (const StoredMember& sm : v->members) {
    Member m;
    m.id = sm.member_id;
    m.instance_id = sm.instance_id;
    m.client_id = sm.client_id;
    m.client_host = sm.client_host;
    m.session_timeout_ms = sm.session_timeout_ms;
    m.rebalance_timeout_ms = sm.rebalance_timeout_ms;
    m.protocol_type = v->protocol_type;
    if (v->protocol) m.protocols.push_back({*v->protocol, sm.subscription});
    m.assignment = sm.assignment;
    if (m.instance_id) g->static_members[*m.instance_id] = m.id;
    g->join_order.push_back(m.id);
    g->members.emplace(m.id, std::move(m));
  }
  g->state = g->members.empty() ? GroupState::kEmpty : GroupState::kStable;
}

void GroupShard::finish_load() {
  const TimePoint t = now();
  for (auto& [id, g] : groups_) {
    for (auto& [mid, m] : g.members) m.last_seen = t;
  }
  if (!resigned_) loaded_ = true;
}

// ---- JoinGroup -------------------------------------------------------------------------

bool GroupShard::protocols_compatible(const Group& g, const JoinRequest& r) const {
  if (g.members.empty()) return true;
  if (r.protocol_type != g.protocol_type) return false;
  for (const Protocol& p : r.protocols) {
    bool all = true;
    for (const auto& [id, m] : g.members) {
      if (metadata_for(m.protocols, p.name) == nullptr) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

GroupShard::Member& GroupShard::add_member(Group& g, const std::string& id, const JoinRequest& r) {
  Member& m = g.members[id];
  m.id = id;
  m.instance_id = r.instance_id;
  update_member(m, r);
  if (m.instance_id) g.static_members[*m.instance_id] = id;
  g.join_order.push_back(id);
  if (g.members.size() == 1) g.protocol_type = r.protocol_type;
  if (g.state == GroupState::kPreparingRebalance && g.initial_phase) {
    // group.initial.rebalance.delay.ms: every new member extends the wait, up to the
    // rebalance timeout.
    const auto delay = std::chrono::milliseconds(options_.config.initial_rebalance_delay_ms);
    g.initial_delay_until = std::min(now() + delay, g.rebalance_deadline);
  }
  return m;
}

void GroupShard::update_member(Member& m, const JoinRequest& r) {
  m.client_id = r.client_id;
  m.client_host = r.client_host;
  m.session_timeout_ms = r.session_timeout_ms;
  m.rebalance_timeout_ms = r.rebalance_timeout_ms;
  m.protocol_type = r.protocol_type;
  m.protocols = r.protocols;
  m.last_seen = now();
}

void GroupShard::prepare_rebalance(Group& g) {
  if (g.state == GroupState::kCompletingRebalance) {
    for (auto& [id, m] : g.members) {
      m.assignment.clear();
      if (m.sync_waiter) {
        m.sync_waiter->complete(sync_error(ErrorCode::kRebalanceInProgress));
        m.sync_waiter.reset();
      }
    }
  }
  const bool from_empty = g.state == GroupState::kEmpty;
  g.state = GroupState::kPreparingRebalance;
  const TimePoint t = now();
  int32_t timeout = 0;
  for (const auto& [id, m] : g.members) timeout = std::max(timeout, m.rebalance_timeout_ms);
  g.rebalance_start = t;
  g.rebalance_deadline = t + std::chrono::milliseconds(timeout);
  g.initial_phase = from_empty && options_.config.initial_rebalance_delay_ms > 0;
  if (g.initial_phase) {
    g.initial_delay_until =
        std::min(t + std::chrono::milliseconds(options_.config.initial_rebalance_delay_ms),
                 g.rebalance_deadline);
  }
}

void GroupShard::try_complete_join(Group& g) {
  if (g.state != GroupState::kPreparingRebalance) return;
  const TimePoint t = now();
  if (g.initial_phase) {
    if (t < g.initial_delay_until) return;
    g.initial_phase = false;
  }
  bool all_joined = g.pending.empty();
  for (const auto& [id, m] : g.members) {
    if (!m.join_waiter) all_joined = false;
  }
  if (all_joined || t >= g.rebalance_deadline) complete_join(g);
}

std::optional<std::string> GroupShard::select_protocol(const Group& g) const {
  // Candidates: protocols every member supports; each member votes for its most preferred
  // candidate; most votes wins (ties: the oldest member's preference order).
  std::vector<std::string> candidates;
  const Member* first = g.members.empty() ? nullptr : &g.members.begin()->second;
  for (const std::string& id : g.join_order) {
    auto it = g.members.find(id);
    if (it != g.members.end()) {
      first = &it->second;
      break;
    }
  }
  if (first == nullptr) return std::nullopt;
  for (const Protocol& p : first->protocols) {
    bool all = true;
    for (const auto& [id, m] : g.members) {
      if (metadata_for(m.protocols, p.name) == nullptr) all = false;
    }
    if (all) candidates.push_back(p.name);
  }
  if (candidates.empty()) return std::nullopt;
  std::map<std::string, int> votes;
  for (const auto& [id, m] : g.members) {
    for (const Protocol& p : m.protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best = candidates.front();
  for (const std::string& c : candidates) {
    if (votes[c] > votes[best]) best = c;
  }
  return best;
}

JoinResult GroupShard::current_generation(const Group& g, const Member& m,
                                          bool include_members) const {
  JoinResult r;
  r.error = kNone;
  r.generation = g.generation;
  r.protocol_type = g.protocol_type;
  r.protocol_name = g.protocol;
  r.leader = g.leader;
  r.member_id = m.id;
  if (include_members && m.id == g.leader && g.protocol) {
    for (const std::string& id : g.join_order) {
      auto it = g.members.find(id);
      if (it == g.members.end()) continue;
      const Bytes* md = metadata_for(it->second.protocols, *g.protocol);
      r.members.push_back({it->first, it->second.instance_id, md ? *md : Bytes{}});
    }
  }
  return r;
}

void GroupShard::complete_join(Group& g) {
  // Dynamic members that did not rejoin in time are dropped; static ones keep their place.
  std::vector<std::string> gone;
  for (const auto& [id, m] : g.members) {
    if (!m.join_waiter && !m.instance_id) gone.push_back(id);
  }
  for (const std::string& id : gone) {
    const Member& m = g.members.at(id);
    if (m.sync_waiter) m.sync_waiter->complete(sync_error(ErrorCode::kUnknownMemberId));
    g.members.erase(id);
    g.join_order.erase(std::remove(g.join_order.begin(), g.join_order.end(), id),
                       g.join_order.end());
  }
  g.pending.clear();
  ++g.generation;
  if (g.members.empty()) {
    g.state = GroupState::kEmpty;
    g.protocol.reset();
    g.leader.clear();
    g.empty_since_ms = wall_ms();
    (void)persist_group(g);
    return;
  }
  g.protocol = select_protocol(g);
  auto leader_it = g.members.find(g.leader);
  if (leader_it == g.members.end() || !leader_it->second.join_waiter) {
    g.leader.clear();
    for (const std::string& id : g.join_order) {
      auto it = g.members.find(id);
      if (it != g.members.end() && it->second.join_waiter) {
        g.leader = id;
        break;
      }
    }
    if (g.leader.empty()) g.leader = g.join_order.front();
  }
  g.state = GroupState::kCompletingRebalance;
  const TimePoint t = now();
  for (auto& [id, m] : g.members) {
    m.assignment.clear();
    if (!m.join_waiter) continue;
    m.last_seen = t;
    auto w = std::move(m.join_waiter);
    m.join_waiter.reset();
    w->complete(current_generation(g, m, true));
  }
}

asio::awaitable<JoinResult> GroupShard::wait_join(Member& m, Group& g) {
  auto w = std::make_shared<Waiter<JoinResult>>(options_.executor);
  if (m.join_waiter) m.join_waiter->complete(join_error(ErrorCode::kRebalanceInProgress, m.id));
  m.join_waiter = w;
  try_complete_join(g);
  if (!w->result) {
    boost::system::error_code ec;
    auto wait = w->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(wait);
  }
  if (!w->result) co_return join_error(ErrorCode::kUnknownServerError);
  co_return std::move(*w->result);
}

asio::awaitable<JoinResult> GroupShard::join(JoinRequest r) {
  if (!loaded_) co_return join_error(unavailable(), r.member_id);
  if (r.session_timeout_ms < options_.config.min_session_timeout_ms ||
      r.session_timeout_ms > options_.config.max_session_timeout_ms) {
    co_return join_error(ErrorCode::kInvalidSessionTimeout, r.member_id);
  }
  if (r.protocol_type.empty() || r.protocols.empty()) {
    co_return join_error(ErrorCode::kInconsistentGroupProtocol, r.member_id);
  }
  Group* g = find(r.group_id);
  if (g == nullptr) {
    if (!r.member_id.empty()) co_return join_error(ErrorCode::kUnknownMemberId, r.member_id);
    g = &create(r.group_id);
  }
  if (g->state == GroupState::kDead) {
    co_return join_error(ErrorCode::kCoordinatorNotAvailable, r.member_id);
  }
  if (!protocols_compatible(*g, r)) {
    co_return join_error(ErrorCode::kInconsistentGroupProtocol, r.member_id);
  }
  const bool full = g->members.size() + g->pending.size() >=
                    static_cast<size_t>(std::max(options_.config.max_size, 0));

  if (r.member_id.empty()) {
    if (r.instance_id) {
      auto sit = g->static_members.find(*r.instance_id);
      if (sit != g->static_members.end() && g->members.count(sit->second)) {
        // A static member restarted: it takes its old place under a new member id; the old
        // id is fenced.
        const std::string old_id = sit->second;
        const std::string current_leader = g->leader;
        Member moved = std::move(g->members.at(old_id));
        g->members.erase(old_id);
        if (moved.join_waiter) {
          moved.join_waiter->complete(join_error(ErrorCode::kFencedInstanceId, old_id));
        }
        if (moved.sync_waiter)
          moved.sync_waiter->complete(sync_error(ErrorCode::kFencedInstanceId));
        moved.join_waiter.reset();
        moved.sync_waiter.reset();
        const std::string new_id = new_member_id(r.client_id);
        moved.id = new_id;
        const bool same_protocols = moved.protocol_type == r.protocol_type &&
                                    (moved.protocols == r.protocols ||
                                     (g->protocol && metadata_for(moved.protocols, *g->protocol) &&
                                      metadata_for(r.protocols, *g->protocol) &&
                                      *metadata_for(moved.protocols, *g->protocol) ==
                                          *metadata_for(r.protocols, *g->protocol)));
        Member& m = g->members[new_id];
        m = std::move(moved);
        update_member(m, r);
        g->static_members[*r.instance_id] = new_id;
        std::replace(g->join_order.begin(), g->join_order.end(), old_id, new_id);
        if (g->leader == old_id) g->leader = new_id;
        if (g->state == GroupState::kStable && same_protocols) {
          // No rebalance: the member gets the current generation and, with SyncGroup, its
          // previous assignment.
          (void)persist_group(*g);
          // As Kafka does: the previous leader id, so a restarted leader does not take
          // itself for the leader and run a trivial assignment a Stable group would not
          // propagate.
          JoinResult res = current_generation(*g, m, false);
          res.leader = current_leader;
          co_return res;
        }
        if (g->state != GroupState::kPreparingRebalance) prepare_rebalance(*g);
        auto op = wait_join(m, *g);
        co_return co_await std::move(op);
      }
      if (full) co_return join_error(ErrorCode::kGroupMaxSizeReached);
      const std::string id = new_member_id(r.client_id);
      Member& m = add_member(*g, id, r);
      if (g->state != GroupState::kPreparingRebalance) prepare_rebalance(*g);
      auto op = wait_join(m, *g);
      co_return co_await std::move(op);
    }
    if (full) co_return join_error(ErrorCode::kGroupMaxSizeReached);
    const std::string id = new_member_id(r.client_id);
    if (r.require_known_member_id) {
      g->pending[id] = now() + std::chrono::milliseconds(r.session_timeout_ms);
      co_return join_error(ErrorCode::kMemberIdRequired, id);
    }
    Member& m = add_member(*g, id, r);
    if (g->state != GroupState::kPreparingRebalance) prepare_rebalance(*g);
    auto op = wait_join(m, *g);
    co_return co_await std::move(op);
  }

  if (g->pending.erase(r.member_id) > 0) {
    if (g->members.size() >= static_cast<size_t>(std::max(options_.config.max_size, 0))) {
      try_complete_join(*g);
      co_return join_error(ErrorCode::kGroupMaxSizeReached);
    }
    Member& m = add_member(*g, r.member_id, r);
    if (g->state != GroupState::kPreparingRebalance) prepare_rebalance(*g);
    auto op = wait_join(m, *g);
    co_return co_await std::move(op);
  }
  auto it = g->members.find(r.member_id);
  if (r.instance_id) {
    auto sit = g->static_members.find(*r.instance_id);
    if (sit != g->static_members.end() && sit->second != r.member_id) {
      co_return join_error(ErrorCode::kFencedInstanceId, r.member_id);
    }
  }
  if (it == g->members.end()) co_return join_error(ErrorCode::kUnknownMemberId, r.member_id);
  Member& m = it->second;
  const bool changed = m.protocol_type != r.protocol_type || m.protocols != r.protocols;
  switch (g->state) {
    case GroupState::kPreparingRebalance: {
      update_member(m, r);
      auto op = wait_join(m, *g);
      co_return co_await std::move(op);
    }
    case GroupState::kCompletingRebalance:
      if (!changed) {
        m.last_seen = now();
        co_return current_generation(*g, m, true);
      }
      break;
    case GroupState::kStable:
      if (!changed && m.id != g->leader) {
        m.last_seen = now();
        co_return current_generation(*g, m, false);
      }
      break;
    case GroupState::kEmpty:
    case GroupState::kDead:
      co_return join_error(ErrorCode::kUnknownMemberId, r.member_id);
  }
  update_member(m, r);
  prepare_rebalance(*g);
  auto op = wait_join(m, *g);
  co_return co_await std::move(op);
}

// ---- SyncGroup -------------------------------------------------------------------------

asio::awaitable<SyncResult> GroupShard::sync(SyncRequest r) {
  if (!loaded_) co_return sync_error(unavailable());
  Group* g = find(r.group_id);
  if (g == nullptr) co_return sync_error(ErrorCode::kUnknownMemberId);
  if (r.instance_id) {
    auto sit = g->static_members.find(*r.instance_id);
    if (sit != g->static_members.end() && sit->second != r.member_id) {
      co_return sync_error(ErrorCode::kFencedInstanceId);
    }
  }
  auto it = g->members.find(r.member_id);
  if (it == g->members.end()) co_return sync_error(ErrorCode::kUnknownMemberId);
  if (r.generation != g->generation) co_return sync_error(ErrorCode::kIllegalGeneration);
  if ((r.protocol_type && *r.protocol_type != g->protocol_type) ||
      (r.protocol_name && r.protocol_name != g->protocol)) {
    co_return sync_error(ErrorCode::kInconsistentGroupProtocol);
  }
  Member& m = it->second;
  switch (g->state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      co_return sync_error(ErrorCode::kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      co_return sync_error(ErrorCode::kRebalanceInProgress);
    case GroupState::kStable: {
      m.last_seen = now();
      SyncResult res;
      res.protocol_type = g->protocol_type;
      res.protocol_name = g->protocol;
      res.assignment = m.assignment;
      co_return res;
    }
    case GroupState::kCompletingRebalance:
      break;
  }
  m.last_seen = now();
  auto w = std::make_shared<Waiter<SyncResult>>(options_.executor);
  if (m.sync_waiter) m.sync_waiter->complete(sync_error(ErrorCode::kRebalanceInProgress));
  m.sync_waiter = w;
  if (m.id == g->leader) {
    for (auto& [id, member] : g->members) member.assignment.clear();
    for (auto& [id, bytes] : r.assignments) {
      auto mit = g->members.find(id);
      if (mit != g->members.end()) mit->second.assignment = bytes;
    }
    g->state = GroupState::kStable;
    absl::Status s = persist_group(*g);
    (void)s;  // the assignment is served from memory; a later change rewrites it
    for (auto& [id, member] : g->members) {
      if (!member.sync_waiter) continue;
      SyncResult res;
      res.protocol_type = g->protocol_type;
      res.protocol_name = g->protocol;
      res.assignment = member.assignment;
      auto sw = std::move(member.sync_waiter);
      member.sync_waiter.reset();
      sw->complete(std::move(res));
    }
  }
  if (!w->result) {
    boost::system::error_code ec;
    auto wait = w->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_await std::move(wait);
  }
  if (!w->result) co_return sync_error(ErrorCode::kUnknownServerError);
  co_return std::move(*w->result);
}

// ---- Heartbeat, LeaveGroup -------------------------------------------------------------

int16_t GroupShard::heartbeat(const std::string& group_id, int32_t generation,
                              const std::string& member_id,
                              const std::optional<std::string>& instance_id) {
  if (!loaded_) return code(unavailable());
  Group* g = find(group_id);
  if (g == nullptr) return code(ErrorCode::kUnknownMemberId);
  if (instance_id) {
    auto sit = g->static_members.find(*instance_id);
    if (sit != g->static_members.end() && sit->second != member_id) {
      return code(ErrorCode::kFencedInstanceId);
    }
  }
  auto it = g->members.find(member_id);
  if (it == g->members.end()) return code(ErrorCode::kUnknownMemberId);
  if (generation != g->generation) return code(ErrorCode::kIllegalGeneration);
  switch (g->state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return code(ErrorCode::kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      it->second.last_seen = now();
      return code(ErrorCode::kRebalanceInProgress);
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      it->second.last_seen = now();
      return kNone;
  }
  return kNone;
}

void GroupShard::remove_member(Group& g, const std::string& member_id) {
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return;
  Member& m = it->second;
  if (m.join_waiter) m.join_waiter->complete(join_error(ErrorCode::kUnknownMemberId, member_id));
  if (m.sync_waiter) m.sync_waiter->complete(sync_error(ErrorCode::kUnknownMemberId));
  if (m.instance_id) {
    auto sit = g.static_members.find(*m.instance_id);
    if (sit != g.static_members.end() && sit->second == member_id) g.static_members.erase(sit);
  }
  g.members.erase(it);
  g.join_order.erase(std::remove(g.join_order.begin(), g.join_order.end(), member_id),
                     g.join_order.end());
  switch (g.state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      prepare_rebalance(g);
      try_complete_join(g);
      break;
    case GroupState::kPreparingRebalance:
      try_complete_join(g);
      break;
  }
}

std::vector<int16_t> GroupShard::leave(const std::string& group_id,
                                       const std::vector<MemberIdentity>& members) {
  std::vector<int16_t> errors;
  if (!loaded_) {
    errors.assign(members.size(), code(unavailable()));
    return errors;
  }
  Group* g = find(group_id);
  for (const MemberIdentity& who : members) {
    if (g == nullptr) {
      errors.push_back(code(ErrorCode::kUnknownMemberId));
      continue;
    }
    if (who.instance_id) {
      auto sit = g->static_members.find(*who.instance_id);
      if (sit == g->static_members.end()) {
        errors.push_back(code(ErrorCode::kUnknownMemberId));
      } else if (!who.member_id.empty() && who.member_id != sit->second) {
        errors.push_back(code(ErrorCode::kFencedInstanceId));
      } else {
        const std::string id = sit->second;
        remove_member(*g, id);
        errors.push_back(kNone);
      }
      continue;
    }
    if (g->pending.erase(who.member_id) > 0) {
      errors.push_back(kNone);
      try_complete_join(*g);
      continue;
    }
    if (!g->members.count(who.member_id)) {
      errors.push_back(code(ErrorCode::kUnknownMemberId));
      continue;
    }
    remove_member(*g, who.member_id);
    errors.push_back(kNone);
  }
  return errors;
}

// ---- offsets ---------------------------------------------------------------------------

std::vector<int16_t> GroupShard::commit(const CommitRequest& r) {
  auto all = [&](int16_t e) { return std::vector<int16_t>(r.offsets.size(), e); };
  if (!loaded_) return all(code(unavailable()));
  Group* g = find(r.group_id);
  if (g == nullptr) {
    if (r.generation >= 0) return all(code(ErrorCode::kIllegalGeneration));
    g = &create(r.group_id);
  }
  if (g->state == GroupState::kDead) return all(code(ErrorCode::kCoordinatorNotAvailable));
  const bool standalone = r.generation < 0 && g->state == GroupState::kEmpty;
  if (!standalone) {
    if (r.instance_id) {
      auto sit = g->static_members.find(*r.instance_id);
      if (sit != g->static_members.end() && sit->second != r.member_id) {
        return all(code(ErrorCode::kFencedInstanceId));
      }
    }
    auto it = g->members.find(r.member_id);
    if (it == g->members.end()) return all(code(ErrorCode::kUnknownMemberId));
    if (r.generation != g->generation) return all(code(ErrorCode::kIllegalGeneration));
    if (g->state == GroupState::kCompletingRebalance) {
      return all(code(ErrorCode::kRebalanceInProgress));
    }
    it->second.last_seen = now();
  }
  std::vector<int16_t> errors(r.offsets.size(), kNone);
  Records records;
  std::vector<size_t> written;
  const int64_t ts = wall_ms();
  for (size_t i = 0; i < r.offsets.size(); ++i) {
    const CommitEntry& e = r.offsets[i];
    if (e.value.metadata &&
        e.value.metadata->size() > static_cast<size_t>(options_.config.offset_metadata_max_bytes)) {
      errors[i] = code(ErrorCode::kOffsetMetadataTooLarge);
      continue;
    }
    OffsetValue v = e.value;
    if (v.commit_timestamp_ms < 0) v.commit_timestamp_ms = ts;
    records.emplace_back(encode_key(OffsetKey{r.group_id, e.topic, e.partition}),
                         encode_offset_value(v));
    written.push_back(i);
  }
  absl::Status s = append(records);
  if (!s.ok()) {
    int16_t e = static_cast<int16_t>(protocol::to_error_code(s));
    if (e == code(ErrorCode::kUnknownServerError)) e = code(ErrorCode::kCoordinatorNotAvailable);
    for (size_t i : written) errors[i] = e;
    return errors;
  }
  for (size_t i : written) {
    const CommitEntry& e = r.offsets[i];
    OffsetValue v = e.value;
    if (v.commit_timestamp_ms < 0) v.commit_timestamp_ms = ts;
    g->offsets[{e.topic, e.partition}] = std::move(v);
  }
  return errors;
}

std::pair<int16_t, std::vector<FetchedOffset>> GroupShard::fetch_offsets(
    const std::string& group_id, const std::optional<TopicPartitions>& topics) const {
  std::vector<FetchedOffset> out;
  if (!loaded_) return {code(unavailable()), out};
  const Group* g = find(group_id);
  if (!topics) {
    if (g == nullptr) return {kNone, out};
    for (const auto& [tp, v] : g->offsets) {
      out.push_back(
          {tp.first, tp.second, v.offset, v.leader_epoch, v.metadata.value_or(""), kNone});
    }
    return {kNone, out};
  }
  for (const auto& [topic, partitions] : *topics) {
    for (int32_t p : partitions) {
      FetchedOffset f{topic, p, -1, -1, "", kNone};
      if (g != nullptr) {
        auto it = g->offsets.find({topic, p});
        if (it != g->offsets.end()) {
          f.offset = it->second.offset;
          f.leader_epoch = it->second.leader_epoch;
          f.metadata = it->second.metadata.value_or("");
        }
      }
      out.push_back(std::move(f));
    }
  }
  return {kNone, out};
}

// ---- admin -----------------------------------------------------------------------------

std::vector<ListedGroup> GroupShard::list() const {
  std::vector<ListedGroup> out;
  if (!loaded_) return out;
  for (const auto& [id, g] : groups_) {
    if (g.state == GroupState::kDead) continue;
    out.push_back({id, g.protocol_type, state_name(g.state)});
  }
  return out;
}

DescribedGroup GroupShard::describe(const std::string& group_id) const {
  DescribedGroup d;
  d.group_id = group_id;
  if (!loaded_) {
    d.error = code(unavailable());
    d.state = "";
    return d;
  }
  const Group* g = find(group_id);
  if (g == nullptr) {
    d.state = state_name(GroupState::kDead);
    return d;
  }
  d.state = state_name(g->state);
  d.protocol_type = g->protocol_type;
  const bool stable = g->state == GroupState::kStable;
  if (stable && g->protocol) d.protocol = *g->protocol;
  for (const std::string& id : g->join_order) {
    auto it = g->members.find(id);
    if (it == g->members.end()) continue;
    const Member& m = it->second;
    DescribedMember dm;
    dm.member_id = m.id;
    dm.instance_id = m.instance_id;
    dm.client_id = m.client_id;
    dm.client_host = m.client_host;
    if (stable && g->protocol) {
      if (const Bytes* md = metadata_for(m.protocols, *g->protocol)) dm.metadata = *md;
      dm.assignment = m.assignment;
    }
    d.members.push_back(std::move(dm));
  }
  return d;
}

int16_t GroupShard::delete_group(const std::string& group_id) {
  if (!loaded_) return code(unavailable());
  Group* g = find(group_id);
  if (g == nullptr || g->state == GroupState::kDead) return code(ErrorCode::kGroupIdNotFound);
  if (g->state != GroupState::kEmpty) return code(ErrorCode::kNonEmptyGroup);
  Records records;
  for (const auto& [tp, v] : g->offsets) {
    records.emplace_back(encode_key(OffsetKey{group_id, tp.first, tp.second}), std::nullopt);
  }
  records.emplace_back(encode_key(GroupKey{group_id}), std::nullopt);
  absl::Status s = append(records);
  if (!s.ok()) return code(ErrorCode::kCoordinatorNotAvailable);
  g->state = GroupState::kDead;
  groups_.erase(group_id);
  return kNone;
}

std::pair<int16_t, std::vector<int16_t>> GroupShard::delete_offsets(const std::string& group_id,
                                                                    const TopicPartitions& topics) {
  std::vector<int16_t> errors;
  if (!loaded_) return {code(unavailable()), errors};
  Group* g = find(group_id);
  if (g == nullptr || g->state == GroupState::kDead) {
    return {code(ErrorCode::kGroupIdNotFound), errors};
  }
  std::vector<std::string> subscribed;
  if (g->state != GroupState::kEmpty && g->protocol_type == "consumer" && g->protocol) {
    for (const auto& [id, m] : g->members) {
      if (const Bytes* md = metadata_for(m.protocols, *g->protocol)) {
        for (std::string& t : subscription_topics(*md)) subscribed.push_back(std::move(t));
      }
    }
  }
  Records records;
  std::vector<std::pair<std::string, int32_t>> removed;
  for (const auto& [topic, partitions] : topics) {
    const bool busy = g->state != GroupState::kEmpty &&
                      (g->protocol_type != "consumer" ||
                       std::find(subscribed.begin(), subscribed.end(), topic) != subscribed.end());
    for (int32_t p : partitions) {
      if (busy) {
        errors.push_back(code(ErrorCode::kGroupSubscribedToTopic));
        continue;
      }
      errors.push_back(kNone);
      if (g->offsets.count({topic, p})) {
        records.emplace_back(encode_key(OffsetKey{group_id, topic, p}), std::nullopt);
        removed.emplace_back(topic, p);
      }
    }
  }
  absl::Status s = append(records);
  if (!s.ok()) return {code(ErrorCode::kCoordinatorNotAvailable), {}};
  for (const auto& tp : removed) g->offsets.erase(tp);
  return {kNone, errors};
}

absl::Status GroupShard::persist_group(Group& g) {
  GroupValue v;
  v.protocol_type = g.protocol_type;
  v.generation = g.generation;
  v.protocol = g.protocol;
  if (!g.leader.empty()) v.leader = g.leader;
  v.state_timestamp_ms = g.members.empty() ? g.empty_since_ms : wall_ms();
  for (const std::string& id : g.join_order) {
    auto it = g.members.find(id);
    if (it == g.members.end()) continue;
    const Member& m = it->second;
    StoredMember sm;
    sm.member_id = m.id;
    sm.instance_id = m.instance_id;
    sm.client_id = m.client_id;
    sm.client_host = m.client_host;
    sm.session_timeout_ms = m.session_timeout_ms;
    sm.rebalance_timeout_ms = m.rebalance_timeout_ms;
    if (g.protocol) {
      if (const Bytes* md = metadata_for(m.protocols, *g.protocol)) sm.subscription = *md;
    }
    sm.assignment = m.assignment;
    v.members.push_back(std::move(sm));
  }
  Records records;
  records.emplace_back(encode_key(GroupKey{g.id}), encode_group_value(v));
  absl::Status s = append(records);
  if (s.ok()) g.has_metadata = true;
  return s;
}

// ---- timers ----------------------------------------------------------------------------

void GroupShard::expire_offsets(Group& g, std::vector<std::string>* dead) {
  if (g.state != GroupState::kEmpty) return;
  const int64_t t = wall_ms();
  const int64_t retention = options_.config.offsets_retention_ms;
  Records records;
  std::vector<std::pair<std::string, int32_t>> expired;
  for (const auto& [tp, v] : g.offsets) {
    const int64_t since = std::max(v.commit_timestamp_ms, g.empty_since_ms);
    if (t - since >= retention) {
      records.emplace_back(encode_key(OffsetKey{g.id, tp.first, tp.second}), std::nullopt);
      expired.push_back(tp);
    }
  }
  const bool drop_group =
      g.offsets.size() == expired.size() && g.members.empty() && t - g.empty_since_ms >= retention;
  if (drop_group && g.has_metadata) records.emplace_back(encode_key(GroupKey{g.id}), std::nullopt);
  if (records.empty() && !drop_group) return;
  if (!append(records).ok()) return;
  for (const auto& tp : expired) g.offsets.erase(tp);
  if (drop_group) dead->push_back(g.id);
}

ErrorCode GroupShard::unavailable() const {
  return resigned_ ? ErrorCode::kNotCoordinator : ErrorCode::kCoordinatorLoadInProgress;
}

void GroupShard::resign() {
  resigned_ = true;
  shutdown();
}

void GroupShard::shutdown() {
  loaded_ = false;
  for (auto& [id, g] : groups_) {
    for (auto& [mid, m] : g.members) {
      if (m.join_waiter) m.join_waiter->complete(join_error(ErrorCode::kNotCoordinator, mid));
      if (m.sync_waiter) m.sync_waiter->complete(sync_error(ErrorCode::kNotCoordinator));
      m.join_waiter.reset();
      m.sync_waiter.reset();
    }
  }
}

void GroupShard::tick() {
  if (!loaded_) return;
  const TimePoint t = now();
  const bool check_retention = t >= next_retention_check_;
  if (check_retention) {
    next_retention_check_ =
        t + std::chrono::milliseconds(options_.config.retention_check_interval_ms);
  }
  std::vector<std::string> dead;
  for (auto& [id, g] : groups_) {
    bool pending_changed = false;
    for (auto it = g.pending.begin(); it != g.pending.end();) {
      if (t >= it->second) {
        it = g.pending.erase(it);
        pending_changed = true;
      } else {
        ++it;
      }
    }
    std::vector<std::string> expired;
    for (const auto& [mid, m] : g.members) {
      if (m.join_waiter) continue;  // waiting in JoinGroup counts as alive
      if (t >= m.last_seen + std::chrono::milliseconds(m.session_timeout_ms))
        expired.push_back(mid);
    }
    for (const std::string& mid : expired) remove_member(g, mid);
    if (pending_changed || g.state == GroupState::kPreparingRebalance) try_complete_join(g);
    if (check_retention) expire_offsets(g, &dead);
  }
  for (const std::string& id : dead) groups_.erase(id);
}

}  // namespace keel::broker::group
