#include "broker/quorum/raft_rpc.h"

#include <type_traits>
#include <utility>
#include <variant>

#include "controller/raft/raft_wire.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"
#include "protocol/wire/reader.h"

namespace keel::broker::quorum {
namespace {

constexpr int16_t kVoteVersion = 2;  // v2 carries pre_vote (KIP-996)
constexpr int16_t kBeginQuorumVersion = 1;
constexpr int16_t kEndQuorumVersion = 1;
constexpr int16_t kFetchVersion = 17;
constexpr int16_t kFetchSnapshotVersion = 1;

template <typename Wire>
protocol::Bytes frame(const Wire& body, int16_t version, int64_t correlation,
                      const std::string& client_id, SentRequest* sent) {
  protocol::RequestHeader h;
  h.api_key = Wire::kApiKey;
  h.api_version = version;
  h.correlation_id = static_cast<int32_t>(correlation);
  h.client_id = client_id;
  sent->api_key = Wire::kApiKey;
  sent->api_version = version;
  return protocol::encode_request_frame(h, body);
}

template <typename Wire>
absl::StatusOr<raft::Message> decode_as(protocol::Reader& r, const SentRequest& sent) {
  Wire wire;
  absl::Status s = wire.decode(r, sent.api_version);
  if (!s.ok()) return s;
  if constexpr (std::is_same_v<Wire, protocol::VoteResponse>) {
    auto m = raft::wire::from_wire(wire, sent.pre_vote);
    if (!m.ok()) return m.status();
    return raft::Message(std::move(*m));
  } else {
    auto m = raft::wire::from_wire(wire);
    if (!m.ok()) return m.status();
    return raft::Message(std::move(*m));
  }
}

}  // namespace

absl::StatusOr<protocol::Bytes> encode_request(const raft::Envelope& request,
                                               const std::string& cluster_id,
                                               const std::string& client_id, SentRequest* sent) {
  using namespace raft;
  const int64_t c = request.correlation_id;
  if (const auto* m = std::get_if<VoteRequest>(&request.message)) {
    sent->pre_vote = m->pre_vote;
    return frame(wire::to_wire(*m, cluster_id), kVoteVersion, c, client_id, sent);
  }
  if (const auto* m = std::get_if<BeginQuorumEpochRequest>(&request.message)) {
    return frame(wire::to_wire(*m, cluster_id), kBeginQuorumVersion, c, client_id, sent);
  }
  if (const auto* m = std::get_if<EndQuorumEpochRequest>(&request.message)) {
    return frame(wire::to_wire(*m, cluster_id), kEndQuorumVersion, c, client_id, sent);
  }
  if (const auto* m = std::get_if<FetchRequest>(&request.message)) {
    return frame(wire::to_wire(*m, cluster_id), kFetchVersion, c, client_id, sent);
  }
  if (const auto* m = std::get_if<FetchSnapshotRequest>(&request.message)) {
    return frame(wire::to_wire(*m, cluster_id), kFetchSnapshotVersion, c, client_id, sent);
  }
  return absl::InvalidArgumentError(std::string("not a request: ") + message_name(request.message));
}

absl::StatusOr<raft::Message> decode_response(const protocol::Bytes& frame,
                                              const SentRequest& sent) {
  protocol::Reader r(frame);
  protocol::decode_response_header(
      r, protocol::response_header_version(sent.api_key, sent.api_version));
  if (!r.ok()) return absl::InvalidArgumentError("truncated response header");
  switch (sent.api_key) {
    case protocol::VoteResponse::kApiKey:
      return decode_as<protocol::VoteResponse>(r, sent);
    case protocol::BeginQuorumEpochResponse::kApiKey:
      return decode_as<protocol::BeginQuorumEpochResponse>(r, sent);
    case protocol::EndQuorumEpochResponse::kApiKey:
      return decode_as<protocol::EndQuorumEpochResponse>(r, sent);
    case protocol::FetchResponse::kApiKey:
      return decode_as<protocol::FetchResponse>(r, sent);
    case protocol::FetchSnapshotResponse::kApiKey:
      return decode_as<protocol::FetchSnapshotResponse>(r, sent);
    default:
      return absl::InvalidArgumentError("not a raft api key");
  }
}

}  // namespace keel::broker::quorum
