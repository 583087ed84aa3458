// File: broker/broker_services.h
// What request handlers may use besides the request itself: the node's config, the
// metadata controller and image, the hosted partitions, the group coordinator, time and
// randomness, and the control thread. This is the only way dependencies reach handlers
// (RequestContext::broker).
//
// Threading: every pointer is valid while the Server runs. Handlers run on shard threads
// and must not block there: controller operations (which fsync the metadata log) go through
// run_on_control(); partition work goes through PartitionManager::on_owner().
//
// GCC 12 pitfall: a temporary with a destructor inside a co_await expression (a capturing
// lambda, a shared_ptr copy, the returned awaitable) may be destroyed twice. Always name
// the work and the awaitable first:
//   auto work = [...](...) { ... };
//   auto op = broker.run_on_control(std::move(work));
//   auto result = co_await std::move(op);
#pragma once

#include <memory>
#include <type_traits>

#include "broker/config/broker_config.h"
#include "broker/net/asio.h"
#include "broker/net/timers.h"
#include "broker/partition/partition_manager.h"
#include "broker/topic_config/topic_configs.h"
#include "controller/controller.h"
#include "storage/random.h"

namespace keel::broker {

namespace group {
class GroupCoordinator;  // broker/group/group_coordinator.h
}

struct BrokerServices {
  const BrokerConfig* config = nullptr;
  controller::Controller* controller = nullptr;
  PartitionManager* partitions = nullptr;
  const TopicConfigs* topic_configs = nullptr;  // the topic config table with node defaults
  group::GroupCoordinator* groups = nullptr;    // serves the consumer group handlers
  net::TimerService* timers = nullptr;          // time and timers (its clock())
  storage::Random* random = nullptr;            // ids, placement choices
  boost::asio::any_io_executor control;         // one thread; runs controller ops and subscribers

  std::shared_ptr<const controller::MetadataImage> image() const { return controller->image(); }

  // Runs blocking `work()` on the control thread; the caller resumes on its own executor.
  template <typename Work>
  boost::asio::awaitable<std::invoke_result_t<Work&>> run_on_control(Work work) const {
    return boost::asio::co_spawn(control, invoke(std::move(work)), boost::asio::use_awaitable);
  }

 private:
  // The work runs inside this coroutine; it owns `work` in its frame. (A capturing coroutine
  // lambda instead trips GCC 12's coroutine codegen: its captures were destroyed twice.)
  template <typename Work>
  static boost::asio::awaitable<std::invoke_result_t<Work&>> invoke(Work work) {
    co_return work();
  }
};

}  // namespace keel::broker
