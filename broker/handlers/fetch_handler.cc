// File: broker/handlers/fetch_handler.cc
#include "broker/handlers/fetch_handler.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/handlers/fetch_records.h"
#include "broker/handlers/handler_util.h"
#include "broker/handlers/partition_leadership.h"
#include "protocol/generated/fetch.h"

namespace keel::broker::handlers {
namespace {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;

// One partition of the request, where its answer goes, and what was read for it.
struct Target {
  FetchResponse::PartitionData* out = nullptr;
  std::shared_ptr<Partition> partition;  // null when out already carries an error
  int32_t current_leader_epoch = -1;
  int64_t fetch_offset = 0;
  int32_t partition_max_bytes = 0;
  storage::FileSlice slice;
};

struct ReadOutcome {
  ErrorCode error = ErrorCode::kNone;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  storage::FileSlice slice;
};

ReadOutcome read_on_owner(Partition& p, bool client, int32_t current_leader_epoch, int64_t offset,
                          int32_t max_bytes, bool min_one_batch,
                          const std::shared_ptr<FetchWaiter>& waiter) {
  ReadOutcome o;
  storage::Log* log = p.log();
  if (log == nullptr) {
    o.error = ErrorCode::kUnknownTopicOrPartition;
    return o;
  }
  // The replica's own role decides (the image the handler read may be a step ahead or behind).
  if (client && !p.is_leader()) {
    o.error = ErrorCode::kNotLeaderOrFollower;
    return o;
  }
  if (current_leader_epoch >= 0 && current_leader_epoch != p.leader_epoch()) {
    o.error = current_leader_epoch > p.leader_epoch() ? ErrorCode::kUnknownLeaderEpoch
                                                      : ErrorCode::kFencedLeaderEpoch;
    return o;
  }
  o.high_watermark = log->high_watermark();
  o.log_start_offset = log->log_start_offset();
  if (offset < log->log_start_offset() || offset > log->log_end_offset()) {
    o.error = ErrorCode::kOffsetOutOfRange;
    return o;
  }
  if (offset < o.high_watermark && max_bytes > 0) {
    absl::StatusOr<storage::FileSlice> slice =
        log->read(offset, max_bytes, o.high_watermark, min_one_batch);
    if (!slice.ok()) {
      o.error = protocol::to_error_code(slice.status());
      return o;
    }
    o.slice = *slice;
  }
  if (o.slice.empty() && waiter != nullptr) p.add_fetch_waiter(waiter);
  return o;
}

}  // namespace

boost::asio::awaitable<HandlerResult> FetchHandler::serve(const RequestContext& ctx,
                                                          const protocol::RequestHeader& header,
                                                          protocol::FetchRequest& req) const {
  const int16_t version = header.api_version;
  const BrokerServices& broker = *ctx.broker;

  FetchResponse resp;
  resp.session_id = 0;
  if (req.session_id != 0) {
    resp.error_code = error_code(ErrorCode::kFetchSessionIdNotFound);
    co_return respond(header, resp);
  }

  // Lay out the response first (its vectors never grow afterwards, so Target pointers into
  // them stay valid), resolving topics and partitions.
  auto image = broker.image();
  const int32_t replica_id = version >= 15 ? req.replica_state.replica_id : req.replica_id;
  const bool client = replica_id < 0;  // consumers read from the leader only
  std::vector<Target> targets;
  resp.responses.reserve(req.topics.size());
  size_t partition_count = 0;
  for (const auto& t : req.topics) partition_count += t.partitions.size();
  targets.reserve(partition_count);
  for (const auto& t : req.topics) {
    FetchResponse::FetchableTopicResponse& tr = resp.responses.emplace_back();
    tr.topic = t.topic;
    tr.topic_id = t.topic_id;
    const controller::TopicImage* topic =
        version >= 13 ? image->topic(t.topic_id) : image->topic(t.topic);
    tr.partitions.reserve(t.partitions.size());
    for (const auto& fp : t.partitions) {
      FetchResponse::PartitionData& pd = tr.partitions.emplace_back();
      pd.partition_index = fp.partition;
      pd.high_watermark = -1;
      pd.last_stable_offset = -1;
      pd.log_start_offset = -1;
      pd.records = protocol::RecordsView{};
      Target target;
      target.out = &pd;
      const controller::PartitionImage* partition_image =
          topic != nullptr ? image->partition(topic->name, fp.partition) : nullptr;
      PartitionLeadership lead;
      if (topic == nullptr) {
        pd.error_code = error_code(version >= 13 ? ErrorCode::kUnknownTopicId
                                                 : ErrorCode::kUnknownTopicOrPartition);
      } else if (partition_image == nullptr) {
        pd.error_code = error_code(ErrorCode::kUnknownTopicOrPartition);
      } else if (client &&
                 (lead = partition_leadership(*image, *partition_image, broker.config->node_id))
                         .error != ErrorCode::kNone) {
        pd.error_code = error_code(ErrorCode::kNotLeaderOrFollower);
        // KIP-951: where to fetch instead.
        if (version >= 16 && lead.current_leader != nullptr) {
          pd.current_leader.leader_id = lead.current_leader->node_id;
          pd.current_leader.leader_epoch = lead.leader_epoch;
          add_node_endpoint(resp.node_endpoints, *lead.current_leader, ctx.listener);
        }
      } else if ((target.partition = broker.partitions->get(topic->name, fp.partition)) ==
                 nullptr) {
        pd.error_code = error_code(ErrorCode::kNotLeaderOrFollower);
      }
      target.current_leader_epoch = fp.current_leader_epoch;
      target.fetch_offset = fp.fetch_offset;
      target.partition_max_bytes = fp.partition_max_bytes;
      targets.push_back(std::move(target));
    }
  }

  net::TimerService* timers = broker.timers;
  const int64_t deadline = timers->now_ms() + std::max(0, req.max_wait_ms);
  const bool may_wait = req.max_wait_ms > 0 && req.min_bytes > 0;
  std::shared_ptr<FetchWaiter> waiter;
  if (may_wait) {
    waiter = std::make_shared<FetchWaiter>(co_await boost::asio::this_coro::executor, timers);
  }
  // Bounded: every pass either returns or waits until an append or the deadline.
  for (int pass = 0;; ++pass) {
    int64_t total = 0;
    int64_t remaining = std::max(0, req.max_bytes);
    bool any_error = false;
    for (Target& target : targets) {
      if (target.partition == nullptr) {
        any_error = true;
        continue;
      }
      const int32_t budget = static_cast<int32_t>(
          std::min<int64_t>(std::max(0, target.partition_max_bytes), remaining));
      const bool min_one = total == 0;  // KIP-74: the first data may exceed the limits
      auto read = [client, epoch = target.current_leader_epoch, offset = target.fetch_offset,
                   budget, min_one, waiter](Partition& p) {
        return read_on_owner(p, client, epoch, offset, budget, min_one, waiter);
      };
      // Named locals, never temporaries inside a co_await expression (broker_services.h).
      auto reading = PartitionManager::on_owner(target.partition, std::move(read));
      ReadOutcome o = co_await std::move(reading);
      FetchResponse::PartitionData& pd = *target.out;
      pd.error_code = error_code(o.error);
      pd.high_watermark = o.high_watermark;
      pd.last_stable_offset = o.high_watermark;
      pd.log_start_offset = o.log_start_offset;
      target.slice = o.slice;
      if (o.error != ErrorCode::kNone) any_error = true;
      total += static_cast<int64_t>(o.slice.size);
      remaining = std::max<int64_t>(0, remaining - static_cast<int64_t>(o.slice.size));
    }
    if (!may_wait || any_error || total >= req.min_bytes || timers->now_ms() >= deadline) break;
    auto waiting = waiter->wait_until(deadline);
    co_await std::move(waiting);
  }

  std::vector<FetchedRecords> records;
  records.reserve(targets.size());
  for (Target& target : targets) {
    if (target.slice.empty()) continue;
    records.push_back({&target.out->records, target.slice});
  }
  co_return encode_fetch_response(header, resp, records);
}

}  // namespace keel::broker::handlers
