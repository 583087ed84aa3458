// File: controller/meta_properties.h
// `meta.properties`, the file that marks a log dir as formatted for one node of one cluster,
// in Kafka's KRaft format (version 1):
//   #Written by Keel. Do not edit: the node refuses to start when it does not match.
//   version=1
//   cluster.id=<cluster id>
//   node.id=<node id>
// Keys Keel does not know (Kafka 3.7+ adds directory.id) are kept when reading and ignored.
//
// Every log dir of a node carries one; they must agree with each other and with the
// configuration (node.id, cluster.id when set), so a disk from another node or cluster is
// never used by mistake.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/env.h"
#include "storage/random.h"

namespace keel::controller {

inline constexpr std::string_view kMetaPropertiesFile = "meta.properties";

struct MetaProperties {
  int32_t version = 1;
  std::string cluster_id;
  int32_t node_id = -1;
  // Other keys found in the file, unused.
  std::map<std::string, std::string> other;

  bool operator==(const MetaProperties&) const = default;
};

// The file's text.
std::string serialize_meta_properties(const MetaProperties& props);
// Parses the text of `path` (for messages). Errors name the file and the problem: a line
// without '=', version other than 1, missing or bad cluster.id / node.id.
absl::StatusOr<MetaProperties> parse_meta_properties(std::string_view text, std::string_view path);

// nullopt when the file is absent.
absl::StatusOr<std::optional<MetaProperties>> read_meta_properties(storage::Env* env,
                                                                   const std::string& log_dir);
// Written atomically (temp file, fsync, rename, directory fsync).
absl::Status write_meta_properties(storage::Env* env, const std::string& log_dir,
                                   const MetaProperties& props);

// A new random cluster id: 16 random bytes in URL-safe base64 without padding (22 chars), the
// form of Kafka's Uuid.toString().
std::string generate_cluster_id(storage::Random& random = *storage::Random::system());

// A cluster id must be 1-64 printable ASCII characters without spaces or backslashes (so that
// it survives the properties format unchanged).
absl::Status validate_cluster_id(std::string_view cluster_id);

// Formats every dir of `log_dirs` that has no meta.properties yet (creating the dir) and checks
// the others: the cluster ids and node ids found must agree with each other, with `node_id`,
// and with `configured_cluster_id` when it is not empty. Returns the cluster id in use (the one
// found, else the configured one, else a new random one). Errors are INVALID_CONFIG (or
// KAFKA_STORAGE_ERROR for I/O) naming the file.
absl::StatusOr<std::string> ensure_meta_properties(storage::Env* env,
                                                   const std::vector<std::string>& log_dirs,
                                                   int32_t node_id,
                                                   const std::string& configured_cluster_id,
                                                   storage::Random& random);

}  // namespace keel::controller
