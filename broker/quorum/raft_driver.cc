#include "broker/quorum/raft_driver.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <utility>

#include "broker/quorum/raft_peer.h"
#include "protocol/status.h"

namespace keel::broker::quorum {
namespace {

namespace asio = boost::asio;

// The longest single wait: the loop re-reads the deadline anyway, and a far deadline would
// overflow the steady clock's nanoseconds.
constexpr int64_t kNoDeadline = 3'600'000;

}  // namespace

RaftDriver::RaftDriver(RaftDriverOptions options) : options_(std::move(options)) {}

RaftDriver::~RaftDriver() { stop(); }

absl::StatusOr<std::unique_ptr<RaftDriver>> RaftDriver::start(RaftDriverOptions options) {
  std::unique_ptr<RaftDriver> d(new RaftDriver(std::move(options)));
  RaftDriverOptions& o = d->options_;
  if (o.state_machine == nullptr)
    return absl::InvalidArgumentError("raft driver: no state machine");
  KEEL_RETURN_IF_ERROR(o.env->create_dir(o.dir));
  KEEL_ASSIGN_OR_RETURN(d->node_, raft::RaftNode::open(o.env, &o.timers->clock(), o.dir, o.config,
                                                       o.state_machine, o.seed, d->now()));
  asio::any_io_executor ex = d->io_.get_executor();
  for (const auto& [id, address] : o.voters) {
    if (id == o.config.node_id) continue;
    RaftDriver* self = d.get();
    d->peers_[id] = std::make_shared<RaftPeer>(
        ex, o.timers, o.config.node_id, id, address, o.cluster_id, o.config.request_timeout_ms,
        [self](raft::Envelope response) { self->on_response(std::move(response)); });
  }
  d->timer_ = o.timers->make_timer(ex);
  d->work_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(
      d->io_.get_executor());
  {
    std::lock_guard<std::mutex> lock(d->mu_);
    d->accepting_ = true;
    d->peer_view_ = d->peers_;
  }
  d->thread_ = std::thread([p = d.get()] {
    p->io_.run();
    std::lock_guard<std::mutex> lock(p->run_mu_);
    p->thread_done_ = true;
    p->run_cv_.notify_all();
  });
  asio::post(d->io_, [p = d.get()] {
    for (auto& [id, peer] : p->peers_) peer->start();
    p->after_step();
    asio::co_spawn(p->io_, p->tick_loop(), asio::detached);
  });
  d->info("raft node " + std::to_string(o.config.node_id) + " started in " + o.dir + " with " +
          std::to_string(o.voters.size()) + " voters");
  return d;
}

void RaftDriver::stop(std::chrono::milliseconds grace, bool resign) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepting_) {
      if (!thread_.joinable()) return;
    } else {
      accepting_ = false;
      // Under mu_: every deliver() posted before this runs before it and is answered by it.
      asio::co_spawn(io_, resign_and_shut_down(resign), asio::detached);
    }
  }
  if (!thread_.joinable()) return;
  work_.reset();
  {
    std::unique_lock<std::mutex> lock(run_mu_);
    if (!run_cv_.wait_for(lock, grace, [this] { return thread_done_; })) {
      info("raft driver did not stop within the grace period: abandoning its loop");
      io_.stop();
    }
  }
  thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    peer_view_.clear();
  }
  // Handlers still queued (abandoned) are destroyed with io_; answer nothing twice. The timer
  // belongs to io_: gone before it.
  inbound_.clear();
  peers_.clear();
  timer_.reset();
}

asio::awaitable<void> RaftDriver::resign_and_shut_down(bool resign) {
  if (resign && !shut_down_ && node_->role() == raft::Role::kLeader) {
    node_->resign(now());
    after_step();
    const int64_t until = now() + kResignFlushMs;
    auto flushed = [this] {
      for (const auto& [id, peer] : peers_) {
        if (!peer->idle()) return false;
      }
      return true;
    };
    while (!flushed() && now() < until) {
      auto nap = options_.timers->sleep_for(5);
      co_await std::move(nap);
    }
  }
  shutdown_here();
}

void RaftDriver::shutdown_here() {
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& [id, peer] : peers_) peer->stop();
  peers_.clear();
  expire_inbound(0, /*all=*/true);
  timer_->cancel();
}

void RaftDriver::deliver(raft::Envelope request, Answer done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!accepting_) {
    done(std::nullopt);
    return;
  }
  asio::post(io_, [this, r = std::move(request), d = std::move(done)]() mutable {
    on_request(std::move(r), std::move(d));
  });
}

void RaftDriver::append(std::vector<std::string> payloads,
                        std::function<void(absl::StatusOr<int64_t>)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!accepting_) {
    done(absl::UnavailableError("raft driver stopped"));
    return;
  }
  asio::post(io_, [this, p = std::move(payloads), d = std::move(done)]() mutable {
    absl::StatusOr<int64_t> r = node_->append(std::move(p), now());
    after_step();
    d(std::move(r));
  });
}

bool RaftDriver::post(std::function<void(raft::RaftNode&)> work) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!accepting_) return false;
  asio::post(io_, [this, w = std::move(work)] {
    if (shut_down_) return;
    w(*node_);
    after_step();
  });
  return true;
}

void RaftDriver::describe(std::function<void(raft::QuorumDescription)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!accepting_) {
    raft::QuorumDescription d;
    d.error = protocol::ErrorCode::kNotLeaderOrFollower;
    done(std::move(d));
    return;
  }
  asio::post(io_, [this, d = std::move(done)] { d(node_->describe_quorum()); });
}

std::optional<int32_t> RaftDriver::reachable_leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  const int32_t leader = status_.leader_id;
  if (leader < 0 || !accepting_) return std::nullopt;
  if (leader == node_id()) return leader;
  auto it = peer_view_.find(leader);
  if (it == peer_view_.end() || !it->second->connected()) return std::nullopt;
  return leader;
}

RaftStatus RaftDriver::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void RaftDriver::on_request(raft::Envelope request, Answer done) {
  if (shut_down_) {
    done(std::nullopt);
    return;
  }
  // The node answers with the request's correlation id; a driver-wide one keeps requests of
  // different connections apart (a raw client may reuse a voter's id and correlation).
  request.correlation_id = next_inbound_++;
  const auto key = std::make_pair(request.from, request.correlation_id);
  int64_t timeout = options_.config.request_timeout_ms;
  if (std::holds_alternative<raft::FetchRequest>(request.message)) {
    timeout += options_.config.fetch_max_wait_ms;  // the leader may hold a Fetch that long
  }
  inbound_[key] = Inbound{std::move(done), now() + timeout, raft::message_name(request.message)};
  request.to = node_id();
  node_->handle(request, now());
  after_step();
}

void RaftDriver::on_response(raft::Envelope response) {
  if (shut_down_) return;
  node_->handle(response, now());
  after_step();
}

void RaftDriver::after_step() {
  if (shut_down_) return;
  if (options_.on_step) hook_deadline_ = options_.on_step(*node_, now());
  for (raft::Envelope& e : node_->take_outbox()) {
    if (raft::is_request(e.message)) {
      auto it = peers_.find(e.to);
      if (it != peers_.end()) it->second->send(e);
      continue;
    }
    auto it = inbound_.find(std::make_pair(e.to, e.correlation_id));
    if (it == inbound_.end()) continue;  // its request timed out
    Answer done = std::move(it->second.done);
    inbound_.erase(it);
    done(std::move(e));
  }
  RaftStatus s;
  s.role = node_->role();
  s.epoch = node_->epoch();
  s.leader_id = node_->leader_id();
  s.high_watermark = node_->high_watermark();
  s.log_end_offset = node_->log_end_offset();
  s.applied_offset = node_->applied_offset();
  s.failed = !node_->failed().ok();
  if (s.role != last_role_ || s.epoch != last_epoch_) {
    info("raft node " + std::to_string(node_id()) + ": " + raft::role_name(s.role) + " in epoch " +
         std::to_string(s.epoch) + ", leader " + std::to_string(s.leader_id));
    last_role_ = s.role;
    last_epoch_ = s.epoch;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = s;
  }
  // Wake the tick loop when the next deadline moved before the one it waits for.
  int64_t next = std::min(node_->next_deadline_ms(), hook_deadline_);
  for (const auto& [key, in] : inbound_) next = std::min(next, in.deadline_ms);
  if (next < waiting_until_) timer_->cancel();
}

void RaftDriver::expire_inbound(int64_t now_ms, bool all) {
  for (auto it = inbound_.begin(); it != inbound_.end();) {
    if (all || it->second.deadline_ms <= now_ms) {
      if (!all) {
        info("raft node " + std::to_string(node_id()) + " gave no answer to " + it->second.what +
             " from " + std::to_string(it->first.first) + " in time");
      }
      Answer done = std::move(it->second.done);
      it = inbound_.erase(it);
      done(std::nullopt);
    } else {
      ++it;
    }
  }
}

asio::awaitable<void> RaftDriver::tick_loop() {
  while (!shut_down_) {
    int64_t next = std::min(node_->next_deadline_ms(), hook_deadline_);
    for (const auto& [key, in] : inbound_) next = std::min(next, in.deadline_ms);
    waiting_until_ = std::min(next, now() + kNoDeadline);
    auto wait = timer_->wait_until(waiting_until_);
    co_await std::move(wait);
    waiting_until_ = 0;  // awake: after_step need not cancel
    if (shut_down_) break;
    const int64_t t = now();
    if (t >= node_->next_deadline_ms()) {
      node_->poll(t);
      after_step();
    } else if (t >= hook_deadline_) {
      after_step();
    }
    expire_inbound(t, /*all=*/false);
  }
}

void RaftDriver::info(const std::string& message) const {
  if (options_.log) options_.log(message);
}

}  // namespace keel::broker::quorum
