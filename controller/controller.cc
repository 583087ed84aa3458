#include "controller/controller.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "controller/control/broker_control.h"
#include "controller/control/cluster_control.h"
#include "controller/control/commit_failure.h"
#include "controller/control/config_control.h"
#include "controller/control/leader_election.h"
#include "controller/control/partition_control.h"
#include "controller/control/topic_control.h"
#include "controller/meta_properties.h"
#include "controller/metadata_log.h"
#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/log.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;
using protocol::kafka_error;

// The leader epoch stamped into metadata batches. A quorum of one never changes leader; Raft
// will stamp its term here.
constexpr int32_t kMetadataLeaderEpoch = 0;

// `status` with `prefix` before its message, keeping its code and Kafka error.
absl::Status with_prefix(const absl::Status& status, std::string_view prefix) {
  absl::Status out(status.code(), absl::StrCat(std::string(prefix), std::string(status.message())));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  return out;
}

}  // namespace

struct Controller::Impl {
  storage::Env* env = nullptr;
  storage::Clock* clock = nullptr;
  ControllerOptions options;

  // Serializes operations; guards everything below but the publisher.
  std::mutex mu;
  std::unique_ptr<storage::Log> log;
  bool closed = false;
  // Set when the metadata log no longer matches the image (a failed fsync whose records could
  // not be taken back out): every operation is refused until the node restarts.
  absl::Status failed;

  // Where committed changes are published: the node's, or our own.
  std::unique_ptr<MetadataPublisher> own_publisher;
  MetadataPublisher* publisher = nullptr;

  ~Impl() {
    if (log && !closed) (void)log->close();
  }

  void log_line(std::string_view line) const {
    if (options.log) options.log(line);
  }

  std::shared_ptr<const MetadataImage> current() const { return publisher->image(); }

  absl::Status check_usable() const {
    if (closed) {
      return kafka_error(ErrorCode::kNotController, "the controller is closed",
                         absl::StatusCode::kFailedPrecondition);
    }
    return failed;
  }

  // Appends `records` as one batch, makes it durable, then publishes the new image and tells
  // the subscribers. Caller holds mu. On error nothing is committed and the image is unchanged.
  absl::Status commit(const std::vector<metadata::MetadataRecord>& records) {
    if (records.empty()) return absl::OkStatus();
    KEEL_RETURN_IF_ERROR(check_usable());
    MetadataDelta delta(current());
    const int64_t first = log->log_end_offset();
    for (size_t i = 0; i < records.size(); ++i) {
      absl::Status s = delta.replay(records[i], first + static_cast<int64_t>(i));
      if (!s.ok()) {
        return absl::InternalError(absl::StrCat(
            "controller produced a record that does not apply: ", std::string(s.message())));
      }
    }
    KEEL_ASSIGN_OR_RETURN(protocol::Bytes batch, encode_metadata_batch(records, clock->now_ms()));
    KEEL_ASSIGN_OR_RETURN(
        storage::AppendResult appended,
        log->append(protocol::RecordsView(batch.data(), batch.size()), kMetadataLeaderEpoch));
    if (appended.base_offset != first) {
      failed = absl::InternalError(absl::StrCat("metadata batch appended at offset ",
                                                appended.base_offset, ", expected ", first));
      return failed;
    }
    absl::StatusOr<int64_t> flushed = log->flush();
    if (!flushed.ok()) {
      // Not durable, so not committed: take the batch back out so the log matches the image.
      absl::Status cut = log->truncate_to(first);
      if (!cut.ok()) {
        failed = with_prefix(cut,
                             "the metadata log could not be cut back after a failed fsync "
                             "and is unusable until restart: ");
        log_line(std::string(failed.message()));
      }
      return flushed.status();
    }
    log->set_high_watermark(log->log_end_offset());
    publisher->publish(delta, delta.apply());
    return absl::OkStatus();
  }

  // Commits a control manager's records (caller holds mu). A commit failure becomes the
  // answer of every accepted part: `fail(status)` writes it into the response.
  template <typename Response, typename Fail>
  absl::Status commit_result(ControllerResult<Response>& result, Fail fail) {
    absl::Status committed = commit(result.records);
    if (!committed.ok()) fail(committed, result.response);
    return committed;
  }
};

Controller::Controller(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Controller::~Controller() {
  if (impl_) (void)close();
}

absl::StatusOr<std::unique_ptr<Controller>> Controller::open(storage::Env* env,
                                                             storage::Clock* clock,
                                                             ControllerOptions options) {
  if (options.log_dirs.empty()) {
    return kafka_error(ErrorCode::kInvalidConfig, "the controller needs at least one log dir",
                       absl::StatusCode::kInvalidArgument);
  }
  if (options.node_id < 0) {
    return kafka_error(ErrorCode::kInvalidConfig,
                       absl::StrCat("node.id ", options.node_id, " is negative"),
                       absl::StatusCode::kInvalidArgument);
  }
  auto impl = std::make_unique<Impl>();
  impl->env = env;
  impl->clock = clock;
  impl->options = std::move(options);
  if (impl->options.publisher == nullptr) {
    impl->own_publisher = std::make_unique<MetadataPublisher>();
    impl->options.publisher = impl->own_publisher.get();
  }
  impl->publisher = impl->options.publisher;
  const ControllerOptions& opts = impl->options;

  KEEL_ASSIGN_OR_RETURN(std::string cluster_id,
                        ensure_meta_properties(env, opts.log_dirs, opts.node_id, opts.cluster_id,
                                               *opts.control.random));

  storage::RecoveryOptions recovery;
  recovery.log = opts.log;
  const std::string dir = storage::join_path(opts.log_dirs.front(), kMetadataLogDirName);
  KEEL_ASSIGN_OR_RETURN(impl->log,
                        storage::Log::open(env, clock, dir, metadata_log_config(), recovery));
  storage::Log& log = *impl->log;

  MetadataDelta delta(std::make_shared<const MetadataImage>());
  int64_t replayed = 0;
  KEEL_RETURN_IF_ERROR(read_metadata_log(
      log, log.log_start_offset(), log.log_end_offset(),
      [&delta, &replayed](const metadata::MetadataRecord& record, int64_t offset) {
        ++replayed;
        return delta.replay(record, offset);
      }));
  // Everything that survived recovery was fsynced before it was acknowledged: committed.
  log.set_high_watermark(log.log_end_offset());
  delta.set_cluster_id(cluster_id);
  delta.set_controller_id(opts.node_id);
  impl->publisher->reset(delta.apply());
  impl->log_line(absl::StrCat("metadata log ", dir, ": replayed ", replayed,
                              " record(s), log end offset ", log.log_end_offset(), ", cluster id ",
                              cluster_id));

  // Register this node. Its epoch is the offset of its registration record, so it grows with
  // every restart.
  BrokerRegistration registration{opts.node_id, opts.advertised_endpoints, opts.rack};
  auto registered = register_broker(*impl->current(), registration, log.log_end_offset());
  const int64_t epoch = registered.response;
  {
    std::lock_guard<std::mutex> lock(impl->mu);
    KEEL_RETURN_IF_ERROR(impl->commit(registered.records));
  }
  impl->log_line(absl::StrCat("registered node ", opts.node_id, " with broker epoch ", epoch));
  return std::unique_ptr<Controller>(new Controller(std::move(impl)));
}

std::shared_ptr<const MetadataImage> Controller::image() const { return impl_->current(); }

void Controller::subscribe(Subscriber subscriber) {
  impl_->publisher->subscribe(std::move(subscriber));
}

int32_t Controller::node_id() const { return impl_->options.node_id; }

std::vector<CreateTopicResult> Controller::create_topics(const std::vector<NewTopic>& topics,
                                                         bool validate_only) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (absl::Status s = impl_->check_usable(); !s.ok()) {
    std::vector<CreateTopicResult> results(topics.size());
    for (CreateTopicResult& result : results) result.status = s;
    return results;
  }
  auto result =
      controller::create_topics(*impl_->current(), impl_->options.control, topics, validate_only);
  if (result.records.empty()) return result.response;
  if (!impl_->commit_result(result, FailAccepted{}).ok()) return result.response;
  for (size_t i = 0; i < topics.size(); ++i) {
    const CreateTopicResult& r = result.response[i];
    if (!r.status.ok()) continue;
    impl_->log_line(absl::StrCat("created topic ", topics[i].name, " (id ",
                                 uuid_to_string(r.topic_id), ", ", r.num_partitions,
                                 " partition(s), replication factor ", r.replication_factor, ")"));
  }
  return result.response;
}

std::vector<absl::Status> Controller::delete_topics(const std::vector<std::string>& names) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (absl::Status s = impl_->check_usable(); !s.ok()) {
    return std::vector<absl::Status>(names.size(), s);
  }
  auto result = controller::delete_topics(*impl_->current(), names);
  if (!result.records.empty() && impl_->commit_result(result, FailAccepted{}).ok()) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (result.response[i].ok()) impl_->log_line("deleted topic " + names[i]);
    }
  }
  return result.response;
}

std::vector<absl::Status> Controller::delete_topics_by_id(const std::vector<Uuid>& ids) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (absl::Status s = impl_->check_usable(); !s.ok()) {
    return std::vector<absl::Status>(ids.size(), s);
  }
  auto result = controller::delete_topics_by_id(*impl_->current(), ids);
  if (!result.records.empty() && impl_->commit_result(result, FailAccepted{}).ok()) {
    for (size_t i = 0; i < ids.size(); ++i) {
      if (result.response[i].ok()) impl_->log_line("deleted topic id " + uuid_to_string(ids[i]));
    }
  }
  return result.response;
}

std::vector<absl::Status> Controller::create_partitions(const std::vector<NewPartitions>& requests,
                                                        bool validate_only) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (absl::Status s = impl_->check_usable(); !s.ok()) {
    return std::vector<absl::Status>(requests.size(), s);
  }
  auto result = controller::create_partitions(*impl_->current(), requests, validate_only);
  if (!result.records.empty() && impl_->commit_result(result, FailAccepted{}).ok()) {
    for (size_t i = 0; i < requests.size(); ++i) {
      if (!result.response[i].ok()) continue;
      impl_->log_line(absl::StrCat("topic ", requests[i].topic, " now has ", requests[i].new_total,
                                   " partition(s)"));
    }
  }
  return result.response;
}

absl::Status Controller::alter_configs(const ConfigResource& resource,
                                       const std::vector<ConfigChange>& changes, bool replace_all,
                                       bool validate_only) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  KEEL_RETURN_IF_ERROR(impl_->check_usable());
  auto result = controller::alter_configs(*impl_->current(), impl_->options.control, resource,
                                          changes, replace_all, validate_only);
  if (result.records.empty()) return result.response;
  if (impl_->commit_result(result, FailAccepted{}).ok()) {
    const bool is_topic = resource.type == metadata::CONFIG_RESOURCE_TOPIC;
    impl_->log_line(absl::StrCat("altered ", result.records.size(), " config(s) of ",
                                 is_topic ? "topic " : "broker resource '", resource.name,
                                 is_topic ? "" : "'"));
  }
  return result.response;
}

std::vector<TopicElections> Controller::elect_leaders(
    ElectionType type, const std::optional<std::vector<ElectionTarget>>& targets) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto result = controller::elect_leaders(*impl_->current(), type, targets);
  absl::Status usable = impl_->check_usable();
  if (!usable.ok()) {
    FailAccepted{}(usable, result.response);
    return result.response;
  }
  if (!result.records.empty() && impl_->commit_result(result, FailAccepted{}).ok()) {
    impl_->log_line(absl::StrCat("elected ", result.records.size(), " partition leader(s)"));
  }
  return result.response;
}

absl::Status Controller::unregister_broker(int32_t node_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  KEEL_RETURN_IF_ERROR(impl_->check_usable());
  if (node_id == impl_->options.node_id) {
    return kafka_error(ErrorCode::kInvalidRequest,
                       absl::StrCat("node ", node_id,
                                    " is this single-node cluster's only broker and controller; "
                                    "it cannot unregister itself"));
  }
  auto result = controller::unregister_broker(*impl_->current(), node_id);
  if (!result.response.ok()) return result.response;
  if (impl_->commit_result(result, FailAccepted{}).ok()) {
    impl_->log_line(absl::StrCat("unregistered broker ", node_id));
  }
  return result.response;
}

absl::Status Controller::close() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->closed) return absl::OkStatus();
  impl_->closed = true;
  return impl_->log->close();
}

}  // namespace keel::controller
