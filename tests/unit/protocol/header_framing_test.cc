// Request/response headers (which version goes with which API version) and framing limits.
#include <gtest/gtest.h>

#include "protocol/generated/api_versions.h"
#include "protocol/generated/metadata.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"

namespace keel::protocol {
namespace {

TEST(Header, VersionFollowsFlexibility) {
  EXPECT_EQ(request_header_version(3, 8), 1);    // Metadata v8: classic
  EXPECT_EQ(request_header_version(3, 9), 2);    // Metadata v9: flexible
  EXPECT_EQ(request_header_version(18, 3), 2);   // ApiVersions v3 request is flexible...
  EXPECT_EQ(response_header_version(18, 3), 0);  // ...but its response header is always v0
  EXPECT_EQ(response_header_version(3, 9), 1);
  EXPECT_EQ(response_header_version(3, 8), 0);
  EXPECT_EQ(request_header_version(18, 9), 2) << "a newer ApiVersions still has a flexible header";
  EXPECT_EQ(request_header_version(9999, 0), 1);
}

TEST(Header, RequestV2RoundTripWithTaggedFields) {
  RequestHeader h;
  h.api_key = 18;
  h.api_version = 3;
  h.correlation_id = 42;
  h.client_id = "rdkafka";
  h.unknown_tagged_fields = {{3, {0x01}}};
  Bytes out;
  Writer w(out);
  encode_request_header(w, h);
  EXPECT_EQ(out.size(), request_header_size(h));
  EXPECT_EQ(out,
            (Bytes{0, 18, 0, 3, 0, 0, 0, 42, 0, 7, 'r', 'd', 'k', 'a', 'f', 'k', 'a', 1, 3, 1, 1}));
  Reader r(out);
  RequestHeader back;
  ASSERT_TRUE(decode_request_header(r, &back).ok());
  EXPECT_EQ(back, h);
}

TEST(Header, NullClientIdAndTruncation) {
  Bytes in = {0, 3, 0, 1, 0, 0, 0, 9, 0xff, 0xff};
  Reader r(in);
  RequestHeader h;
  ASSERT_TRUE(decode_request_header(r, &h).ok());
  EXPECT_EQ(h.client_id, std::nullopt);
  EXPECT_EQ(h.correlation_id, 9);

  Bytes truncated = {0, 3, 0, 1, 0, 0, 0, 9, 0x00};
  Reader rt(truncated);
  EXPECT_FALSE(decode_request_header(rt, &h).ok());
  EXPECT_EQ(h.correlation_id, 9) << "the correlation id survives for an error reply";
}

TEST(Framing, ApiVersionsResponseFrameUsesHeaderV0) {
  ApiVersionsResponse resp;
  resp.api_keys.push_back({18, 0, 4, {}});
  Bytes frame = encode_response_frame(7, 3, resp);
  // size(4) + correlation(4) + error(2) + compact array(1) + entry(2+2+2+1) + throttle(4) + tags(1)
  ASSERT_EQ(frame.size(), 4u + 4 + 2 + 1 + 7 + 4 + 1);
  EXPECT_EQ(frame[3], frame.size() - 4);
  EXPECT_EQ(frame[7], 7);
  EXPECT_EQ(frame[8], 0);
  EXPECT_EQ(frame[10], 2) << "compact array of one entry follows the header directly";
}

TEST(Framing, FlexibleResponseHasTaggedHeader) {
  MetadataResponse resp;
  Bytes frame = encode_response_frame(5, 9, resp);
  EXPECT_EQ(frame[8], 0) << "response header v1 ends with an empty tag section";
  Reader r(frame.data() + 4, frame.size() - 4);
  EXPECT_EQ(decode_response_header(r, 1), 5);
  MetadataResponse back;
  EXPECT_TRUE(back.decode(r, 9).ok());
}

TEST(Framing, SizeLimits) {
  const uint8_t negative[4] = {0xff, 0xff, 0xff, 0xfe};
  const uint8_t zero[4] = {0, 0, 0, 0};
  const uint8_t huge[4] = {0x7f, 0xff, 0xff, 0xff};
  const uint8_t ok[4] = {0, 0, 1, 0};
  EXPECT_FALSE(parse_frame_size(std::span<const uint8_t, 4>(negative), 1024).ok());
  EXPECT_FALSE(parse_frame_size(std::span<const uint8_t, 4>(zero), 1024).ok());
  EXPECT_FALSE(parse_frame_size(std::span<const uint8_t, 4>(huge), kDefaultMaxFrameBytes).ok());
  EXPECT_EQ(*parse_frame_size(std::span<const uint8_t, 4>(ok), 1024), 256);
  EXPECT_FALSE(parse_frame_size(std::span<const uint8_t, 4>(ok), 255).ok());
}

TEST(Framing, AssemblerHandlesSplitsAndBatches) {
  Bytes stream = {0, 0, 0, 2, 'h', 'i', 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 1};
  FrameAssembler byte_by_byte;
  std::vector<Bytes> frames;
  for (uint8_t b : stream) {
    byte_by_byte.feed(std::span<const uint8_t>(&b, 1));
    while (auto f = byte_by_byte.next()) frames.push_back(*f);
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], (Bytes{'h', 'i'}));
  EXPECT_EQ(frames[1], (Bytes{'a', 'b', 'c'}));
  EXPECT_TRUE(byte_by_byte.status().ok()) << "the third frame is incomplete, not broken";

  FrameAssembler whole;
  whole.feed(stream);
  EXPECT_TRUE(whole.next().has_value());
  EXPECT_TRUE(whole.next().has_value());
  EXPECT_FALSE(whole.next().has_value());
}

TEST(Framing, AssemblerFailsForGoodOnAbsurdSize) {
  FrameAssembler a(1024);
  Bytes stream = {0x40, 0, 0, 0, 1, 2, 3};
  a.feed(stream);
  EXPECT_FALSE(a.next().has_value());
  EXPECT_FALSE(a.status().ok());
  Bytes good = {0, 0, 0, 1, 9};
  a.feed(good);
  EXPECT_FALSE(a.next().has_value()) << "a failed stream cannot resynchronise";
}

}  // namespace
}  // namespace keel::protocol
