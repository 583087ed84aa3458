// File: broker/group/group_shard.h
// The groups of one `__consumer_offsets` partition: Kafka's classic group state machine
// (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead), static membership, and the
// committed offsets, with every change written to the partition as records
// (group_records.h).
//
// Threading: a GroupShard is owned by one executor (the owner shard of its
// `__consumer_offsets` partition, so appends happen in the same step). Every method runs
// there; GroupCoordinator (group_coordinator.h) hops there from handlers. No locks.
//
// Time: `now()` (steady, timeouts) and `wall_ms()` (commit timestamps, retention) come from
// the options so tests drive them by hand; tick() fires whatever timeouts have passed (the
// coordinator calls it every 100 ms). JoinGroup and SyncGroup wait (coroutines suspended on
// a Waiter) until the rebalance step they need completes; every waiter is completed exactly
// once: with a result, or with an error when its member is removed or replaced.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "broker/group/group_records.h"
#include "broker/net/asio.h"
#include "protocol/error_code.h"
#include "protocol/wire/types.h"
#include "storage/clock.h"
#include "storage/random.h"

namespace keel::broker::group {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using protocol::Bytes;

struct GroupConfig {
  int32_t min_session_timeout_ms = 6000;
  int32_t max_session_timeout_ms = 1800000;
  int32_t initial_rebalance_delay_ms = 3000;
  int32_t max_size = 2147483647;
  int64_t offsets_retention_ms = 7LL * 24 * 3600 * 1000;
  // How often tick() looks for expired offsets (Kafka's offsets.retention.check.interval.ms
  // is 10 minutes); 0 = every tick.
  int64_t retention_check_interval_ms = 60000;
  int32_t offset_metadata_max_bytes = 4096;
};

enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };
const char* state_name(GroupState state);

// A suspended JoinGroup/SyncGroup: complete() stores the result and wakes the coroutine.
template <typename T>
struct Waiter {
  explicit Waiter(const boost::asio::any_io_executor& ex) : timer(ex) {
    timer.expires_at(boost::asio::steady_timer::time_point::max());
  }
  void complete(T r) {
    if (result) return;
    result = std::move(r);
    timer.cancel();
  }
  boost::asio::steady_timer timer;
  std::optional<T> result;
};

struct Protocol {
  std::string name;
  Bytes metadata;
  bool operator==(const Protocol&) const = default;
};

struct JoinRequest {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<Protocol> protocols;
  bool require_known_member_id = false;  // JoinGroup v4+
};

struct JoinMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  Bytes metadata;
};

struct JoinResult {
  int16_t error = 0;
  int32_t generation = -1;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<JoinMember> members;  // the leader's only
};

struct SyncRequest {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<std::pair<std::string, Bytes>> assignments;
};

struct SyncResult {
  int16_t error = 0;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  Bytes assignment;
};

struct MemberIdentity {
  std::string member_id;
  std::optional<std::string> instance_id;
};

struct CommitEntry {
  std::string topic;
  int32_t partition = 0;
  OffsetValue value;
};

struct CommitRequest {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::vector<CommitEntry> offsets;
};

struct FetchedOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int16_t error = 0;
};

struct DescribedMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  Bytes metadata;
  Bytes assignment;
};

struct DescribedGroup {
  int16_t error = 0;
  std::string group_id;
  std::string state;
  std::string protocol_type;
  std::string protocol;
  std::vector<DescribedMember> members;
};

struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
  std::string state;
};

using TopicPartitions = std::vector<std::pair<std::string, std::vector<int32_t>>>;

class GroupShard {
 public:
  // Records to append: key and value (nullopt = tombstone).
  using Records = std::vector<std::pair<Bytes, std::optional<Bytes>>>;

  struct Options {
    boost::asio::any_io_executor executor;
    GroupConfig config;
    storage::Clock* clock = nullptr;                     // null = Clock::system()
    storage::Random* random = nullptr;                   // member ids; null = Random::system()
    std::function<absl::Status(const Records&)> append;  // empty = keep nothing
  };

  explicit GroupShard(Options options);
  GroupShard(const GroupShard&) = delete;
  GroupShard& operator=(const GroupShard&) = delete;

  const boost::asio::any_io_executor& executor() const { return options_.executor; }

  // ---- loading (owner) ---------------------------------------------------------------
  // Until finish_load(), requests answer COORDINATOR_LOAD_IN_PROGRESS.
  bool loaded() const { return loaded_; }
  // Applies one record read back from the partition (value nullopt = tombstone).
  void replay(const RecordKey& key, std::optional<std::span<const uint8_t>> value);
  void finish_load();

  // ---- requests (owner) --------------------------------------------------------------
  boost::asio::awaitable<JoinResult> join(JoinRequest request);
  boost::asio::awaitable<SyncResult> sync(SyncRequest request);
  int16_t heartbeat(const std::string& group_id, int32_t generation, const std::string& member_id,
                    const std::optional<std::string>& instance_id);
  // One error per member, in order.
  std::vector<int16_t> leave(const std::string& group_id,
                             const std::vector<MemberIdentity>& members);
  // One error per entry, in order.
  std::vector<int16_t> commit(const CommitRequest& request);
  // `topics` nullopt = every committed offset of the group. The error is the group's.
  std::pair<int16_t, std::vector<FetchedOffset>> fetch_offsets(
      const std::string& group_id, const std::optional<TopicPartitions>& topics) const;
  std::vector<ListedGroup> list() const;
  DescribedGroup describe(const std::string& group_id) const;
  int16_t delete_group(const std::string& group_id);
  // The group's error, and one error per partition in order.
  std::pair<int16_t, std::vector<int16_t>> delete_offsets(const std::string& group_id,
                                                          const TopicPartitions& topics);

  // Fires session, rebalance and join-delay timeouts and offset retention.
  void tick();

  // The node is stopping: every waiting JoinGroup/SyncGroup answers NOT_COORDINATOR (so a
  // graceful stop does not wait for rebalances) and later requests COORDINATOR_LOAD_IN_PROGRESS.
  void shutdown();
  // This node no longer leads the partition: like shutdown(), but later requests answer
  // NOT_COORDINATOR (clients look the coordinator up again) and the shard never loads.
  void resign();
  bool resigned() const { return resigned_; }

  // ---- introspection (tests) ---------------------------------------------------------
  std::optional<GroupState> state(const std::string& group_id) const;
  int32_t generation(const std::string& group_id) const;

 private:
  struct Member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    std::string protocol_type;
    std::vector<Protocol> protocols;
    Bytes assignment;
    TimePoint last_seen;
    std::shared_ptr<Waiter<JoinResult>> join_waiter;
    std::shared_ptr<Waiter<SyncResult>> sync_waiter;
  };

  struct Group {
    std::string id;
    GroupState state = GroupState::kEmpty;
    int32_t generation = 0;
    std::string protocol_type;
    std::optional<std::string> protocol;
    std::string leader;
    std::map<std::string, Member> members;
    std::vector<std::string> join_order;                // member ids, oldest first
    std::map<std::string, std::string> static_members;  // instance id -> member id
    std::map<std::string, TimePoint> pending;           // MEMBER_ID_REQUIRED handed out
    TimePoint rebalance_deadline;
    TimePoint initial_delay_until;
    TimePoint rebalance_start;
    bool initial_phase = false;
    bool has_metadata = false;  // a group metadata record exists
    int64_t empty_since_ms = 0;
    std::map<std::pair<std::string, int32_t>, OffsetValue> offsets;
  };

  TimePoint now() const;
  int64_t wall_ms() const;
  Group* find(const std::string& id);
  const Group* find(const std::string& id) const;
  Group& create(const std::string& id);
  std::string new_member_id(const std::string& client_id);
  bool protocols_compatible(const Group& g, const JoinRequest& r) const;
  Member& add_member(Group& g, const std::string& id, const JoinRequest& r);
  void update_member(Member& m, const JoinRequest& r);
  void prepare_rebalance(Group& g);
  void try_complete_join(Group& g);
  void complete_join(Group& g);
  std::optional<std::string> select_protocol(const Group& g) const;
  JoinResult current_generation(const Group& g, const Member& m, bool include_members) const;
  void remove_member(Group& g, const std::string& member_id);
  absl::Status persist_group(Group& g);
  absl::Status append(const Records& records);
  boost::asio::awaitable<JoinResult> wait_join(Member& m, Group& g);
  void expire_offsets(Group& g, std::vector<std::string>* dead);
  // What requests answer while not loaded.
  protocol::ErrorCode unavailable() const;

  Options options_;
  bool loaded_ = false;
  bool resigned_ = false;
  TimePoint next_retention_check_{};
  std::map<std::string, Group> groups_;
};

}  // namespace keel::broker::group
