#include "broker/config/broker_config.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "broker/config/config_def.h"
#include "broker/config/properties_file.h"
#include "protocol/status.h"

namespace keel::broker {
namespace {

// Advertised in place of an empty or wildcard listener host. Keel's main use is a local
// cluster, where 127.0.0.1 always works and the machine's hostname may not resolve.
constexpr char kDefaultAdvertisedHost[] = "127.0.0.1";

absl::Status error_at(const Setting* s, const std::string& msg) {
  return absl::InvalidArgumentError(s == nullptr ? msg : s->source + ": " + msg);
}

// Typed reads of validated settings, falling back to the table's default.
class Reader {
 public:
  explicit Reader(const Settings& settings) : settings_(settings) {}

  const Setting* find(std::string_view name) const {
    auto it = settings_.find(name);
    return it == settings_.end() ? nullptr : &it->second;
  }
  bool has(std::string_view name) const { return find(name) != nullptr; }
  std::string str(std::string_view name) const {
    if (const Setting* s = find(name)) return s->value;
    const char* d = find_config_def(name)->default_value;
    return d == nullptr ? "" : d;
  }
  int64_t num(std::string_view name) const {
    std::string v = str(name);
    int64_t n = 0;
    (void)absl::SimpleAtoi(absl::string_view(v.data(), v.size()), &n);  // validated before
    return n;
  }
  bool flag(std::string_view name) const { return parse_bool(str(name)).value_or(false); }
  std::vector<std::string> list(std::string_view name) const { return split_list(str(name)); }

 private:
  const Settings& settings_;
};

int32_t i32(int64_t v) { return static_cast<int32_t>(v); }

// ms > minutes > hours, as Kafka; a negative result means "unlimited" (-1).
int64_t retention_ms(const Reader& r) {
  int64_t ms = r.has("log.retention.ms")        ? r.num("log.retention.ms")
               : r.has("log.retention.minutes") ? r.num("log.retention.minutes") * 60000
                                                : r.num("log.retention.hours") * 3600000;
  return ms < 0 ? -1 : ms;
}

absl::Status resolve_listeners(const Reader& r, BrokerConfig* c) {
  c->listeners = *parse_endpoints(r.str("listeners"));
  c->controller_listener_names = r.list("controller.listener.names");
  for (std::string& n : c->controller_listener_names) {
    std::transform(n.begin(), n.end(), n.begin(),
                   [](unsigned char ch) { return std::toupper(ch); });
  }
  auto is_controller = [&](const std::string& name) {
    return std::find(c->controller_listener_names.begin(), c->controller_listener_names.end(),
                     name) != c->controller_listener_names.end();
  };
  auto listener_named = [&](const std::string& name) -> const Endpoint* {
    for (const Endpoint& e : c->listeners) {
      if (e.listener == name) return &e;
    }
    return nullptr;
  };
  if (c->listeners.empty()) return error_at(r.find("listeners"), "listeners must not be empty");
  // Every listener needs a security protocol, and Keel serves PLAINTEXT only: a listener meant
  // for TLS or SASL must fail loudly rather than serve plaintext.
  const Setting* map_setting = r.find("listener.security.protocol.map");
  auto protocols = *parse_listener_protocol_map(r.str("listener.security.protocol.map"));
  if (map_setting == nullptr) {
    for (const std::string& n : c->controller_listener_names) protocols.emplace(n, "PLAINTEXT");
  }
  for (const Endpoint& e : c->listeners) {
    auto it = protocols.find(e.listener);
    if (it == protocols.end()) {
      return error_at(map_setting != nullptr ? map_setting : r.find("listeners"),
                      "listener '" + e.listener + "' has no security protocol: add " + e.listener +
                          ":PLAINTEXT to listener.security.protocol.map");
    }
    if (it->second != "PLAINTEXT") {
      return error_at(r.find("listeners"), "listener '" + e.listener + "' uses " + it->second +
                                               ": Keel serves PLAINTEXT listeners only so far");
    }
  }
  // A broker-only node names the controllers' listener to reach them; it serves none itself.
  for (const std::string& n : c->controller_listener_names) {
    if (c->controller_role && listener_named(n) == nullptr) {
      return error_at(r.find("controller.listener.names"),
                      "controller.listener.names: '" + n + "' is not in listeners");
    }
  }
  if (c->broker_role && std::all_of(c->listeners.begin(), c->listeners.end(),
                                    [&](const Endpoint& e) { return is_controller(e.listener); })) {
    return error_at(r.find("listeners"),
                    "the broker role needs a listener that is not in "
                    "controller.listener.names");
  }
  if (const Setting* s = r.find("advertised.listeners")) {
    c->advertised_listeners = *parse_endpoints(s->value);
    for (Endpoint& e : c->advertised_listeners) {
      if (listener_named(e.listener) == nullptr) {
        return error_at(s,
                        "advertised.listeners: listener '" + e.listener + "' is not in listeners");
      }
      if (is_wildcard_host(e.address.host) || e.address.port == 0) {
        return error_at(s, "advertised.listeners: '" + e.to_string() +
                               "' is not an address a client can connect to");
      }
      if (e.address.host.empty()) e.address.host = kDefaultAdvertisedHost;
    }
  } else {
    for (const Endpoint& e : c->listeners) {
      if (is_controller(e.listener)) continue;
      Endpoint a = e;
      if (a.address.host.empty() || is_wildcard_host(a.address.host)) {
        a.address.host = kDefaultAdvertisedHost;
      }
      c->advertised_listeners.push_back(std::move(a));
    }
  }
  return absl::OkStatus();
}

absl::Status resolve_quorum(const Reader& r, BrokerConfig* c) {
  const Setting* voters_setting = r.find("controller.quorum.voters");
  c->controller_quorum_voters = *parse_quorum_voters(r.str("controller.quorum.voters"));
  bool listed = std::any_of(c->controller_quorum_voters.begin(), c->controller_quorum_voters.end(),
                            [&](const QuorumVoter& v) { return v.id == c->node_id; });
  if (c->controller_quorum_voters.empty()) {
    if (!c->controller_role) {
      return error_at(voters_setting,
                      "controller.quorum.voters is required without the "
                      "controller role");
    }
    return absl::OkStatus();
  }
  if (c->controller_role && !listed) {
    return error_at(voters_setting, "controller.quorum.voters must list node.id " +
                                        std::to_string(c->node_id) + " (controller role)");
  }
  if (!c->controller_role && listed) {
    return error_at(voters_setting, "controller.quorum.voters lists node.id " +
                                        std::to_string(c->node_id) +
                                        " but process.roles has no controller");
  }
  if (c->controller_role && c->controller_quorum_voters.size() > 1 &&
      c->controller_listener_names.empty()) {
    return error_at(r.find("controller.listener.names"),
                    "controller.listener.names is required with more than one voter");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BrokerConfig> resolve_broker_config(const Settings& settings) {
  for (const auto& [name, setting] : settings) {
    const ConfigDef* def = find_config_def(name);
    if (def == nullptr) {
      std::string msg = "unknown property '" + name + "'";
      std::string hint = suggest_config_name(name);
      if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
      return error_at(&setting, msg);
    }
    if (absl::Status s = validate_config_value(*def, setting.value); !s.ok()) {
      return error_at(&setting, std::string(s.message()));
    }
  }
  Reader r(settings);
  BrokerConfig c;
  if (!r.has("node.id")) return absl::InvalidArgumentError("node.id is required");
  c.node_id = i32(r.num("node.id"));
  std::vector<std::string> roles = r.list("process.roles");
  c.broker_role = std::count(roles.begin(), roles.end(), "broker") > 0;
  c.controller_role = std::count(roles.begin(), roles.end(), "controller") > 0;
  c.cluster_id = r.str("cluster.id");
  KEEL_RETURN_IF_ERROR(resolve_listeners(r, &c));
  KEEL_RETURN_IF_ERROR(resolve_quorum(r, &c));
  c.quorum_election_timeout_ms = r.num("controller.quorum.election.timeout.ms");
  c.quorum_fetch_timeout_ms = r.num("controller.quorum.fetch.timeout.ms");
  c.quorum_election_backoff_max_ms = r.num("controller.quorum.election.backoff.max.ms");
  c.quorum_request_timeout_ms = r.num("controller.quorum.request.timeout.ms");
  c.quorum_append_linger_ms = r.num("controller.quorum.append.linger.ms");
  if (std::string admin = r.str("keel.admin.listener"); !admin.empty()) {
    c.admin_listener = *parse_host_port(admin);
  }
  c.shards = i32(r.num("keel.shards"));
  c.num_network_threads = i32(r.num("num.network.threads"));
  c.num_io_threads = i32(r.num("num.io.threads"));
  c.socket_request_max_bytes = i32(r.num("socket.request.max.bytes"));
  c.message_max_bytes = i32(r.num("message.max.bytes"));

  c.auto_create_topics_enable = r.flag("auto.create.topics.enable");
  c.num_partitions = i32(r.num("num.partitions"));
  c.default_replication_factor = static_cast<int16_t>(r.num("default.replication.factor"));
  c.min_insync_replicas = i32(r.num("min.insync.replicas"));
  c.unclean_leader_election_enable = r.flag("unclean.leader.election.enable");
  c.replica_lag_time_max_ms = r.num("replica.lag.time.max.ms");

  c.log_dirs = r.has("log.dirs") ? r.list("log.dirs") : std::vector{r.str("log.dir")};
  c.log_segment_bytes = i32(r.num("log.segment.bytes"));
  c.log_roll_ms = r.has("log.roll.ms") ? r.num("log.roll.ms") : r.num("log.roll.hours") * 3600000;
  c.log_retention_ms = retention_ms(r);
  c.log_retention_bytes = r.num("log.retention.bytes");
  c.log_index_interval_bytes = i32(r.num("log.index.interval.bytes"));
  c.log_retention_check_interval_ms = r.num("log.retention.check.interval.ms");
  c.log_cleaner_backoff_ms = r.num("log.cleaner.backoff.ms");
  c.log_index_size_max_bytes = i32(r.num("log.index.size.max.bytes"));
  c.log_flush_interval_messages = r.num("log.flush.interval.messages");
  c.log_flush_interval_ms =
      r.has("log.flush.interval.ms") ? r.num("log.flush.interval.ms") : storage::kNever;
  c.log_cleanup_policy = r.list("log.cleanup.policy");
  c.log_cleaner_delete_retention_ms = r.num("log.cleaner.delete.retention.ms");
  c.log_cleaner_min_compaction_lag_ms = r.num("log.cleaner.min.compaction.lag.ms");
  c.log_message_timestamp_type = r.str("log.message.timestamp.type");

  c.offsets_topic_num_partitions = i32(r.num("offsets.topic.num.partitions"));
  c.offsets_topic_replication_factor =
      static_cast<int16_t>(r.num("offsets.topic.replication.factor"));
  c.offsets_retention_minutes = i32(r.num("offsets.retention.minutes"));
  c.group_initial_rebalance_delay_ms = i32(r.num("group.initial.rebalance.delay.ms"));
  c.group_min_session_timeout_ms = i32(r.num("group.min.session.timeout.ms"));
  c.group_max_session_timeout_ms = i32(r.num("group.max.session.timeout.ms"));
  c.group_max_size = i32(r.num("group.max.size"));
  if (c.group_min_session_timeout_ms > c.group_max_session_timeout_ms) {
    return error_at(r.find("group.min.session.timeout.ms"),
                    "group.min.session.timeout.ms must not exceed group.max.session.timeout.ms");
  }
  c.broker_session_timeout_ms = i32(r.num("broker.session.timeout.ms"));
  c.broker_heartbeat_interval_ms = i32(r.num("broker.heartbeat.interval.ms"));
  c.auto_leader_rebalance_enable = r.flag("auto.leader.rebalance.enable");
  c.broker_rack = r.str("broker.rack");
  c.snapshot_min_bytes_between = r.num("metadata.log.max.record.bytes.between.snapshots");
  c.snapshot_interval_ms = r.num("metadata.log.max.snapshot.interval.ms");
  c.leader_imbalance_check_interval_seconds = r.num("leader.imbalance.check.interval.seconds");
  c.explicit_settings = settings;
  return c;
}

absl::StatusOr<BrokerConfig> load_broker_config(std::optional<std::string> properties_path,
                                                std::span<const std::string> overrides) {
  Settings settings;
  if (properties_path.has_value()) {
    KEEL_ASSIGN_OR_RETURN(std::vector<Property> props, read_properties_file(*properties_path));
    for (Property& p : props) {
      settings[p.key] = {std::move(p.value), *properties_path + ":" + std::to_string(p.line)};
    }
  }
  for (const std::string& o : overrides) {
    size_t eq = o.find('=');
    // split_list trims; a key never holds a comma, so one item or none comes back.
    std::vector<std::string> key_items =
        split_list(std::string_view(o).substr(0, eq == std::string::npos ? 0 : eq));
    if (eq == std::string::npos || key_items.size() != 1) {
      return absl::InvalidArgumentError("command line: override '" + o +
                                        "' is not of the form key=value");
    }
    settings[key_items[0]] = {o.substr(eq + 1), "command line"};
  }
  return resolve_broker_config(settings);
}

absl::StatusOr<storage::LogConfig> default_log_config(const BrokerConfig& c) {
  std::string policy;
  for (const std::string& p : c.log_cleanup_policy) policy += (policy.empty() ? "" : ",") + p;
  return storage::parse_log_config(
      {
          {"segment.bytes", std::to_string(c.log_segment_bytes)},
          {"segment.ms", std::to_string(c.log_roll_ms)},
          {"segment.index.bytes", std::to_string(c.log_index_size_max_bytes)},
          {"index.interval.bytes", std::to_string(c.log_index_interval_bytes)},
          {"max.message.bytes", std::to_string(c.message_max_bytes)},
          {"flush.messages", std::to_string(c.log_flush_interval_messages)},
          {"flush.ms", std::to_string(c.log_flush_interval_ms)},
          {"retention.ms", std::to_string(c.log_retention_ms)},
          {"retention.bytes", std::to_string(c.log_retention_bytes)},
          {"cleanup.policy", policy},
          {"delete.retention.ms", std::to_string(c.log_cleaner_delete_retention_ms)},
          {"min.compaction.lag.ms", std::to_string(c.log_cleaner_min_compaction_lag_ms)},
          {"message.timestamp.type", c.log_message_timestamp_type},
      },
      storage::LogConfig{}, /*ignore_unknown=*/false);
}

}  // namespace keel::broker
