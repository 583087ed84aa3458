// File: broker/group/group_records.h
// The records the group coordinator keeps in `__consumer_offsets` (Keel's own layout,
// versioned like Kafka's): every key starts with an int16 key version that says what the
// record is, every value with an int16 value version.
//
//   offset commit   key v1: group (string), topic (string), partition (int32)
//                   value v0: offset (int64), leader epoch (int32), metadata (nullable
//                   string), commit timestamp ms (int64)
//   group metadata  key v2: group (string)
//                   value v0: protocol type (string), generation (int32), protocol
//                   (nullable string), leader (nullable string), state timestamp ms (int64),
//                   members: count (int32) then per member id, instance id (nullable),
//                   client id, client host, session timeout, rebalance timeout,
//                   subscription (bytes), assignment (bytes)
//
// Strings are int16-length prefixed (-1 = null), bytes int32-length prefixed. A null value
// is a tombstone: the offset, or the whole group's metadata, is gone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/wire/types.h"

namespace keel::broker::group {

struct OffsetKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  bool operator==(const OffsetKey&) const = default;
};

struct GroupKey {
  std::string group;
  bool operator==(const GroupKey&) const = default;
};

struct OffsetValue {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  int64_t commit_timestamp_ms = -1;
  bool operator==(const OffsetValue&) const = default;
};

struct StoredMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  protocol::Bytes subscription;
  protocol::Bytes assignment;
  bool operator==(const StoredMember&) const = default;
};

struct GroupValue {
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  int64_t state_timestamp_ms = -1;
  std::vector<StoredMember> members;
  bool operator==(const GroupValue&) const = default;
};

using RecordKey = std::variant<OffsetKey, GroupKey>;

protocol::Bytes encode_key(const RecordKey& key);
protocol::Bytes encode_offset_value(const OffsetValue& value);
protocol::Bytes encode_group_value(const GroupValue& value);

// Fails (INVALID_ARGUMENT) for an unknown key version or truncated bytes.
absl::StatusOr<RecordKey> decode_key(std::span<const uint8_t> bytes);
absl::StatusOr<OffsetValue> decode_offset_value(std::span<const uint8_t> bytes);
absl::StatusOr<GroupValue> decode_group_value(std::span<const uint8_t> bytes);

// The topics a consumer-protocol subscription (ConsumerProtocolSubscription, any version)
// names; empty when the bytes are not one.
std::vector<std::string> subscription_topics(std::span<const uint8_t> subscription);

}  // namespace keel::broker::group
