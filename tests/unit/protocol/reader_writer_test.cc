// The hand-written primitives: known encodings, limits, and rejection of malformed input.
#include <gtest/gtest.h>

#include <limits>

#include "protocol/wire/reader.h"
#include "protocol/wire/varint.h"
#include "protocol/wire/writer.h"

namespace keel::protocol {
namespace {

TEST(Varint, KnownUnsignedEncodings) {
  struct Case {
    uint64_t value;
    Bytes bytes;
  };
  for (const Case& c :
       {Case{0, {0x00}}, Case{1, {0x01}}, Case{127, {0x7f}}, Case{128, {0x80, 0x01}},
        Case{300, {0xac, 0x02}}, Case{0xffffffffu, {0xff, 0xff, 0xff, 0xff, 0x0f}}}) {
    Bytes out;
    Writer w(out);
    w.write_uvarint(c.value);
    EXPECT_EQ(out, c.bytes) << c.value;
    EXPECT_EQ(uvarint_size(c.value), c.bytes.size());
    Reader r(out);
    EXPECT_EQ(r.read_uvarint(), c.value);
    EXPECT_TRUE(r.ok());
  }
}

TEST(Varint, ZigzagSignedEncodings) {
  EXPECT_EQ(zigzag32(0), 0u);
  EXPECT_EQ(zigzag32(-1), 1u);
  EXPECT_EQ(zigzag32(1), 2u);
  EXPECT_EQ(zigzag32(-2), 3u);
  EXPECT_EQ(zigzag32(std::numeric_limits<int32_t>::min()), 0xffffffffu);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{1} << 40,
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    Bytes out;
    Writer w(out);
    w.write_varlong(v);
    EXPECT_EQ(out.size(), varlong_size(v));
    Reader r(out);
    EXPECT_EQ(r.read_varlong(), v);
    EXPECT_TRUE(r.ok());
  }
  for (int32_t v : {0, -1, 1, 1000, -1000, std::numeric_limits<int32_t>::min(),
                    std::numeric_limits<int32_t>::max()}) {
    Bytes out;
    Writer w(out);
    w.write_varint(v);
    Reader r(out);
    EXPECT_EQ(r.read_varint(), v);
  }
}

TEST(Varint, OverlongAndTruncatedAreRejected) {
  Bytes six = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  Reader r1(six);
  r1.read_uvarint();
  EXPECT_FALSE(r1.ok());
  Bytes overflow = {0xff, 0xff, 0xff, 0xff, 0x1f};  // 35 bits
  Reader r2(overflow);
  r2.read_uvarint();
  EXPECT_FALSE(r2.ok());
  Bytes truncated = {0x80};
  Reader r3(truncated);
  r3.read_uvarint();
  EXPECT_FALSE(r3.ok());
  Bytes eleven(11, 0x80);
  Reader r4(eleven);
  r4.read_uvarlong();
  EXPECT_FALSE(r4.ok());
}

TEST(Reader, FixedWidthBigEndian) {
  Bytes in = {0x01, 0x02, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00};
  Reader r(in);
  EXPECT_EQ(r.read_int16(), 0x0102);
  EXPECT_EQ(r.read_int16(), -2);
  EXPECT_EQ(r.read_int64(), 256);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.read_int8(), 0);  // past the end: zero value and failure
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.status().ok());
}

TEST(Reader, ErrorsAreStickyAndKeepTheFirstReason) {
  Bytes in = {0x00, 0x05, 'a'};
  Reader r(in);
  EXPECT_EQ(r.read_string(false), "");
  EXPECT_FALSE(r.ok());
  r.read_int32();
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status();
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Strings, ClassicAndCompactWithNull) {
  Bytes out;
  Writer w(out);
  w.write_string("abc", false);
  w.write_nullable_string(std::nullopt, false);
  w.write_string("xy", true);
  w.write_nullable_string(std::nullopt, true);
  EXPECT_EQ(out, (Bytes{0x00, 0x03, 'a', 'b', 'c', 0xff, 0xff, 0x03, 'x', 'y', 0x00}));
  Reader r(out);
  EXPECT_EQ(r.read_string(false), "abc");
  EXPECT_EQ(r.read_nullable_string(false), std::nullopt);
  EXPECT_EQ(r.read_string(true), "xy");
  EXPECT_EQ(r.read_nullable_string(true), std::nullopt);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Strings, NullInNonNullableFails) {
  Bytes in = {0xff, 0xff};
  Reader r(in);
  r.read_string(false);
  EXPECT_FALSE(r.ok());
}

TEST(Bytes, NullEmptyAndRecordsView) {
  Bytes out;
  Writer w(out);
  w.write_nullable_bytes(std::nullopt, false);
  w.write_bytes(Bytes{}, true);
  w.write_bytes(Bytes{9, 8, 7}, false);
  Reader r(out);
  EXPECT_EQ(r.read_nullable_bytes(false), std::nullopt);
  EXPECT_EQ(r.read_bytes(true), Bytes{});
  std::optional<RecordsView> view = r.read_records(false);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->size, 3u);
  EXPECT_EQ(view->data, out.data() + out.size() - 3) << "records are a view, not a copy";
}

TEST(Arrays, HostileCountsAreRejectedBeforeAllocation) {
  Bytes in = {0x7f, 0xff, 0xff, 0xff, 0x00};  // two billion elements in one byte
  Reader r(in);
  EXPECT_EQ(r.read_array_length(false, 4), 0);
  EXPECT_FALSE(r.ok());
  Bytes compact = {0x05, 1, 2, 3};  // 4 elements of >= 1 byte, only 3 bytes left
  Reader rc(compact);
  rc.read_array_length(true, 1);
  EXPECT_FALSE(rc.ok());
  Bytes null_compact = {0x00};
  Reader rn(null_compact);
  EXPECT_EQ(rn.read_array_length(true), -1);
  EXPECT_TRUE(rn.ok());
  Bytes negative = {0xff, 0xff, 0xff, 0xfe};
  Reader rneg(negative);
  rneg.read_array_length(false);
  EXPECT_FALSE(rneg.ok());
}

TEST(TaggedFields, UnknownKeptKnownHandedOverOrderEnforced) {
  Bytes in = {0x02, 0x00, 0x01, 0x2a, 0x07, 0x02, 0xbe, 0xef};
  Reader r(in);
  RawTaggedFields unknown;
  int known = -1;
  r.read_tagged_fields(unknown, [&](uint32_t tag, Reader& field) {
    if (tag != 0) return false;
    known = field.read_int8();
    return true;
  });
  EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(known, 42);
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].tag, 7u);
  EXPECT_EQ(unknown[0].data, (Bytes{0xbe, 0xef}));

  Bytes unordered = {0x02, 0x07, 0x00, 0x03, 0x00};
  Reader ru(unordered);
  RawTaggedFields ignored;
  ru.read_tagged_fields(ignored, [](uint32_t, Reader&) { return false; });
  EXPECT_FALSE(ru.ok());

  Bytes oversize = {0x01, 0x00, 0x09, 0x00};  // declares 9 bytes, has 1
  Reader ro(oversize);
  ro.read_tagged_fields(ignored, [](uint32_t, Reader&) { return false; });
  EXPECT_FALSE(ro.ok());

  Bytes short_known = {0x01, 0x00, 0x02, 0x01, 0x02};  // known tag whose reader leaves a byte
  Reader rs(short_known);
  rs.read_tagged_fields(ignored, [](uint32_t, Reader& field) {
    field.read_int8();
    return true;
  });
  EXPECT_FALSE(rs.ok());
}

TEST(Misc, UuidFloatBool) {
  Bytes out;
  Writer w(out);
  Uuid id;
  for (size_t i = 0; i < 16; ++i) id.bytes[i] = static_cast<uint8_t>(i);
  w.write_uuid(id);
  w.write_float64(-2.5);
  w.write_bool(true);
  EXPECT_EQ(out.size(), 25u);
  Reader r(out);
  EXPECT_EQ(r.read_uuid(), id);
  EXPECT_EQ(r.read_float64(), -2.5);
  EXPECT_TRUE(r.read_bool());
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(Uuid{}.is_zero());
  EXPECT_FALSE(id.is_zero());
}

TEST(Writer, PatchInt32) {
  Bytes out;
  Writer w(out);
  w.write_int32(0);
  w.write_int8(1);
  w.patch_int32(0, 0x01020304);
  EXPECT_EQ(out, (Bytes{1, 2, 3, 4, 1}));
}

}  // namespace
}  // namespace keel::protocol
