// broker/quorum/raft_rpc: a RaftNode request becomes a Kafka request frame at the version the
// quorum speaks (decodable by the generated codec, back to the same message), and a response
// frame comes back as the RaftNode message, with a Vote answer's pre-vote taken from the
// request. Garbage and truncated response frames are errors, never crashes.
#include <gtest/gtest.h>

#include <span>

#include "broker/quorum/raft_rpc.h"
#include "controller/raft/raft_wire.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"
#include "protocol/wire/reader.h"

namespace keel::broker::quorum {
namespace {

// Strips the size prefix and decodes the header; the reader is left at the body.
protocol::RequestHeader header_of(const protocol::Bytes& frame, protocol::Reader* body) {
  EXPECT_GE(frame.size(), 4u);
  protocol::RequestHeader h;
  EXPECT_TRUE(protocol::decode_request_header(*body, &h).ok());
  return h;
}

// A response frame (without its size prefix) for a request sent as `sent`.
template <typename Wire>
protocol::Bytes response_frame(int32_t correlation, const SentRequest& sent, const Wire& body) {
  protocol::Bytes f = protocol::encode_response_frame(correlation, sent.api_version, body);
  return protocol::Bytes(f.begin() + 4, f.end());
}

TEST(QuorumRpcTest, VoteTravelsAtV2WithPreVoteBothWays) {
  raft::VoteRequest vote{7, 2, 6, 120, /*pre_vote=*/true};
  raft::Envelope out{2, 3, 41, vote};
  SentRequest sent;
  absl::StatusOr<protocol::Bytes> frame = encode_request(out, "cluster", "keel-raft-2", &sent);
  ASSERT_TRUE(frame.ok()) << frame.status();
  EXPECT_EQ(sent.api_key, 52);
  EXPECT_EQ(sent.api_version, 2);
  EXPECT_TRUE(sent.pre_vote);

  std::span<const uint8_t> rest(frame->data() + 4, frame->size() - 4);
  protocol::Reader r(rest);
  protocol::RequestHeader h = header_of(*frame, &r);
  EXPECT_EQ(h.api_key, 52);
  EXPECT_EQ(h.api_version, 2);
  EXPECT_EQ(h.correlation_id, 41);
  EXPECT_EQ(h.client_id, "keel-raft-2");
  protocol::VoteRequest wire;
  ASSERT_TRUE(wire.decode(r, h.api_version).ok());
  absl::StatusOr<raft::VoteRequest> back = raft::wire::from_wire(wire);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->candidate_epoch, 7);
  EXPECT_EQ(back->candidate_id, 2);
  EXPECT_EQ(back->last_offset_epoch, 6);
  EXPECT_EQ(back->last_offset, 120);
  EXPECT_TRUE(back->pre_vote);

  raft::VoteResponse answer;
  answer.vote_granted = true;
  answer.leader_epoch = 7;
  answer.pre_vote = true;
  absl::StatusOr<raft::Message> m =
      decode_response(response_frame(41, sent, raft::wire::to_wire(answer)), sent);
  ASSERT_TRUE(m.ok()) << m.status();
  const auto* vote_answer = std::get_if<raft::VoteResponse>(&*m);
  ASSERT_NE(vote_answer, nullptr);
  EXPECT_TRUE(vote_answer->vote_granted);
  EXPECT_TRUE(vote_answer->pre_vote);  // from the request, not the wire
  EXPECT_EQ(vote_answer->leader_epoch, 7);
}

TEST(QuorumRpcTest, FetchTravelsAtV17AndItsAnswerKeepsTheRecords) {
  raft::FetchRequest fetch;
  fetch.replica_id = 3;
  fetch.current_leader_epoch = 4;
  fetch.fetch_offset = 10;
  fetch.last_fetched_epoch = 4;
  fetch.max_bytes = 1 << 20;
  fetch.max_wait_ms = 200;
  SentRequest sent;
  absl::StatusOr<protocol::Bytes> frame =
      encode_request(raft::Envelope{3, 1, 9, fetch}, "", "keel-raft-3", &sent);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(sent.api_key, 1);
  EXPECT_EQ(sent.api_version, 17);
  std::span<const uint8_t> rest(frame->data() + 4, frame->size() - 4);
  protocol::Reader r(rest);
  protocol::RequestHeader h = header_of(*frame, &r);
  protocol::FetchRequest wire;
  ASSERT_TRUE(wire.decode(r, h.api_version).ok());
  absl::StatusOr<raft::FetchRequest> back = raft::wire::from_wire(wire);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->replica_id, 3);
  EXPECT_EQ(back->fetch_offset, 10);
  EXPECT_EQ(back->last_fetched_epoch, 4);

  raft::FetchResponse answer;
  answer.high_watermark = 10;
  answer.log_start_offset = 0;
  answer.current_leader = {1, 4};
  answer.diverging_epoch = raft::DivergingEpoch{3, 8};
  answer.records = {1, 2, 3, 4, 5};  // opaque here: the RaftNode validates batches
  absl::StatusOr<raft::Message> m =
      decode_response(response_frame(9, sent, raft::wire::to_wire(answer)), sent);
  ASSERT_TRUE(m.ok()) << m.status();
  const auto* fetched = std::get_if<raft::FetchResponse>(&*m);
  ASSERT_NE(fetched, nullptr);
  EXPECT_EQ(fetched->high_watermark, 10);
  EXPECT_EQ(fetched->current_leader, (raft::LeaderAndEpoch{1, 4}));
  EXPECT_EQ(fetched->diverging_epoch, (raft::DivergingEpoch{3, 8}));
  EXPECT_EQ(fetched->records, (protocol::Bytes{1, 2, 3, 4, 5}));
}

TEST(QuorumRpcTest, ResponsesAreNotRequestsAndGarbageIsAnError) {
  SentRequest sent;
  EXPECT_FALSE(encode_request(raft::Envelope{1, 2, 1, raft::VoteResponse{}}, "", "c", &sent).ok());
  sent.api_key = 53;
  sent.api_version = 1;
  raft::BeginQuorumEpochResponse ok;
  protocol::Bytes good = response_frame(5, sent, raft::wire::to_wire(ok));
  ASSERT_TRUE(decode_response(good, sent).ok());
  for (size_t cut = 0; cut < good.size(); ++cut) {
    protocol::Bytes truncated(good.begin(), good.begin() + cut);
    EXPECT_FALSE(decode_response(truncated, sent).ok()) << "cut at " << cut;
  }
  protocol::Bytes junk(64, 0xff);
  EXPECT_FALSE(decode_response(junk, sent).ok());
  sent.api_key = 3;  // not a quorum API
  EXPECT_FALSE(decode_response(good, sent).ok());
}

}  // namespace
}  // namespace keel::broker::quorum
