// Every request and response of every API, in every version it has: fill every field the
// version carries with non-default values (and, separately, with nulls where allowed), encode,
// decode, and require the same message and the same bytes back. Every strict prefix of the
// encoding must be rejected, never read past.
#include <gtest/gtest.h>

#include "protocol/generated/api_registry.h"
#include "protocol/generated/test_fill.h"

namespace keel::protocol {
namespace {

template <typename Message>
Bytes encode(const Message& m, int16_t version) {
  Bytes out;
  out.reserve(m.encoded_size(version));
  Writer w(out);
  m.encode(w, version);
  return out;
}

template <typename Message>
void check_version(int16_t version, uint64_t seed, bool null_mode) {
  SCOPED_TRACE(::testing::Message()
               << Message::kApiName << (Message::kIsRequest ? "Request" : "Response") << " v"
               << version << " seed " << seed << (null_mode ? " nulls" : ""));
  keel::protocol::testing::Filler filler(seed, null_mode);
  Message original;
  keel::protocol::testing::fill(original, version, filler);

  const Bytes bytes = encode(original, version);
  EXPECT_EQ(bytes.size(), original.encoded_size(version));

  Message decoded;
  Reader r(bytes);
  ASSERT_TRUE(decoded.decode(r, version).ok()) << r.status();
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(decoded == original);
  EXPECT_EQ(encode(decoded, version), bytes);

  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Message partial;
    Reader pr(bytes.data(), cut);
    ASSERT_FALSE(partial.decode(pr, version).ok()) << "prefix of " << cut << " bytes decoded";
  }
}

template <typename Message>
void check_all_versions() {
  for (int16_t v = Message::kMinVersion; v <= Message::kMaxVersion; ++v) {
    for (uint64_t seed : {1u, 2u}) {
      check_version<Message>(v, seed, /*null_mode=*/false);
      check_version<Message>(v, seed, /*null_mode=*/true);
    }
    // The default message must survive too (tagged fields at their defaults are omitted).
    Message empty;
    Bytes bytes = encode(empty, v);
    Message decoded;
    Reader r(bytes);
    ASSERT_TRUE(decoded.decode(r, v).ok());
    EXPECT_EQ(encode(decoded, v), bytes);
  }
  Message m;
  Reader r(nullptr, 0);
  EXPECT_FALSE(m.decode(r, Message::kMaxVersion + 1).ok())
      << "a version above the schema's range must be refused";
}

#define KEEL_ROUNDTRIP_TEST(Type) \
  TEST(RoundTrip, Type) { check_all_versions<Type>(); }
KEEL_FOR_EACH_MESSAGE(KEEL_ROUNDTRIP_TEST)
#undef KEEL_ROUNDTRIP_TEST

TEST(RoundTrip, UnknownTaggedFieldsArePreservedInOrder) {
  // Tags 5 and 1000 are unknown to ApiVersionsResponse; tag 1 is finalized_features_epoch.
  ApiVersionsResponse m;
  m.finalized_features_epoch = 7;
  m.unknown_tagged_fields = {{0x05, {0xAA}}, {1000, {0x01, 0x02}}};
  m.unknown_tagged_fields.erase(m.unknown_tagged_fields.begin());
  m.unknown_tagged_fields.insert(m.unknown_tagged_fields.begin(), RawTaggedField{5, {0xAA}});
  Bytes bytes = encode(m, 3);
  ApiVersionsResponse decoded;
  Reader r(bytes);
  ASSERT_TRUE(decoded.decode(r, 3).ok());
  EXPECT_EQ(decoded.finalized_features_epoch, 7);
  ASSERT_EQ(decoded.unknown_tagged_fields.size(), 2u);
  EXPECT_EQ(decoded.unknown_tagged_fields[0].tag, 5u);
  EXPECT_EQ(decoded.unknown_tagged_fields[1].tag, 1000u);
  EXPECT_EQ(encode(decoded, 3), bytes);
}

TEST(RoundTrip, RegistryCoversEverySchema) {
  EXPECT_EQ(all_apis().size(), 50u);
  const ApiInfo* produce = find_api(0);
  ASSERT_NE(produce, nullptr);
  EXPECT_EQ(produce->name, "Produce");
  EXPECT_EQ(produce->min_version, 0);
  EXPECT_TRUE(produce->is_flexible(9));
  EXPECT_FALSE(produce->is_flexible(8));
  EXPECT_EQ(find_api(4), nullptr) << "LeaderAndIsr is a ZooKeeper-era API Keel does not define";
}

}  // namespace
}  // namespace keel::protocol
