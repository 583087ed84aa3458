// File: broker/node.cc
#include "broker/node.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <utility>

#include "broker/handlers/admin_handlers.h"
#include "broker/handlers/api_versions_handler.h"
#include "broker/handlers/fetch_handler.h"
#include "broker/handlers/group_handlers.h"
#include "broker/handlers/list_offsets_handler.h"
#include "broker/handlers/metadata_handler.h"
#include "broker/handlers/produce_handler.h"
#include "broker/logging.h"
#include "broker/quorum/lifecycle_handlers.h"
#include "protocol/status.h"
#include "storage/compaction/log_cleaner.h"

namespace keel::broker {
namespace {

namespace asio = boost::asio;

constexpr int64_t kFlushCheckIntervalMs = 1000;
// Key map memory per pass (Kafka's log.cleaner.dedupe.buffer.size is 128 MiB for all threads).
constexpr size_t kCleanerBufferBytes = 32u << 20;
// log.flush.offset.checkpoint.interval.ms's default.
constexpr int64_t kCheckpointIntervalMs = 60'000;
constexpr auto kShutdownGrace = std::chrono::seconds(30);

template <typename Handler>
absl::Status add(handlers::HandlerRegistry& registry) {
  return registry.add(std::make_unique<Handler>());
}

}  // namespace

Node::Node(BrokerConfig config, NodeEnvironment environment)
    : config_(std::move(config)), environment_(environment) {}

Node::~Node() { (void)stop(); }

absl::StatusOr<std::unique_ptr<Node>> Node::start(BrokerConfig config,
                                                  NodeEnvironment environment) {
  std::unique_ptr<Node> node(new Node(std::move(config), environment));
  absl::Status s = node->open();
  if (!s.ok()) {
    (void)node->stop();
    return s;
  }
  return node;
}

absl::Status Node::open_local_controller() {
  storage::Env* env = environment_.env;
  storage::Clock* clock = &environment_.timers->clock();
  controller::ControllerOptions copts;
  copts.node_id = config_.node_id;
  copts.log_dirs = config_.log_dirs;
  copts.cluster_id = config_.cluster_id;
  copts.advertised_endpoints = advertised_endpoints();
  copts.rack = config_.broker_rack;
  copts.control = control_settings();
  copts.log = [](std::string_view m) { log_info("controller: " + std::string(m)); };
  copts.publisher = &metadata_;
  KEEL_ASSIGN_OR_RETURN(controller_, controller::Controller::open(env, clock, std::move(copts)));
  return absl::OkStatus();
}

std::vector<metadata::Endpoint> Node::advertised_endpoints() const {
  std::vector<metadata::Endpoint> out;
  for (const Endpoint& ep : config_.advertised_listeners) {
    metadata::Endpoint e;
    e.set_listener_name(ep.listener);
    e.set_host(ep.address.host);
    e.set_port(ep.address.port);
    out.push_back(std::move(e));
  }
  return out;
}

controller::ControlSettings Node::control_settings() const {
  controller::ControlSettings c;
  c.default_num_partitions = config_.num_partitions;
  c.default_replication_factor = config_.default_replication_factor;
  c.random = environment_.random;
  c.validate_topic_configs =
      [tc = topic_configs_.get()](const std::map<std::string, std::string>& configs) {
        return tc->validate(configs);
      };
  c.topic_config_default = [tc = topic_configs_.get()](const std::string& name) {
    return tc->effective(name, {});
  };
  return c;
}

absl::Status Node::open() {
  storage::Env* env = environment_.env;
  storage::Clock* clock = &environment_.timers->clock();
  topic_configs_ = std::make_unique<TopicConfigs>(config_);

  // The metadata first: it knows every topic's config, which the logs need when they open.
  if (runs_quorum()) {
    KEEL_RETURN_IF_ERROR(open_quorum_metadata());
  } else {
    KEEL_RETURN_IF_ERROR(open_local_controller());
  }

  KEEL_ASSIGN_OR_RETURN(storage::LogConfig defaults, default_log_config(config_));
  storage::LogManagerOptions lopts;
  lopts.log_dirs = config_.log_dirs;
  lopts.default_config = defaults;
  lopts.config_for = [this, defaults](const std::string& topic) {
    auto image = metadata_.image();
    const controller::TopicImage* t = image->topic(topic);
    if (t == nullptr) return defaults;
    absl::StatusOr<storage::LogConfig> c = topic_configs_->log_config(t->configs);
    return c.ok() ? *c : defaults;
  };
  lopts.log = [](std::string_view m) { log_info("storage: " + std::string(m)); };
  KEEL_ASSIGN_OR_RETURN(logs_, storage::LogManager::open(env, clock, std::move(lopts)));

  // The server's shards exist from construction: partitions are owned by them.
  net::ServerOptions sopts;
  for (const Endpoint& ep : config_.listeners) {
    bool controller_only = false;
    for (const std::string& name : config_.controller_listener_names) {
      if (name == ep.listener && config_.listeners.size() > 1) controller_only = true;
    }
    // Served when the Raft quorum runs: the other voters reach this node there.
    if (runs_quorum()) controller_only = false;
    if (controller_only) continue;
    sopts.endpoints.push_back(
        {ep.address.host, static_cast<uint16_t>(ep.address.port), ep.listener});
  }
  shards_ = std::make_unique<net::ShardPool>(config_.shards);
  sopts.shards = shards_.get();
  sopts.limits.max_frame_bytes = config_.socket_request_max_bytes;
  budget_ = std::make_unique<net::InflightBudget>(
      std::max<int64_t>(int64_t{config_.socket_request_max_bytes}, 256LL << 20));
  sopts.global_budget = budget_.get();
  sopts.metrics = &net_metrics_;
  // The dispatcher only keeps pointers to the registry and services, filled in below before
  // the server starts.
  dispatcher_ = std::make_unique<handlers::Dispatcher>(&registry_, &services_);
  sopts.handler = dispatcher_.get();
  if (runs_quorum()) {
    quorum_dispatcher_ =
        std::make_unique<handlers::Dispatcher>(&quorum_registry_, &quorum_services_);
    router_ = std::make_unique<quorum::ListenerRouter>(dispatcher_.get(), quorum_dispatcher_.get(),
                                                       config_.controller_listener_names);
    sopts.handler = router_.get();
  }
  server_ = std::make_unique<net::Server>(sopts);

  PartitionManagerOptions popts;
  popts.node_id = config_.node_id;
  popts.logs = logs_.get();
  for (size_t i = 0; i < shards_->size(); ++i) popts.shards.push_back(shards_->executor(i));
  popts.log_config = [tc = topic_configs_.get()](const controller::TopicImage& topic) {
    return tc->log_config(topic.configs);
  };
  popts.log = [](std::string_view m) { log_info("partitions: " + std::string(m)); };
  partitions_ = std::make_unique<PartitionManager>(std::move(popts));

  // The PartitionManager (and the LogManager under it) belong to the control thread; with a
  // quorum the image is published on the raft thread, so the change is applied over there.
  metadata_.subscribe([this](const controller::MetadataDelta& delta,
                             std::shared_ptr<const controller::MetadataImage> image) {
    auto apply = [this, delta, image] {
      absl::Status s = partitions_->apply(&delta, *image);
      if (!s.ok()) log_info("applying metadata: " + std::string(s.message()));
    };
    if (runs_quorum()) {
      asio::post(control_, std::move(apply));
    } else {
      apply();
    }
  });
  // A full sync also deletes logs the metadata does not know; with a quorum the image starts
  // empty and fills as the log is replayed, so that waits until this broker has caught up
  // (BrokerLifecycle's on_caught_up).
  if (!runs_quorum()) KEEL_RETURN_IF_ERROR(partitions_->apply(nullptr, *metadata_.image()));

  control_work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      control_.get_executor());
  control_thread_ = std::thread([this] { control_.run(); });

  if (runs_quorum()) {
    KEEL_RETURN_IF_ERROR(start_quorum());
  } else {
    controller_client_ =
        std::make_unique<LocalControllerClient>(controller_.get(), control_.get_executor());
  }
  group::CoordinatorOptions gopts;
  gopts.node_id = config_.node_id;
  gopts.config = &config_;
  gopts.controller = controller_client_.get();
  gopts.metadata = &metadata_;
  gopts.partitions = partitions_.get();
  gopts.control = control_.get_executor();
  gopts.timers = environment_.timers;
  gopts.random = environment_.random;
  gopts.log = [](std::string_view m) { log_info(std::string(m)); };
  groups_ = std::make_unique<group::GroupCoordinator>(std::move(gopts));

  services_.config = &config_;
  services_.controller = controller_client_.get();
  services_.metadata = &metadata_;
  services_.partitions = partitions_.get();
  services_.topic_configs = topic_configs_.get();
  services_.groups = groups_.get();
  services_.timers = environment_.timers;
  services_.random = environment_.random;
  services_.control = control_.get_executor();

  KEEL_RETURN_IF_ERROR(add<handlers::ApiVersionsHandler>(registry_));
  KEEL_RETURN_IF_ERROR(add<handlers::MetadataHandler>(registry_));
  KEEL_RETURN_IF_ERROR(add<handlers::ProduceHandler>(registry_));
  KEEL_RETURN_IF_ERROR(add<handlers::FetchHandler>(registry_));
  KEEL_RETURN_IF_ERROR(add<handlers::ListOffsetsHandler>(registry_));
  KEEL_RETURN_IF_ERROR(handlers::register_group_handlers(registry_));
  KEEL_RETURN_IF_ERROR(handlers::register_admin_handlers(registry_));
  if (runs_quorum()) {
    services_.raft = raft_.get();
    services_.reachable_controller = [r = raft_.get()] { return r->reachable_leader(); };
    quorum_services_ = services_;
    quorum_services_.controller = active_controller_.get();
    quorum_services_.quorum_controller = active_controller_.get();
    KEEL_RETURN_IF_ERROR(quorum::register_quorum_handlers(quorum_registry_));
    KEEL_RETURN_IF_ERROR(quorum::register_controller_listener_handlers(quorum_registry_));
    KEEL_RETURN_IF_ERROR(quorum::register_client_quorum_handlers(registry_));
  }
  shards_->start();
  KEEL_RETURN_IF_ERROR(server_->start());
  if (lifecycle_ != nullptr) lifecycle_->start();

  asio::co_spawn(control_, upkeep_loop(), asio::detached);
  // Loads the groups of an existing __consumer_offsets (on the control thread, which runs
  // controller work; the reads happen on the partitions' owners).
  asio::post(control_, [g = groups_.get()] { g->start(); });

  std::string where;
  for (size_t i = 0; i < sopts.endpoints.size(); ++i) {
    where +=
        (i ? ", " : "") + sopts.endpoints[i].host + ":" + std::to_string(server_->bound_ports()[i]);
  }
  log_info("node " + std::to_string(config_.node_id) + " of cluster " +
           metadata_.image()->cluster_id() + " serving on " + where + " with " +
           std::to_string(shards_->size()) + " shards, " +
           std::to_string(partitions_->all().size()) + " partitions");
  return absl::OkStatus();
}

bool Node::runs_quorum() const {
  // A voter of a quorum of several, or a broker-only node following any quorum (an observer).
  const size_t voters = config_.controller_quorum_voters.size();
  return config_.controller_role ? voters > 1 : voters > 0;
}

asio::awaitable<void> Node::upkeep_loop() {
  net::TimerService* timers = environment_.timers;
  std::unique_ptr<net::Timer> timer = timers->make_timer(co_await asio::this_coro::executor);
  const int64_t retention_interval = config_.log_retention_check_interval_ms;
  const int64_t cleaner_interval = config_.log_cleaner_backoff_ms;
  int64_t next_retention = timers->now_ms() + retention_interval;
  int64_t next_checkpoint = timers->now_ms() + kCheckpointIntervalMs;
  int64_t next_clean = timers->now_ms() + cleaner_interval;
  while (!stopping_.load()) {
    auto wait = timer->wait_until(timers->now_ms() + kFlushCheckIntervalMs);
    co_await std::move(wait);
    if (stopping_.load()) break;
    co_await flush_due_logs();
    if (timers->now_ms() >= next_retention) {
      co_await apply_retention();
      next_retention = timers->now_ms() + retention_interval;
    }
    if (timers->now_ms() >= next_clean) {
      co_await clean_compacted_logs();
      next_clean = timers->now_ms() + cleaner_interval;
    }
    if (timers->now_ms() >= next_checkpoint) {
      co_await checkpoint_offsets();
      next_checkpoint = timers->now_ms() + kCheckpointIntervalMs;
    }
  }
}

asio::awaitable<void> Node::flush_due_logs() {
  for (const std::shared_ptr<Partition>& p : partitions_->all()) {
    if (stopping_.load()) co_return;
    // Named locals, never temporaries inside a co_await expression (broker_services.h).
    auto prepare = [](Partition& part) {
      std::optional<storage::FlushTicket> t;
      if (part.log() != nullptr && part.log()->flush_due()) t = part.log()->prepare_flush();
      return t;
    };
    auto preparing = PartitionManager::on_owner(p, prepare);
    std::optional<storage::FlushTicket> ticket = co_await std::move(preparing);
    if (!ticket) continue;
    // The fsync runs here, on the control thread, never on the owner's shard.
    absl::Status s = ticket->execute();
    if (!s.ok()) {
      log_info("flushing " + storage::partition_dir_name(p->tp()) + ": " +
               std::string(s.message()));
      continue;
    }
    auto complete = [t = std::move(*ticket)](Partition& part) {
      if (part.log() != nullptr) part.log()->complete_flush(t);
      return true;
    };
    auto completing = PartitionManager::on_owner(p, std::move(complete));
    co_await std::move(completing);
  }
}

asio::awaitable<void> Node::clean_compacted_logs() {
  for (const std::shared_ptr<Partition>& p : partitions_->all()) {
    if (stopping_.load()) co_return;
    // The pass runs on the owner (no append may interleave), so it holds that shard for its
    // duration; moving reads and rewrites to a cleaner thread is a later step.
    storage::Clock* clock = &environment_.timers->clock();
    auto clean = [clock](Partition& part) -> absl::StatusOr<storage::compaction::CleanResult> {
      storage::Log* log = part.log();
      if (log == nullptr || !log->config().cleanup_compact) {
        return absl::NotFoundError("not compacted");
      }
      if (!storage::compaction::cleaning_due(*log, part.cleaner_state(), clock->now_ms())) {
        return absl::NotFoundError("not due");
      }
      storage::compaction::CleanerOptions options;
      options.buffer_bytes = kCleanerBufferBytes;
      options.first_dirty_offset = part.cleaner_state().first_dirty_offset;
      auto result = storage::compaction::clean_log(*log, *clock, options);
      if (result.ok()) part.cleaner_state().update(*result);
      return result;
    };
    auto cleaning = PartitionManager::on_owner(p, clean);
    absl::StatusOr<storage::compaction::CleanResult> r = co_await std::move(cleaning);
    if (r.ok() && r->segments_replaced > 0) {
      log_info("cleaned " + storage::partition_dir_name(p->tp()) + ": " +
               std::to_string(r->segments_replaced) + " segments rewritten, " +
               std::to_string(r->bytes_read) + " bytes read, " + std::to_string(r->bytes_written) +
               " written");
    } else if (!r.ok() && !absl::IsNotFound(r.status())) {
      log_info("cleaning " + storage::partition_dir_name(p->tp()) + ": " +
               std::string(r.status().message()));
    }
  }
}

asio::awaitable<void> Node::checkpoint_offsets() {
  std::map<storage::TopicPartition, storage::LogManager::LogOffsets> offsets;
  for (const std::shared_ptr<Partition>& p : partitions_->all()) {
    if (stopping_.load()) co_return;
    auto read = [](Partition& part) {
      std::optional<storage::LogManager::LogOffsets> o;
      if (const storage::Log* log = part.log()) {
        o = storage::LogManager::LogOffsets{log->recovery_point(), log->log_start_offset(),
                                            log->high_watermark()};
      }
      return o;
    };
    auto reading = PartitionManager::on_owner(p, read);
    std::optional<storage::LogManager::LogOffsets> o = co_await std::move(reading);
    if (o) offsets[p->tp()] = *o;
  }
  // Back on the control thread, which owns the LogManager.
  absl::Status s = logs_->checkpoint_offsets(offsets);
  if (!s.ok()) log_info("writing checkpoints: " + std::string(s.message()));
}

asio::awaitable<void> Node::apply_retention() {
  for (const std::shared_ptr<Partition>& p : partitions_->all()) {
    if (stopping_.load()) co_return;
    auto retain = [](Partition& part) {
      if (part.log() == nullptr) return absl::StatusOr<storage::RetentionResult>();
      return part.log()->apply_retention();
    };
    auto retaining = PartitionManager::on_owner(p, retain);
    absl::StatusOr<storage::RetentionResult> r = co_await std::move(retaining);
    if (r.ok() && r->segments_deleted > 0) {
      log_info("retention deleted " + std::to_string(r->segments_deleted) + " segments of " +
               storage::partition_dir_name(p->tp()) + ", log start offset now " +
               std::to_string(r->log_start_offset));
    }
  }
}

absl::Status Node::stop() {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  stopping_.store(true);
  log_info("shutting down");
  if (groups_ != nullptr) groups_->stop();
  if (lifecycle_ != nullptr) lifecycle_->stop();
  // The quorum first: its inbound requests are answered (closed) and its peers disconnect,
  // so the server's drain below waits for none of them.
  if (raft_ != nullptr) {
    raft_->post([c = channels_.get()](controller::raft::RaftNode&) { c->stop(); });
    raft_->stop();
  }
  // 1. No new requests; in-flight ones finish and their responses are written.
  bool drained = true;
  if (server_ != nullptr) drained = server_->stop(kShutdownGrace);
  // Then the shards run out of work (their upkeep loops see stopping_) and their threads end.
  if (shards_ != nullptr) shards_->stop(!drained);
  // 2. The control thread finishes what it runs (an upkeep pass, a controller operation).
  if (control_work_ != nullptr) {
    control_work_.reset();
    control_.stop();
  }
  if (control_thread_.joinable()) control_thread_.join();
  // No thread runs now. What the raft thread still holds (queued controller operations, calls
  // waiting to be retried, their callbacks, which would resume handlers on the shards) goes
  // now, while the shards' executors still exist.
  channels_.reset();
  lifecycle_.reset();
  raft_.reset();
  runtime_.reset();
  // 3. No thread touches a partition now: close the logs (flush, checkpoints, markers).
  absl::Status result;
  if (partitions_ != nullptr) partitions_->clear();
  if (logs_ != nullptr) {
    absl::Status s = logs_->close_all();
    if (!s.ok()) result = s;
  }
  if (controller_ != nullptr) {
    absl::Status s = controller_->close();
    if (!s.ok() && result.ok()) result = s;
  }
  log_info(result.ok() ? "stopped cleanly"
                       : "stopped with errors: " + std::string(result.message()));
  return result;
}

}  // namespace keel::broker
