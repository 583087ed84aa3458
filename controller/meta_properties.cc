#include "controller/meta_properties.h"

#include <array>
#include <charconv>

#include "absl/strings/str_cat.h"
#include "protocol/error_code.h"
#include "protocol/status.h"

namespace keel::controller {
namespace {

using protocol::ErrorCode;
using protocol::kafka_error;

constexpr char kVersionKey[] = "version";
constexpr char kClusterIdKey[] = "cluster.id";
constexpr char kNodeIdKey[] = "node.id";

absl::Status bad_file(std::string_view path, std::string_view problem) {
  return kafka_error(ErrorCode::kInvalidConfig,
                     absl::StrCat(std::string(path), ": ", std::string(problem)),
                     absl::StatusCode::kFailedPrecondition);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<int32_t> parse_int32(std::string_view s) {
  int32_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string serialize_meta_properties(const MetaProperties& props) {
  std::string out =
      "#Written by Keel. Do not edit: the node refuses to start when it does not match.\n";
  absl::StrAppend(&out, kVersionKey, "=", props.version, "\n");
  absl::StrAppend(&out, kClusterIdKey, "=", props.cluster_id, "\n");
  absl::StrAppend(&out, kNodeIdKey, "=", props.node_id, "\n");
  for (const auto& [key, value] : props.other) absl::StrAppend(&out, key, "=", value, "\n");
  return out;
}

absl::StatusOr<MetaProperties> parse_meta_properties(std::string_view text, std::string_view path) {
  std::map<std::string, std::string> entries;
  int line_number = 0;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_number;
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return bad_file(path, absl::StrCat("line ", line_number, " is not key=value"));
    }
    std::string key(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    if (key.empty()) return bad_file(path, absl::StrCat("line ", line_number, " has no key"));
    entries[key] = value;
  }
  MetaProperties props;
  auto take = [&entries](std::string_view key) -> std::optional<std::string> {
    auto it = entries.find(std::string(key));
    if (it == entries.end()) return std::nullopt;
    std::string value = it->second;
    entries.erase(it);
    return value;
  };
  std::optional<std::string> version = take(kVersionKey);
  if (!version) return bad_file(path, "no version");
  std::optional<int32_t> v = parse_int32(*version);
  if (!v || *v != 1) {
    return bad_file(path, absl::StrCat("unsupported version ", *version,
                                       " (only KRaft's version 1 is supported)"));
  }
  props.version = *v;
  std::optional<std::string> cluster_id = take(kClusterIdKey);
  if (!cluster_id) return bad_file(path, "no cluster.id");
  if (absl::Status s = validate_cluster_id(*cluster_id); !s.ok()) {
    return bad_file(path, std::string(s.message()));
  }
  props.cluster_id = *cluster_id;
  std::optional<std::string> node_id = take(kNodeIdKey);
  if (!node_id) return bad_file(path, "no node.id");
  std::optional<int32_t> n = parse_int32(*node_id);
  if (!n || *n < 0) return bad_file(path, absl::StrCat("bad node.id \"", *node_id, "\""));
  props.node_id = *n;
  props.other = std::move(entries);
  return props;
}

absl::StatusOr<std::optional<MetaProperties>> read_meta_properties(storage::Env* env,
                                                                   const std::string& log_dir) {
  const std::string path = storage::join_path(log_dir, kMetaPropertiesFile);
  if (!env->exists(path)) return std::optional<MetaProperties>();
  KEEL_ASSIGN_OR_RETURN(std::string text, env->read_file(path));
  KEEL_ASSIGN_OR_RETURN(MetaProperties props, parse_meta_properties(text, path));
  return std::optional<MetaProperties>(std::move(props));
}

absl::Status write_meta_properties(storage::Env* env, const std::string& log_dir,
                                   const MetaProperties& props) {
  return env->write_file_atomically(storage::join_path(log_dir, kMetaPropertiesFile),
                                    serialize_meta_properties(props));
}

std::string generate_cluster_id(storage::Random& random) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<uint8_t, 16> bytes{};
  for (size_t i = 0; i < bytes.size(); i += 8) {
    const uint64_t r = random.next_u64();
    for (size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<uint8_t>(r >> (8 * j));
  }
  std::string out;
  uint32_t bits = 0;
  int nbits = 0;
  for (uint8_t b : bytes) {
    bits = (bits << 8) | b;
    nbits += 8;
    while (nbits >= 6) {
      nbits -= 6;
      out += kAlphabet[(bits >> nbits) & 63];
    }
  }
  if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 63];
  return out;  // 128 bits = 21 full sextets + 2 bits: 22 characters
}

absl::Status validate_cluster_id(std::string_view cluster_id) {
  if (cluster_id.empty() || cluster_id.size() > 64) {
    return kafka_error(ErrorCode::kInvalidConfig, "cluster.id must be 1-64 characters long");
  }
  for (char c : cluster_id) {
    if (c <= ' ' || c > '~' || c == '\\') {
      return kafka_error(ErrorCode::kInvalidConfig,
                         absl::StrCat("cluster.id \"", std::string(cluster_id),
                                      "\" may contain only printable ASCII characters other "
                                      "than space and backslash"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ensure_meta_properties(storage::Env* env,
                                                   const std::vector<std::string>& log_dirs,
                                                   int32_t node_id,
                                                   const std::string& configured_cluster_id,
                                                   storage::Random& random) {
  if (!configured_cluster_id.empty())
    KEEL_RETURN_IF_ERROR(validate_cluster_id(configured_cluster_id));
  std::string cluster_id = configured_cluster_id;
  std::string cluster_id_source = "the configuration (cluster.id)";
  std::vector<std::string> unformatted;
  for (const std::string& dir : log_dirs) {
    KEEL_RETURN_IF_ERROR(env->create_dir(dir));
    KEEL_ASSIGN_OR_RETURN(std::optional<MetaProperties> props, read_meta_properties(env, dir));
    const std::string path = storage::join_path(dir, kMetaPropertiesFile);
    if (!props) {
      unformatted.push_back(dir);
      continue;
    }
    if (props->node_id != node_id) {
      return bad_file(
          path, absl::StrCat("node.id ", props->node_id, " does not match the configured node.id ",
                             node_id, ": this log dir belongs to another node"));
    }
    if (cluster_id.empty()) {
      cluster_id = props->cluster_id;
      cluster_id_source = path;
    } else if (props->cluster_id != cluster_id) {
      return bad_file(path,
                      absl::StrCat("cluster.id ", props->cluster_id, " does not match cluster.id ",
                                   cluster_id, " of ", cluster_id_source));
    }
  }
  if (cluster_id.empty()) cluster_id = generate_cluster_id(random);
  MetaProperties props;
  props.cluster_id = cluster_id;
  props.node_id = node_id;
  for (const std::string& dir : unformatted) {
    KEEL_RETURN_IF_ERROR(write_meta_properties(env, dir, props));
  }
  return cluster_id;
}

}  // namespace keel::controller
