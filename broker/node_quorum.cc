// File: broker/node_quorum.cc
// The parts of Node that exist only with a multi-voter metadata quorum: the identity checks,
// the Raft driver with the metadata state machine and the controller on its thread, the
// channels to the other voters, the controller clients (forwarding for the broker, active-only
// for the controller listener), and the broker's registration and controlled shutdown.
#include <utility>

#include "broker/logging.h"
#include "broker/node.h"
#include "controller/meta_properties.h"
#include "controller/raft/quorum_state.h"
#include "protocol/error_code.h"
#include "protocol/status.h"
#include "storage/file_names.h"

namespace keel::broker {
namespace {

namespace asio = boost::asio;

constexpr auto kControlledShutdownTimeout = std::chrono::seconds(10);

}  // namespace

absl::Status Node::open_quorum_metadata() {
  storage::Env* env = environment_.env;
  if (config_.cluster_id.empty()) {
    return protocol::kafka_error(
        protocol::ErrorCode::kInvalidConfig,
        "a metadata quorum of several voters needs cluster.id, the same on every node "
        "(keelctl or any 22-character base64url id)");
  }
  // A node formatted before whose metadata state is gone must not vote as a fresh voter: its
  // forgotten votes and log could let two leaders be elected in one epoch.
  const std::string raft_dir = storage::join_path(config_.log_dirs[0], storage::kMetadataLogDir);
  KEEL_ASSIGN_OR_RETURN(std::optional<controller::MetaProperties> existing,
                        controller::read_meta_properties(env, config_.log_dirs[0]));
  const bool formatted = existing.has_value();
  if (formatted &&
      !env->exists(storage::join_path(raft_dir, controller::raft::kQuorumStateFileName))) {
    return protocol::kafka_error(
        protocol::ErrorCode::kInconsistentVoterSet,
        "the log dir " + config_.log_dirs[0] +
            " belongs to a formatted node but holds no metadata quorum state (wiped, or written "
            "by a single-node Keel); refusing to vote with a forgotten election state. Remove "
            "the node's data to rejoin as a new node");
  }
  KEEL_ASSIGN_OR_RETURN(std::string cluster_id, controller::ensure_meta_properties(
                                                    env, config_.log_dirs, config_.node_id,
                                                    config_.cluster_id, *environment_.random));
  state_machine_ = std::make_unique<controller::MetadataStateMachine>(
      &metadata_, cluster_id, [](std::string_view m) { log_info("metadata: " + std::string(m)); });
  // Readers see the cluster id from the start, before the first record is applied.
  controller::MetadataDelta first(metadata_.image());
  first.set_cluster_id(cluster_id);
  metadata_.publish(first, first.apply());
  return absl::OkStatus();
}

absl::Status Node::start_quorum() {
  quorum::ControllerRuntimeOptions ropts;
  ropts.state = state_machine_.get();
  ropts.settings = control_settings();
  ropts.now_ms = [t = environment_.timers] { return t->now_ms(); };
  ropts.session_timeout_ms = config_.broker_session_timeout_ms;
  // A live voter fetches at least every fetch_max_wait (500 ms): twice that proves it dead.
  ropts.voter_grace_ms = std::max<int64_t>(1000, config_.quorum_fetch_timeout_ms / 2);
  ropts.auto_leader_rebalance = config_.auto_leader_rebalance_enable;
  ropts.leader_imbalance_check_interval_ms = config_.leader_imbalance_check_interval_seconds * 1000;
  ropts.log = [](std::string_view m) { log_info("controller: " + std::string(m)); };
  runtime_ = std::make_unique<quorum::ControllerRuntime>(std::move(ropts));

  quorum::RaftDriverOptions o;
  o.config.node_id = config_.node_id;
  for (const QuorumVoter& v : config_.controller_quorum_voters) {
    o.config.voters.push_back(v.id);
    o.voters[v.id] = v.address;
  }
  o.config.election_timeout_ms = config_.quorum_election_timeout_ms;
  o.config.fetch_timeout_ms = config_.quorum_fetch_timeout_ms;
  o.config.election_backoff_max_ms = config_.quorum_election_backoff_max_ms;
  o.config.request_timeout_ms = config_.quorum_request_timeout_ms;
  o.config.append_linger_ms = config_.quorum_append_linger_ms;
  // The leader holds a Fetch up to this long: well inside the follower's fetch timeout, or a
  // follower of an idle leader would stand for election between two answers.
  o.config.fetch_max_wait_ms = std::min<int64_t>(500, config_.quorum_fetch_timeout_ms / 2);
  o.config.snapshot_min_bytes_between = config_.snapshot_min_bytes_between;
  o.config.snapshot_interval_ms = config_.snapshot_interval_ms;
  o.config.require_existing_state = true;  // open_quorum_metadata() let only known nodes here
  o.dir = config_.log_dirs[0];
  o.cluster_id = metadata_.image()->cluster_id();
  o.env = environment_.env;
  o.timers = environment_.timers;
  o.seed = environment_.random->next_u64();
  o.state_machine = state_machine_.get();
  o.on_step = [r = runtime_.get()](controller::raft::RaftNode& node, int64_t now) {
    return r->step(node, now);
  };
  o.log = [](std::string_view m) { log_info("quorum: " + std::string(m)); };
  std::map<int32_t, HostPort> voters = o.voters;
  KEEL_ASSIGN_OR_RETURN(raft_, quorum::RaftDriver::start(std::move(o)));

  channels_ = std::make_unique<quorum::ControllerChannels>(
      raft_->executor(), environment_.timers, std::move(voters),
      "keel-broker-" + std::to_string(config_.node_id));
  using Mode = quorum::QuorumControllerClient::Mode;
  controller_client_ = std::make_unique<quorum::QuorumControllerClient>(
      Mode::kForward, raft_.get(), runtime_.get(), channels_.get(), &metadata_,
      environment_.timers);
  active_controller_ = std::make_unique<quorum::QuorumControllerClient>(
      Mode::kActiveOnly, raft_.get(), runtime_.get(), channels_.get(), &metadata_,
      environment_.timers);

  quorum::BrokerLifecycleOptions lopts;
  lopts.node_id = config_.node_id;
  lopts.cluster_id = metadata_.image()->cluster_id();
  lopts.endpoints = advertised_endpoints();
  lopts.rack = config_.broker_rack;
  lopts.heartbeat_interval_ms = config_.broker_heartbeat_interval_ms;
  lopts.driver = raft_.get();
  lopts.channels = channels_.get();
  lopts.timers = environment_.timers;
  lopts.random = environment_.random;
  lopts.log = [](std::string_view m) { log_info("broker: " + std::string(m)); };
  lopts.on_caught_up = [this] {
    asio::post(control_, [this] {
      absl::Status s = partitions_->apply(nullptr, *metadata_.image());
      if (!s.ok()) log_info("syncing partitions with the metadata: " + std::string(s.message()));
    });
  };
  lifecycle_ = std::make_unique<quorum::BrokerLifecycle>(std::move(lopts));
  return absl::OkStatus();
}

void Node::controlled_shutdown() {
  if (lifecycle_ == nullptr || stopped_) return;
  // The last live broker has nowhere to move its leaderships (and, its quorum gone with the
  // others, no controller to ask).
  bool others = false;
  for (const auto& [id, b] : metadata_.image()->brokers()) {
    others = others || (id != config_.node_id && !b.fenced);
  }
  if (!others) {
    log_info("controlled shutdown skipped: no other live broker to take over");
    return;
  }
  log_info("controlled shutdown: asking the controller to move this broker's leaderships");
  const bool granted = lifecycle_->controlled_shutdown(kControlledShutdownTimeout);
  log_info(granted ? "controlled shutdown granted"
                   : "controlled shutdown not granted in time: stopping anyway");
}

}  // namespace keel::broker
