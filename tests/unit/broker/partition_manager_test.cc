// PartitionManager against a real Controller and LogManager in a temp dir: logs follow the
// metadata image (create, config change, delete, strays at startup), work runs on the owner
// shard, appends advance the high watermark of a single-replica partition and wake
// registered fetch waiters.
#include "broker/partition/partition_manager.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <limits>
#include <thread>

#include "controller/controller.h"
#include "protocol/records/record_batch_builder.h"
#include "tests/unit/storage/storage_test_util.h"

namespace keel::broker {
namespace {

namespace asio = boost::asio;
using storage::testing::TempDir;

class PartitionManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    controller::ControllerOptions copts;
    copts.node_id = 1;
    copts.log_dirs = {dir_.path()};
    auto c = controller::Controller::open(storage::Env::posix(), storage::Clock::system(), copts);
    ASSERT_TRUE(c.ok()) << c.status();
    controller_ = std::move(*c);
    open_manager();
    work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
        shard_.get_executor());
    thread_ = std::thread([this] { shard_.run(); });
  }

  void open_manager() {
    storage::LogManagerOptions lopts;
    lopts.log_dirs = {dir_.path()};
    auto logs = storage::LogManager::open(storage::Env::posix(), storage::Clock::system(), lopts);
    ASSERT_TRUE(logs.ok()) << logs.status();
    logs_ = std::move(*logs);
    PartitionManagerOptions popts;
    popts.node_id = 1;
    popts.logs = logs_.get();
    popts.shards = {shard_.get_executor()};
    popts.log_config = [](const controller::TopicImage& t) -> absl::StatusOr<storage::LogConfig> {
      std::vector<std::pair<std::string, std::string>> kv(t.configs.begin(), t.configs.end());
      return storage::parse_log_config(kv);
    };
    partitions_ = std::make_unique<PartitionManager>(popts);
    controller_->subscribe([this](const controller::MetadataDelta& delta,
                                  std::shared_ptr<const controller::MetadataImage> image) {
      ASSERT_TRUE(partitions_->apply(&delta, *image).ok());
    });
  }

  void TearDown() override {
    work_.reset();
    thread_.join();
    partitions_->clear();
    ASSERT_TRUE(logs_->close_all().ok());
    ASSERT_TRUE(controller_->close().ok());
  }

  void create(const std::string& name, int32_t partitions,
              std::map<std::string, std::string> configs = {}) {
    controller::NewTopic t;
    t.name = name;
    t.num_partitions = partitions;
    t.configs = std::move(configs);
    auto results = controller_->create_topics({t}, false);
    ASSERT_TRUE(results[0].status.ok()) << results[0].status;
  }

  // Runs `work` on the partition's owner from a coroutine and waits for the result.
  template <typename Work>
  auto on_owner(std::shared_ptr<Partition> p, Work work) {
    using Result = std::invoke_result_t<Work&, Partition&>;
    asio::io_context caller;
    std::promise<Result> result;
    auto op = PartitionManager::on_owner(std::move(p), std::move(work));
    asio::co_spawn(caller, std::move(op),
                   [&](std::exception_ptr, Result r) { result.set_value(std::move(r)); });
    caller.run_for(std::chrono::seconds(10));
    return result.get_future().get();
  }

  static protocol::Bytes batch(int records) {
    protocol::RecordBatchBuilder builder;
    std::string value = "value";
    for (int i = 0; i < records; ++i) {
      protocol::RecordInput r;
      r.timestamp = 1000 + i;
      r.value = protocol::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
      builder.append(r);
    }
    return *builder.build();
  }

  TempDir dir_{"keel_partitions"};
  std::unique_ptr<controller::Controller> controller_;
  std::unique_ptr<storage::LogManager> logs_;
  std::unique_ptr<PartitionManager> partitions_;
  asio::io_context shard_{1};
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
};

TEST_F(PartitionManagerTest, CreatesLogsForNewTopicsAndRunsWorkOnTheOwner) {
  create("orders", 3);
  ASSERT_EQ(partitions_->all().size(), 3u);
  for (int i = 0; i < 3; ++i) {
    auto p = partitions_->get("orders", i);
    ASSERT_NE(p, nullptr);
    EXPECT_NE(logs_->get_log({"orders", i}), nullptr);
  }
  EXPECT_EQ(partitions_->get("orders", 3), nullptr);
  EXPECT_EQ(partitions_->get("nope", 0), nullptr);

  auto p = partitions_->get("orders", 1);
  const std::thread::id shard_thread = thread_.get_id();
  protocol::Bytes b = batch(5);
  auto appended = on_owner(p, [&](Partition& part) {
    EXPECT_EQ(std::this_thread::get_id(), shard_thread);
    auto r = part.append_as_leader(protocol::RecordsView(b.data(), b.size()));
    EXPECT_TRUE(r.ok());
    return part.log()->high_watermark();
  });
  EXPECT_EQ(appended, 5);  // a single in-sync replica commits on write
}

TEST_F(PartitionManagerTest, AppendWakesRegisteredFetchWaiters) {
  create("events", 1);
  auto p = partitions_->get("events", 0);
  asio::io_context fetcher;
  // Manual timers never fire by themselves: only the append's notification can end the wait.
  storage::ManualClock clock;
  net::ManualTimers timers(&clock);
  auto waiter = std::make_shared<FetchWaiter>(fetcher.get_executor(), &timers);
  on_owner(p, [waiter](Partition& part) {
    part.add_fetch_waiter(waiter);
    return true;
  });
  protocol::Bytes b = batch(1);
  on_owner(p, [&](Partition& part) {
    return part.append_as_leader(protocol::RecordsView(b.data(), b.size())).ok();
  });
  bool woke = false;
  auto wait = [](std::shared_ptr<FetchWaiter> w, bool* done) -> asio::awaitable<void> {
    auto waiting = w->wait_until(std::numeric_limits<int64_t>::max());
    co_await std::move(waiting);
    *done = true;
  };
  asio::co_spawn(fetcher, wait(waiter, &woke), asio::detached);
  // The notification was posted before the wait began; it must not be lost.
  fetcher.run_for(std::chrono::seconds(10));
  EXPECT_TRUE(woke);
}

TEST_F(PartitionManagerTest, ConfigChangesReachTheLog) {
  create("configured", 1, {{"retention.ms", "1000"}});
  auto p = partitions_->get("configured", 0);
  EXPECT_EQ(on_owner(p, [](Partition& part) { return part.log()->config().retention_ms; }), 1000);
  controller::ConfigResource r{metadata::CONFIG_RESOURCE_TOPIC, "configured"};
  ASSERT_TRUE(
      controller_
          ->alter_configs(r, {{"retention.ms", controller::ConfigOp::kSet, "2000"}}, false, false)
          .ok());
  EXPECT_EQ(on_owner(p, [](Partition& part) { return part.log()->config().retention_ms; }), 2000);
}

TEST_F(PartitionManagerTest, DeletedTopicsLoseTheirLogsAndPartitionsDetach) {
  create("doomed", 2);
  auto p = partitions_->get("doomed", 0);
  ASSERT_NE(p, nullptr);
  const std::string dir = logs_->get_log({"doomed", 0})->dir();
  auto statuses = controller_->delete_topics({"doomed"});
  ASSERT_TRUE(statuses[0].ok());
  EXPECT_EQ(partitions_->get("doomed", 0), nullptr);
  EXPECT_EQ(logs_->get_log({"doomed", 0}), nullptr);
  EXPECT_FALSE(storage::Env::posix()->exists(dir));
  // A request that still holds the partition sees it detached, not a dangling log.
  EXPECT_TRUE(on_owner(p, [](Partition& part) { return part.log() == nullptr; }));
}

TEST_F(PartitionManagerTest, StartupApplyOpensExistingLogsAndDeletesStrays) {
  create("kept", 1);
  ASSERT_TRUE(logs_->create_log({"stray", 0}, {}).ok());
  // A fresh manager over the same dirs, as after a restart.
  partitions_->clear();
  ASSERT_TRUE(logs_->close_all().ok());
  open_manager();
  ASSERT_TRUE(partitions_->apply(nullptr, *controller_->image()).ok());
  EXPECT_NE(partitions_->get("kept", 0), nullptr);
  EXPECT_EQ(logs_->get_log({"stray", 0}), nullptr);
  EXPECT_EQ(partitions_->all().size(), 1u);
}

}  // namespace
}  // namespace keel::broker
