// File: broker/group/group_records.cc
#include "broker/group/group_records.h"

#include "absl/status/status.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/writer.h"

namespace keel::broker::group {
namespace {

constexpr int16_t kOffsetKeyVersion = 1;
constexpr int16_t kGroupKeyVersion = 2;
constexpr int16_t kValueVersion = 0;

absl::Status check(const protocol::Reader& r, const char* what) {
  if (!r.status().ok()) {
    return absl::InvalidArgumentError(std::string("bad ") + what + ": " +
                                      std::string(r.status().message()));
  }
  if (r.remaining() != 0)
    return absl::InvalidArgumentError(std::string("trailing bytes in ") + what);
  return absl::OkStatus();
}

protocol::Bytes read_bytes32(protocol::Reader& r) { return r.read_bytes(false); }

void write_bytes32(protocol::Writer& w, const protocol::Bytes& b) { w.write_bytes(b, false); }

}  // namespace

protocol::Bytes encode_key(const RecordKey& key) {
  protocol::Bytes out;
  protocol::Writer w(out);
  if (const auto* k = std::get_if<OffsetKey>(&key)) {
    w.write_int16(kOffsetKeyVersion);
    w.write_string(k->group, false);
    w.write_string(k->topic, false);
    w.write_int32(k->partition);
  } else {
    const auto& g = std::get<GroupKey>(key);
    w.write_int16(kGroupKeyVersion);
    w.write_string(g.group, false);
  }
  return out;
}

protocol::Bytes encode_offset_value(const OffsetValue& v) {
  protocol::Bytes out;
  protocol::Writer w(out);
  w.write_int16(kValueVersion);
  w.write_int64(v.offset);
  w.write_int32(v.leader_epoch);
  w.write_nullable_string(v.metadata, false);
  w.write_int64(v.commit_timestamp_ms);
  return out;
}

protocol::Bytes encode_group_value(const GroupValue& v) {
  protocol::Bytes out;
  protocol::Writer w(out);
  w.write_int16(kValueVersion);
  w.write_string(v.protocol_type, false);
  w.write_int32(v.generation);
  w.write_nullable_string(v.protocol, false);
  w.write_nullable_string(v.leader, false);
  w.write_int64(v.state_timestamp_ms);
  w.write_int32(static_cast<int32_t>(v.members.size()));
  for (const StoredMember& m : v.members) {
    w.write_string(m.member_id, false);
    w.write_nullable_string(m.instance_id, false);
    w.write_string(m.client_id, false);
    w.write_string(m.client_host, false);
    w.write_int32(m.session_timeout_ms);
    w.write_int32(m.rebalance_timeout_ms);
    write_bytes32(w, m.subscription);
    write_bytes32(w, m.assignment);
  }
  return out;
}

absl::StatusOr<RecordKey> decode_key(std::span<const uint8_t> bytes) {
  protocol::Reader r(bytes);
  const int16_t version = r.read_int16();
  if (version == kOffsetKeyVersion) {
    OffsetKey k;
    k.group = r.read_string(false);
    k.topic = r.read_string(false);
    k.partition = r.read_int32();
    absl::Status s = check(r, "offset key");
    if (!s.ok()) return s;
    return RecordKey(std::move(k));
  }
  if (version == kGroupKeyVersion) {
    GroupKey k;
    k.group = r.read_string(false);
    absl::Status s = check(r, "group key");
    if (!s.ok()) return s;
    return RecordKey(std::move(k));
  }
  return absl::InvalidArgumentError("unknown key version " + std::to_string(version));
}

absl::StatusOr<OffsetValue> decode_offset_value(std::span<const uint8_t> bytes) {
  protocol::Reader r(bytes);
  const int16_t version = r.read_int16();
  if (r.status().ok() && version != kValueVersion) {
    return absl::InvalidArgumentError("unknown offset value version " + std::to_string(version));
  }
  OffsetValue v;
  v.offset = r.read_int64();
  v.leader_epoch = r.read_int32();
  v.metadata = r.read_nullable_string(false);
  v.commit_timestamp_ms = r.read_int64();
  absl::Status s = check(r, "offset value");
  if (!s.ok()) return s;
  return v;
}

absl::StatusOr<GroupValue> decode_group_value(std::span<const uint8_t> bytes) {
  protocol::Reader r(bytes);
  const int16_t version = r.read_int16();
  if (r.status().ok() && version != kValueVersion) {
    return absl::InvalidArgumentError("unknown group value version " + std::to_string(version));
  }
  GroupValue v;
  v.protocol_type = r.read_string(false);
  v.generation = r.read_int32();
  v.protocol = r.read_nullable_string(false);
  v.leader = r.read_nullable_string(false);
  v.state_timestamp_ms = r.read_int64();
  const int32_t n = r.read_int32();
  for (int32_t i = 0; i < n && r.status().ok(); ++i) {
    if (r.remaining() == 0) {
      r.fail("truncated member");
      break;
    }
    StoredMember m;
    m.member_id = r.read_string(false);
    m.instance_id = r.read_nullable_string(false);
    m.client_id = r.read_string(false);
    m.client_host = r.read_string(false);
    m.session_timeout_ms = r.read_int32();
    m.rebalance_timeout_ms = r.read_int32();
    m.subscription = read_bytes32(r);
    m.assignment = read_bytes32(r);
    v.members.push_back(std::move(m));
  }
  absl::Status s = check(r, "group value");
  if (!s.ok()) return s;
  return v;
}

std::vector<std::string> subscription_topics(std::span<const uint8_t> subscription) {
  protocol::Reader r(subscription);
  (void)r.read_int16();  // version
  const int32_t n = r.read_int32();
  std::vector<std::string> topics;
  for (int32_t i = 0; i < n && r.status().ok(); ++i) {
    std::string t = r.read_string(false);
    if (!r.status().ok()) break;
    topics.push_back(std::move(t));
  }
  if (!r.status().ok()) return {};
  return topics;
}

}  // namespace keel::broker::group
