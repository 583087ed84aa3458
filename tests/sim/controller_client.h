// File: tests/sim/controller_client.h
// The simulated admin client of the controller simulation: at random steps one request to a
// random running node (often the leader, else any node: off-leader ones must answer
// NOT_CONTROLLER). Brokers 1..3 are registered and unfenced first so placement has brokers;
// then creates (names from a small pool, so TOPIC_ALREADY_EXISTS happens), deletes, partition
// increases, topic config changes, re-registrations and heartbeats (some fencing or shutting
// down a broker). Acknowledged outcomes go to the checker.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tests/sim/controller_app.h"

namespace keel::sim {

class ControllerClient {
 public:
  ControllerClient(std::map<int32_t, ControllerNode>* nodes, ControllerChecker* checker,
                   ControllerCoverage* coverage, std::function<void(const std::string&)> trace)
      : nodes_(nodes), checker_(checker), coverage_(coverage), trace_(std::move(trace)) {}

  // One request; `touched` gets the node it went to.
  void event(std::mt19937_64& rng, std::vector<int32_t>* touched);

 private:
  // What the client learned of a broker from acknowledged answers.
  struct BrokerView {
    int64_t epoch = -1;
    bool unfenced = false;
    bool shutting_down = false;
  };
  // Shared by a request and its callback.
  struct Call {
    int32_t node = 0;
    bool was_leader = false;
    bool in_submit = true;  // still inside the submitting call: nothing was appended
    const char* op = "";
  };

  ControllerNode* pick_node(std::mt19937_64& rng);
  // Counts the answer and checks that only the leader says OK.
  void answered(const Call& call, const absl::Status& status);
  int64_t applied_on(int32_t node) const;

  void create_topics(ControllerNode& n, std::mt19937_64& rng, std::shared_ptr<Call> call);
  void delete_topics(ControllerNode& n, std::mt19937_64& rng, std::shared_ptr<Call> call);
  void create_partitions(ControllerNode& n, std::mt19937_64& rng, std::shared_ptr<Call> call);
  void alter_configs(ControllerNode& n, std::mt19937_64& rng, std::shared_ptr<Call> call);
  void register_broker(ControllerNode& n, int32_t broker, std::shared_ptr<Call> call);
  void heartbeat(ControllerNode& n, int32_t broker, std::mt19937_64& rng,
                 std::shared_ptr<Call> call);

  std::map<int32_t, ControllerNode>* nodes_;
  ControllerChecker* checker_;
  ControllerCoverage* coverage_;
  std::function<void(const std::string&)> trace_;
  std::map<int32_t, BrokerView> brokers_;
};

}  // namespace keel::sim
