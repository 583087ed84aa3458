// File: tests/unit/broker/published_broker.cc
#include "published_broker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <utility>

#include "broker/handlers/admin_handlers.h"
#include "broker/handlers/fetch_handler.h"
#include "broker/handlers/group_handlers.h"
#include "broker/handlers/list_offsets_handler.h"
#include "broker/handlers/metadata_handler.h"
#include "broker/handlers/produce_handler.h"
#include "protocol/status.h"
#include "storage/env.h"

namespace keel::broker::testing {
namespace {

namespace asio = boost::asio;

std::string id_bytes(uint8_t b) { return std::string(16, static_cast<char>(b)); }

// No controller here: the test writes the metadata. Every operation fails.
class NoController : public controller::ControllerClient {
 public:
  void create_topics(std::vector<controller::NewTopic> topics, bool,
                     Callback<std::vector<controller::CreateTopicResult>> done) override {
    std::vector<controller::CreateTopicResult> results(topics.size());
    for (auto& r : results) r.status = absl::UnavailableError("no controller in this test");
    done(std::move(results));
  }
  void delete_topics(std::vector<std::string> names,
                     Callback<std::vector<absl::Status>> done) override {
    done(std::vector<absl::Status>(names.size(), absl::UnavailableError("no controller")));
  }
  void delete_topics_by_id(std::vector<controller::Uuid> ids,
                           Callback<std::vector<absl::Status>> done) override {
    done(std::vector<absl::Status>(ids.size(), absl::UnavailableError("no controller")));
  }
  void create_partitions(std::vector<controller::NewPartitions> requests, bool,
                         Callback<std::vector<absl::Status>> done) override {
    done(std::vector<absl::Status>(requests.size(), absl::UnavailableError("no controller")));
  }
  void alter_configs(controller::ConfigResource, std::vector<controller::ConfigChange>, bool, bool,
                     Callback<absl::Status> done) override {
    done(absl::UnavailableError("no controller"));
  }
  void elect_leaders(
      controller::ElectionType, std::optional<std::vector<controller::ElectionTarget>>,
      Callback<absl::StatusOr<std::vector<controller::TopicElections>>> done) override {
    done(absl::UnavailableError("no controller"));
  }
  void unregister_broker(int32_t, Callback<absl::Status> done) override {
    done(absl::UnavailableError("no controller"));
  }
};

}  // namespace

metadata::MetadataRecord broker_record(int32_t node_id, const std::string& host, int32_t port,
                                       bool fenced) {
  metadata::MetadataRecord r;
  auto* b = r.mutable_broker_registration();
  b->set_node_id(node_id);
  b->set_broker_epoch(1);
  b->set_fenced(fenced);
  auto* e = b->add_endpoints();
  e->set_listener_name("PLAINTEXT");
  e->set_host(host);
  e->set_port(port);
  return r;
}

metadata::MetadataRecord fence_record(int32_t node_id, bool fenced) {
  metadata::MetadataRecord r;
  auto* c = r.mutable_broker_registration_change();
  c->set_node_id(node_id);
  c->set_broker_epoch(1);
  c->set_fenced(fenced);
  return r;
}

metadata::MetadataRecord topic_record(const std::string& name, uint8_t id) {
  metadata::MetadataRecord r;
  r.mutable_topic()->set_name(name);
  r.mutable_topic()->set_topic_id(id_bytes(id));
  return r;
}

metadata::MetadataRecord partition_record(uint8_t topic_id, int32_t partition,
                                          std::vector<int32_t> replicas, int32_t leader) {
  metadata::MetadataRecord r;
  auto* p = r.mutable_partition();
  p->set_topic_id(id_bytes(topic_id));
  p->set_partition_id(partition);
  for (int32_t x : replicas) p->add_replicas(x);
  if (leader >= 0) p->add_isr(leader);
  p->set_leader(leader);
  return r;
}

metadata::MetadataRecord leader_record(uint8_t topic_id, int32_t partition, int32_t leader) {
  metadata::MetadataRecord r;
  auto* c = r.mutable_partition_change();
  c->set_topic_id(id_bytes(topic_id));
  c->set_partition_id(partition);
  c->set_leader(leader);
  if (leader >= 0) c->add_isr(leader);
  c->set_isr_set(true);
  return r;
}

PublishedBroker::PublishedBroker(std::string dir, std::vector<std::string> overrides)
    : dir_(std::move(dir)) {
  std::vector<std::string> all = {"node.id=1", "listeners=PLAINTEXT://127.0.0.1:0",
                                  "log.dirs=" + dir_, "keel.shards=1",
                                  "auto.create.topics.enable=false"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  absl::StatusOr<BrokerConfig> config = load_broker_config(std::nullopt, all);
  EXPECT_TRUE(config.ok()) << config.status();
  if (config.ok()) config_ = *config;
}

PublishedBroker::~PublishedBroker() { stop(); }

absl::Status PublishedBroker::start() {
  storage::Clock* clock = storage::Clock::system();
  topic_configs_ = std::make_unique<TopicConfigs>(config_);
  KEEL_ASSIGN_OR_RETURN(storage::LogConfig defaults, default_log_config(config_));
  storage::LogManagerOptions lopts;
  lopts.log_dirs = config_.log_dirs;
  lopts.default_config = defaults;
  KEEL_ASSIGN_OR_RETURN(logs_, storage::LogManager::open(storage::Env::posix(), clock, lopts));

  shards_ = std::make_unique<net::ShardPool>(config_.shards);
  dispatcher_ = std::make_unique<handlers::Dispatcher>(&registry_, &services_);
  net::ServerOptions sopts;
  for (const Endpoint& ep : config_.listeners) {
    sopts.endpoints.push_back(
        {ep.address.host, static_cast<uint16_t>(ep.address.port), ep.listener});
  }
  sopts.shards = shards_.get();
  sopts.handler = dispatcher_.get();
  server_ = std::make_unique<net::Server>(sopts);

  PartitionManagerOptions popts;
  popts.node_id = config_.node_id;
  popts.logs = logs_.get();
  for (size_t i = 0; i < shards_->size(); ++i) popts.shards.push_back(shards_->executor(i));
  popts.log_config = [tc = topic_configs_.get()](const controller::TopicImage& topic) {
    return tc->log_config(topic.configs);
  };
  partitions_ = std::make_unique<PartitionManager>(std::move(popts));
  // First, as in Node: the coordinator's reconcile relies on the partitions being applied.
  metadata_.subscribe([this](const controller::MetadataDelta& delta,
                             std::shared_ptr<const controller::MetadataImage> image) {
    absl::Status s = partitions_->apply(&delta, *image);
    EXPECT_TRUE(s.ok()) << s;
  });

  control_work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      control_.get_executor());
  control_thread_ = std::thread([this] { control_.run(); });

  controller_ = std::make_unique<NoController>();
  group::CoordinatorOptions gopts;
  gopts.node_id = config_.node_id;
  gopts.config = &config_;
  gopts.controller = controller_.get();
  gopts.metadata = &metadata_;
  gopts.partitions = partitions_.get();
  gopts.control = control_.get_executor();
  gopts.timers = net::TimerService::system();
  gopts.random = storage::Random::system();
  groups_ = std::make_unique<group::GroupCoordinator>(std::move(gopts));

  services_.config = &config_;
  services_.controller = controller_.get();
  services_.metadata = &metadata_;
  services_.partitions = partitions_.get();
  services_.topic_configs = topic_configs_.get();
  services_.groups = groups_.get();
  services_.timers = net::TimerService::system();
  services_.random = storage::Random::system();
  services_.control = control_.get_executor();

  KEEL_RETURN_IF_ERROR(registry_.add(std::make_unique<handlers::MetadataHandler>()));
  KEEL_RETURN_IF_ERROR(registry_.add(std::make_unique<handlers::ProduceHandler>()));
  KEEL_RETURN_IF_ERROR(registry_.add(std::make_unique<handlers::FetchHandler>()));
  KEEL_RETURN_IF_ERROR(registry_.add(std::make_unique<handlers::ListOffsetsHandler>()));
  KEEL_RETURN_IF_ERROR(handlers::register_group_handlers(registry_));
  KEEL_RETURN_IF_ERROR(handlers::register_admin_handlers(registry_));
  shards_->start();
  KEEL_RETURN_IF_ERROR(server_->start());
  if (!run_on(control_.get_executor(), [g = groups_.get()] { g->start(); })) {
    return absl::DeadlineExceededError("the coordinator did not start");
  }
  return absl::OkStatus();
}

void PublishedBroker::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (groups_ != nullptr) groups_->stop();
  if (server_ != nullptr) server_->stop(std::chrono::seconds(5));
  if (shards_ != nullptr) shards_->stop(false);
  if (control_work_ != nullptr) {
    control_work_.reset();
    control_.stop();
  }
  if (control_thread_.joinable()) control_thread_.join();
  if (partitions_ != nullptr) partitions_->clear();
  if (logs_ != nullptr) {
    EXPECT_TRUE(logs_->close_all().ok());
  }
}

bool PublishedBroker::run_on(const asio::any_io_executor& ex, std::function<void()> work) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  asio::post(ex, [work = std::move(work), done] {
    work();
    done->set_value();
  });
  return finished.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
}

bool PublishedBroker::settle() {
  for (int round = 0; round < 2; ++round) {
    if (!run_on(control_.get_executor(), [] {})) return false;
    for (size_t i = 0; i < shards_->size(); ++i) {
      if (!run_on(shards_->executor(i), [] {})) return false;
    }
  }
  return true;
}

bool PublishedBroker::publish(const std::vector<metadata::MetadataRecord>& records,
                              std::optional<int32_t> controller_id) {
  bool applied = true;
  const bool ran = run_on(control_.get_executor(), [&] {
    std::shared_ptr<const controller::MetadataImage> base = metadata_.image();
    controller::MetadataDelta delta(base);
    if (base->cluster_id().empty()) delta.set_cluster_id("published-broker-test");
    if (controller_id) delta.set_controller_id(*controller_id);
    int64_t offset = base->offset() + 1;
    for (const metadata::MetadataRecord& r : records) {
      absl::Status s = delta.replay(r, offset++);
      EXPECT_TRUE(s.ok()) << s << " in " << r.DebugString();
      applied = applied && s.ok();
    }
    if (applied) metadata_.publish(delta, delta.apply());
  });
  EXPECT_TRUE(ran) << "the control thread did not publish in time";
  return ran && applied && settle();
}

}  // namespace keel::broker::testing
