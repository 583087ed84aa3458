// File: broker/group/group_coordinator.cc
#include "broker/group/group_coordinator.h"

#include <algorithm>
#include <chrono>
#include <future>

#include "broker/controller_calls.h"
#include "protocol/error_code.h"
#include "protocol/records/batch_iterator.h"
#include "protocol/records/batch_records.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "storage/file_slice.h"

namespace keel::broker::group {
namespace {

namespace asio = boost::asio;
using protocol::ErrorCode;

constexpr int64_t kTickIntervalMs = 100;
constexpr int32_t kLoadReadBytes = 1 << 20;
constexpr size_t kMaxDecompressed = 64u << 20;

// Appends the records as one batch through the partition (owner thread), stamped `ts`.
absl::Status append_records(Partition& p, const GroupShard::Records& records, int64_t ts) {
  if (p.log() == nullptr) {
    return protocol::kafka_error(ErrorCode::kNotCoordinator, "offsets partition was deleted");
  }
  // Leadership moved and the shard is about to be resigned: nothing more is written here.
  if (!p.is_leader()) {
    return protocol::kafka_error(ErrorCode::kNotCoordinator,
                                 "this node no longer leads the offsets partition");
  }
  protocol::RecordBatchBuilder builder;
  for (const auto& [key, value] : records) {
    protocol::RecordInput in;
    in.timestamp = ts;
    in.key = protocol::ByteView(key.data(), key.size());
    if (value) in.value = protocol::ByteView(value->data(), value->size());
    builder.append(in);
  }
  absl::StatusOr<protocol::Bytes> batch = builder.build();
  if (!batch.ok()) return batch.status();
  absl::StatusOr<storage::AppendResult> r =
      p.append_as_leader(protocol::RecordsView(batch->data(), batch->size()));
  return r.status();
}

// Reads the partition from its start and replays every record into the shard.
absl::Status load_partition(Partition& p, GroupShard& shard) {
  storage::Log* log = p.log();
  if (log == nullptr) return absl::OkStatus();
  int64_t offset = log->log_start_offset();
  const int64_t end = log->log_end_offset();
  while (offset < end) {
    absl::StatusOr<storage::FileSlice> slice = log->read(offset, kLoadReadBytes, end, true);
    if (!slice.ok()) return slice.status();
    if (slice->empty()) break;
    absl::StatusOr<protocol::Bytes> bytes = storage::read_slice(*slice);
    if (!bytes.ok()) return bytes.status();
    protocol::BatchIterator it{std::span<const uint8_t>(*bytes)};
    int64_t next = offset;
    while (it.next()) {
      absl::StatusOr<protocol::RecordBatchHeader> h = protocol::parse_batch_header(it.batch());
      if (!h.ok()) return h.status();
      next = h->base_offset + h->last_offset_delta + 1;
      if ((h->attributes & protocol::batch_attr::kControl) != 0) continue;
      absl::StatusOr<protocol::BatchRecords> records =
          protocol::BatchRecords::open(it.batch(), kMaxDecompressed);
      if (!records.ok()) return records.status();
      protocol::RecordReader reader = records->reader();
      protocol::RecordView rv;
      while (reader.next(rv)) {
        if (!rv.key) continue;
        absl::StatusOr<RecordKey> key = decode_key(*rv.key);
        if (!key.ok()) continue;
        std::optional<std::span<const uint8_t>> value;
        if (rv.value) value = *rv.value;
        shard.replay(*key, value);
      }
    }
    if (next <= offset) break;
    offset = next;
  }
  return absl::OkStatus();
}

}  // namespace

int32_t partition_for_group(std::string_view group_id, int32_t num_partitions) {
  if (num_partitions <= 0) return 0;
  // Java's String.hashCode over UTF-16 code units of the UTF-8 text.
  uint32_t h = 0;
  auto add = [&h](uint32_t unit) { h = h * 31 + unit; };
  size_t i = 0;
  while (i < group_id.size()) {
    const auto c = static_cast<unsigned char>(group_id[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0 && i + 3 < group_id.size()) {
      cp = ((c & 0x07u) << 18) | ((group_id[i + 1] & 0x3Fu) << 12) |
           ((group_id[i + 2] & 0x3Fu) << 6) | (group_id[i + 3] & 0x3Fu);
      len = 4;
    } else if (c >= 0xE0 && i + 2 < group_id.size()) {
      cp = ((c & 0x0Fu) << 12) | ((group_id[i + 1] & 0x3Fu) << 6) | (group_id[i + 2] & 0x3Fu);
      len = 3;
    } else if (c >= 0xC0 && i + 1 < group_id.size()) {
      cp = ((c & 0x1Fu) << 6) | (group_id[i + 1] & 0x3Fu);
      len = 2;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      add(0xD800 + (cp >> 10));
      add(0xDC00 + (cp & 0x3FF));
    } else {
      add(cp);
    }
    i += len;
  }
  const int32_t positive = static_cast<int32_t>(h & 0x7fffffffu);
  return positive % num_partitions;
}

GroupCoordinator::GroupCoordinator(CoordinatorOptions options) : options_(std::move(options)) {
  const BrokerConfig& c = *options_.config;
  group_config_.min_session_timeout_ms = c.group_min_session_timeout_ms;
  group_config_.max_session_timeout_ms = c.group_max_session_timeout_ms;
  group_config_.initial_rebalance_delay_ms = c.group_initial_rebalance_delay_ms;
  group_config_.max_size = c.group_max_size;
  group_config_.offsets_retention_ms = int64_t{c.offsets_retention_minutes} * 60 * 1000;
  table_.store(std::make_shared<const Table>());
  lifeline_->coordinator = this;
}

GroupCoordinator::~GroupCoordinator() { stop(); }

void GroupCoordinator::stop() {
  {
    // Waits for a reconcile in progress; none starts afterwards.
    std::lock_guard lock(lifeline_->mu);
    lifeline_->coordinator = nullptr;
  }
  if (stopping_->exchange(true)) return;
  for (const std::shared_ptr<GroupShard>& shard : shards()) {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    asio::post(shard->executor(), [shard, done] {
      shard->shutdown();
      done->set_value();
    });
    // Bounded: a shard whose executor no longer runs cannot answer.
    finished.wait_for(std::chrono::seconds(5));
  }
}

void GroupCoordinator::info(const std::string& message) const {
  if (options_.log) options_.log("groups: " + message);
}

void GroupCoordinator::start() {
  if (!subscribed_) {
    subscribed_ = true;
    options_.metadata->subscribe(
        [life = lifeline_](const controller::MetadataDelta& delta,
                           std::shared_ptr<const controller::MetadataImage>) {
          const std::string name(kOffsetsTopic);
          bool offsets_changed = delta.changed_topics().count(name) > 0;
          for (const auto& [id, removed] : delta.removed_topics())
            offsets_changed |= removed == name;
          if (!offsets_changed) return;
          std::lock_guard lock(life->mu);
          if (life->coordinator != nullptr) life->coordinator->schedule_reconcile();
        });
  }
  // The state so far (changes from now on arrive through the subscription).
  std::lock_guard lock(lifeline_->mu);
  if (lifeline_->coordinator != nullptr) reconcile();
}

std::vector<std::shared_ptr<GroupShard>> GroupCoordinator::shards() const {
  std::vector<std::shared_ptr<GroupShard>> out;
  for (const Slot& s : table_.load()->slots) {
    if (s.shard) out.push_back(s.shard);
  }
  return out;
}

GroupCoordinator::Route GroupCoordinator::route(std::string_view group_id) {
  Route r;
  auto image = options_.metadata->image();
  const controller::TopicImage* topic = image->topic(std::string(kOffsetsTopic));
  if (topic == nullptr || topic->partitions.empty()) {
    ensure_topic();
    r.error = static_cast<int16_t>(ErrorCode::kCoordinatorNotAvailable);
    return r;
  }
  const int32_t p = partition_for_group(group_id, static_cast<int32_t>(topic->partitions.size()));
  auto pit = topic->partitions.find(p);
  if (pit == topic->partitions.end() || pit->second.leader < 0) {
    r.error = static_cast<int16_t>(ErrorCode::kCoordinatorNotAvailable);
    return r;
  }
  const controller::BrokerImage* leader = image->broker(pit->second.leader);
  if (leader == nullptr || leader->fenced) {
    r.error = static_cast<int16_t>(ErrorCode::kCoordinatorNotAvailable);
    return r;
  }
  r.coordinator = pit->second.leader;
  if (r.coordinator != options_.node_id) {
    r.error = static_cast<int16_t>(ErrorCode::kNotCoordinator);
    return r;
  }
  auto table = table_.load();
  if (static_cast<size_t>(p) >= table->slots.size() || !table->slots[p].shard) {
    // Led here but not set up yet (the change is being applied): retriable.
    schedule_reconcile();
    r.error = static_cast<int16_t>(ErrorCode::kCoordinatorNotAvailable);
    return r;
  }
  r.shard = table->slots[p].shard;
  return r;
}

void GroupCoordinator::ensure_topic() {
  if (creating_.exchange(true)) return;
  asio::co_spawn(options_.control, create_topic(), asio::detached);
}

asio::awaitable<void> GroupCoordinator::create_topic() {
  // On the control thread, which runs controller operations.
  auto image = options_.metadata->image();
  if (image->topic(std::string(kOffsetsTopic)) == nullptr) {
    controller::NewTopic t;
    t.name = std::string(kOffsetsTopic);
    t.num_partitions = options_.config->offsets_topic_num_partitions;
    int brokers = 0;
    for (const auto& [id, b] : image->brokers()) {
      if (!b.fenced) ++brokers;
    }
    t.replication_factor = static_cast<int16_t>(
        std::max(1, std::min<int>(options_.config->offsets_topic_replication_factor, brokers)));
    t.configs["cleanup.policy"] = "compact";
    t.configs["compression.type"] = "producer";
    t.configs["segment.bytes"] = "104857600";
    std::vector<controller::NewTopic> topics{std::move(t)};
    controller::ControllerClient* c = options_.controller;
    auto call = await_controller<std::vector<controller::CreateTopicResult>>(
        [c, &topics](auto done) { c->create_topics(topics, false, std::move(done)); });
    std::vector<controller::CreateTopicResult> results = co_await std::move(call);
    if (results.empty() || !results.front().status.ok()) {
      info("creating " + std::string(kOffsetsTopic) + ": " +
           (results.empty() ? std::string("no result")
                            : std::string(results.front().status.message())));
    } else {
      info("created " + std::string(kOffsetsTopic) + " with " +
           std::to_string(options_.config->offsets_topic_num_partitions) + " partitions");
    }
  }
  {
    std::lock_guard lock(lifeline_->mu);
    if (lifeline_->coordinator != nullptr) reconcile();
  }
  creating_.store(false);
  co_return;
}

void GroupCoordinator::schedule_reconcile() {
  if (reconcile_pending_.exchange(true)) return;
  asio::post(options_.control, [life = lifeline_] {
    std::lock_guard lock(life->mu);
    if (life->coordinator == nullptr) return;
    // Cleared first: a change published while this runs schedules another pass.
    life->coordinator->reconcile_pending_.store(false);
    life->coordinator->reconcile();
  });
}

void GroupCoordinator::reconcile() {
  auto image = options_.metadata->image();
  const controller::TopicImage* topic = image->topic(std::string(kOffsetsTopic));
  auto old = table_.load();
  auto table = std::make_shared<Table>();
  if (topic != nullptr) {
    table->topic_id = topic->id;
    table->slots.resize(topic->partitions.size());
  }
  const bool same_topic = topic != nullptr && old->topic_id == topic->id;
  std::vector<std::pair<int32_t, std::shared_ptr<GroupShard>>> resigned;
  for (size_t pid = 0; pid < old->slots.size(); ++pid) {
    const Slot& slot = old->slots[pid];
    if (!slot.shard) continue;
    const controller::PartitionImage* now =
        same_topic ? image->partition(topic->name, static_cast<int32_t>(pid)) : nullptr;
    // Kept only for the same leadership: after a new leader epoch the log may hold another
    // leader's writes, so the groups are read back again.
    if (now != nullptr && pid < table->slots.size() && now->leader == options_.node_id &&
        now->leader_epoch == slot.leader_epoch) {
      table->slots[pid] = slot;
    } else {
      resigned.emplace_back(static_cast<int32_t>(pid), slot.shard);
    }
  }
  std::vector<int32_t> led;
  if (topic != nullptr) {
    for (const auto& [pid, pimage] : topic->partitions) {
      if (pid < 0 || static_cast<size_t>(pid) >= table->slots.size()) continue;
      if (pimage.leader != options_.node_id || table->slots[pid].shard) continue;
      // Not hosted yet: the PartitionManager applies changes before they reach here, so a
      // later change (which schedules another pass) brings it.
      std::shared_ptr<Partition> partition = options_.partitions->get(topic->name, pid);
      if (!partition) continue;
      std::shared_ptr<GroupShard> shard = make_shard(partition);
      table->slots[pid] = Slot{shard, pimage.leader_epoch};
      led.push_back(pid);
      asio::co_spawn(partition->owner(),
                     load_and_tick(shard, partition, stopping_, options_.timers, options_.log),
                     asio::detached);
    }
  }
  table_.store(std::shared_ptr<const Table>(std::move(table)));
  for (const auto& [pid, shard] : resigned) {
    asio::post(shard->executor(), [shard = shard] { shard->resign(); });
    info("resigned as coordinator of " + std::string(kOffsetsTopic) + "-" + std::to_string(pid));
  }
  for (int32_t pid : led) {
    info("loading the groups of " + std::string(kOffsetsTopic) + "-" + std::to_string(pid));
  }
}

std::shared_ptr<GroupShard> GroupCoordinator::make_shard(
    const std::shared_ptr<Partition>& partition) {
  GroupShard::Options o;
  o.executor = partition->owner();
  o.config = group_config_;
  o.clock = &options_.timers->clock();
  o.random = options_.random;
  std::weak_ptr<Partition> weak = partition;
  o.append = [weak, clock = o.clock](const GroupShard::Records& records) {
    std::shared_ptr<Partition> p = weak.lock();
    if (!p) return protocol::kafka_error(ErrorCode::kNotCoordinator, "offsets partition gone");
    return append_records(*p, records, clock->now_ms());
  };
  return std::make_shared<GroupShard>(std::move(o));
}

asio::awaitable<void> GroupCoordinator::load_and_tick(std::shared_ptr<GroupShard> shard,
                                                      std::shared_ptr<Partition> partition,
                                                      std::shared_ptr<std::atomic<bool>> stopping,
                                                      net::TimerService* timers,
                                                      std::function<void(std::string_view)> log) {
  if (shard->resigned()) co_return;  // leadership moved on before the load started
  absl::Status s = load_partition(*partition, *shard);
  if (!s.ok() && log) {
    log("groups: loading " + storage::partition_dir_name(partition->tp()) + ": " +
        std::string(s.message()));
  }
  shard->finish_load();
  partition.reset();
  std::unique_ptr<net::Timer> timer = timers->make_timer(shard->executor());
  while (!stopping->load() && !shard->resigned()) {
    auto wait = timer->wait_until(timers->now_ms() + kTickIntervalMs);
    co_await std::move(wait);
    if (stopping->load() || shard->resigned()) break;
    shard->tick();
  }
}

asio::awaitable<JoinResult> GroupCoordinator::run_join(std::shared_ptr<GroupShard> shard,
                                                       JoinRequest request) {
  auto op = shard->join(std::move(request));
  JoinResult r = co_await std::move(op);
  co_return r;
}

asio::awaitable<SyncResult> GroupCoordinator::run_sync(std::shared_ptr<GroupShard> shard,
                                                       SyncRequest request) {
  auto op = shard->sync(std::move(request));
  SyncResult r = co_await std::move(op);
  co_return r;
}

asio::awaitable<JoinResult> GroupCoordinator::join(std::shared_ptr<GroupShard> shard,
                                                   JoinRequest request) {
  asio::any_io_executor ex = shard->executor();
  return asio::co_spawn(ex, run_join(std::move(shard), std::move(request)), asio::use_awaitable);
}

asio::awaitable<SyncResult> GroupCoordinator::sync(std::shared_ptr<GroupShard> shard,
                                                   SyncRequest request) {
  asio::any_io_executor ex = shard->executor();
  return asio::co_spawn(ex, run_sync(std::move(shard), std::move(request)), asio::use_awaitable);
}

}  // namespace keel::broker::group
