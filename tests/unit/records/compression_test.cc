// Codecs: round trips, xerial snappy, output limits, and garbage inputs.
#include "protocol/records/compression.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <zstd.h>

#include <random>
#include <string>

#include "protocol/wire/writer.h"
#include "tests/unit/records/records_test_util.h"

namespace keel::protocol {
namespace {

using testing::code_of;
using testing::random_bytes;

constexpr Compression kCodecs[] = {Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                                   Compression::kZstd};

Bytes compressible(size_t n) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>("kafka records "[i % 14]);
  return out;
}

TEST(Compression, RoundTripsEveryCodec) {
  std::mt19937_64 rng(11);
  for (Compression codec : kCodecs) {
    for (const Bytes& input :
         {Bytes{}, Bytes{42}, random_bytes(rng, 100000), compressible(300000)}) {
      absl::StatusOr<Bytes> packed = compress(codec, input);
      ASSERT_TRUE(packed.ok()) << compression_name(codec) << packed.status();
      absl::StatusOr<Bytes> unpacked = decompress(codec, *packed, input.size());
      ASSERT_TRUE(unpacked.ok()) << compression_name(codec) << " " << unpacked.status();
      EXPECT_EQ(*unpacked, input) << compression_name(codec);
    }
  }
}

TEST(Compression, FramingMagicMatchesWhatClientsSend) {
  const Bytes input = compressible(1000);
  auto magic = [&](Compression codec) {
    Bytes packed = *compress(codec, input);
    return Bytes(packed.begin(), packed.begin() + 4);
  };
  EXPECT_EQ(magic(Compression::kGzip)[0], 0x1f);
  EXPECT_EQ(magic(Compression::kGzip)[1], 0x8b);
  EXPECT_EQ(magic(Compression::kLz4), (Bytes{0x04, 0x22, 0x4d, 0x18}));
  EXPECT_EQ(magic(Compression::kZstd), (Bytes{0x28, 0xb5, 0x2f, 0xfd}));
}

// xerial framing built by hand from raw blocks: magic, version 1, compat 1, then chunks.
Bytes xerial(const std::vector<Bytes>& chunks) {
  Bytes out = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
  Writer w(out);
  w.write_int32(1);
  w.write_int32(1);
  for (const Bytes& chunk : chunks) {
    Bytes block = *compress(Compression::kSnappy, chunk);  // a raw snappy block
    w.write_int32(static_cast<int32_t>(block.size()));
    w.write_raw(block);
  }
  return out;
}

TEST(Compression, SnappyXerialFraming) {
  std::mt19937_64 rng(5);
  const Bytes a = compressible(32 * 1024);
  const Bytes b = random_bytes(rng, 1000);
  const Bytes c = compressible(7);
  Bytes whole = a;
  whole.insert(whole.end(), b.begin(), b.end());
  whole.insert(whole.end(), c.begin(), c.end());

  const Bytes framed = xerial({a, b, c});
  absl::StatusOr<Bytes> out = decompress(Compression::kSnappy, framed, whole.size());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, whole);

  // No chunks at all is an empty payload.
  absl::StatusOr<Bytes> empty = decompress(Compression::kSnappy, xerial({}), 100);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());

  // The limit counts across chunks.
  EXPECT_EQ(code_of(decompress(Compression::kSnappy, framed, whole.size() - 1).status()),
            ErrorCode::kMessageTooLarge);

  // Every truncation is an error (one exception: cutting exactly between chunks).
  for (size_t n = 8; n < framed.size(); n += 97) {
    Bytes cut(framed.begin(), framed.begin() + static_cast<long>(n));
    absl::StatusOr<Bytes> r = decompress(Compression::kSnappy, cut, whole.size());
    if (r.ok()) {
      EXPECT_LT(r->size(), whole.size());
    }
  }
  Bytes cut_header(framed.begin(), framed.begin() + 12);
  EXPECT_EQ(code_of(decompress(Compression::kSnappy, cut_header, 1 << 20).status()),
            ErrorCode::kCorruptMessage);

  // Chunk lengths that are negative, zero or past the end.
  for (int32_t bad : {-1, 0, 1 << 30}) {
    Bytes broken = framed;
    broken[16] = static_cast<uint8_t>(static_cast<uint32_t>(bad) >> 24);
    broken[17] = static_cast<uint8_t>(static_cast<uint32_t>(bad) >> 16);
    broken[18] = static_cast<uint8_t>(static_cast<uint32_t>(bad) >> 8);
    broken[19] = static_cast<uint8_t>(bad);
    EXPECT_EQ(code_of(decompress(Compression::kSnappy, broken, 1 << 20).status()),
              ErrorCode::kCorruptMessage)
        << bad;
  }
}

TEST(Compression, OutputLimitIsHard) {
  const Bytes bomb = Bytes(4 << 20, 0);  // 4 MiB of zeros compresses to a few KiB
  for (Compression codec : kCodecs) {
    absl::StatusOr<Bytes> packed = compress(codec, bomb);
    ASSERT_TRUE(packed.ok());
    EXPECT_LT(packed->size(), 300u * 1024) << compression_name(codec);
    EXPECT_EQ(code_of(decompress(codec, *packed, 1 << 20).status()), ErrorCode::kMessageTooLarge)
        << compression_name(codec);
    EXPECT_EQ(code_of(decompress(codec, *packed, bomb.size() - 1).status()),
              ErrorCode::kMessageTooLarge)
        << compression_name(codec);
    absl::StatusOr<Bytes> exact = decompress(codec, *packed, bomb.size());
    ASSERT_TRUE(exact.ok()) << compression_name(codec) << exact.status();
    EXPECT_EQ(exact->size(), bomb.size());
  }
  EXPECT_EQ(code_of(decompress(Compression::kNone, bomb, 10).status()),
            ErrorCode::kMessageTooLarge);
}

// Producers may omit the content size; the limit must hold without it.
TEST(Compression, FramesWithoutContentSize) {
  const Bytes input = Bytes(2 << 20, 'z');

  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  Bytes zstd_frame(ZSTD_compressBound(input.size()));
  const size_t zn =
      ZSTD_compress2(cctx, zstd_frame.data(), zstd_frame.size(), input.data(), input.size());
  ZSTD_freeCCtx(cctx);
  ASSERT_FALSE(ZSTD_isError(zn));
  zstd_frame.resize(zn);
  ASSERT_EQ(ZSTD_getFrameContentSize(zstd_frame.data(), zstd_frame.size()),
            ZSTD_CONTENTSIZE_UNKNOWN);

  LZ4F_preferences_t prefs{};  // contentSize 0 = absent
  Bytes lz4_frame(LZ4F_compressFrameBound(input.size(), &prefs));
  const size_t ln =
      LZ4F_compressFrame(lz4_frame.data(), lz4_frame.size(), input.data(), input.size(), &prefs);
  ASSERT_FALSE(LZ4F_isError(ln));
  lz4_frame.resize(ln);

  for (auto [codec, frame] :
       {std::pair{Compression::kZstd, zstd_frame}, std::pair{Compression::kLz4, lz4_frame}}) {
    absl::StatusOr<Bytes> ok = decompress(codec, frame, input.size());
    ASSERT_TRUE(ok.ok()) << ok.status();
    EXPECT_EQ(*ok, input);
    EXPECT_EQ(code_of(decompress(codec, frame, input.size() - 1).status()),
              ErrorCode::kMessageTooLarge);
    EXPECT_EQ(code_of(decompress(codec, frame, 1000).status()), ErrorCode::kMessageTooLarge);
  }
}

TEST(Compression, ConcatenatedFramesAndMembers) {
  const Bytes a = compressible(5000);
  const Bytes b = compressible(3000);
  for (Compression codec : {Compression::kGzip, Compression::kLz4, Compression::kZstd}) {
    Bytes two = *compress(codec, a);
    Bytes second = *compress(codec, b);
    two.insert(two.end(), second.begin(), second.end());
    absl::StatusOr<Bytes> out = decompress(codec, two, 1 << 20);
    ASSERT_TRUE(out.ok()) << compression_name(codec) << out.status();
    EXPECT_EQ(out->size(), a.size() + b.size());
  }
  Bytes junk_after = *compress(Compression::kGzip, a);
  junk_after.push_back(0x00);
  EXPECT_EQ(code_of(decompress(Compression::kGzip, junk_after, 1 << 20).status()),
            ErrorCode::kCorruptMessage);
}

TEST(Compression, GarbageIsAnErrorForEveryCodec) {
  std::mt19937_64 rng(99);
  for (Compression codec : kCodecs) {
    EXPECT_FALSE(decompress(codec, {}, 1 << 20).ok()) << compression_name(codec);
    for (int i = 0; i < 300; ++i) {
      const Bytes garbage = random_bytes(rng, rng() % 2000);
      absl::StatusOr<Bytes> r = decompress(codec, garbage, 1 << 20);
      if (r.ok()) continue;  // a random raw snappy block can be valid; nothing else here
      const ErrorCode code = code_of(r.status());
      EXPECT_TRUE(code == ErrorCode::kCorruptMessage || code == ErrorCode::kMessageTooLarge)
          << compression_name(codec) << " " << r.status();
    }
    // Valid magic, broken body.
    Bytes packed = *compress(codec, compressible(10000));
    for (size_t i = packed.size() / 2; i < packed.size(); i += 7) packed[i] ^= 0x5a;
    absl::StatusOr<Bytes> r = decompress(codec, packed, 1 << 20);
    if (r.ok()) {
      EXPECT_NE(*r, compressible(10000)) << compression_name(codec);
    }
  }
  // The plain text of a record is not any codec's framing.
  const Bytes text = testing::bytes_of("this is not compressed at all, just text");
  for (Compression codec : {Compression::kGzip, Compression::kLz4, Compression::kZstd}) {
    EXPECT_EQ(code_of(decompress(codec, text, 1 << 20).status()), ErrorCode::kCorruptMessage)
        << compression_name(codec);
  }
  EXPECT_EQ(code_of(decompress(static_cast<Compression>(5), text, 100).status()),
            ErrorCode::kUnsupportedCompressionType);
}

}  // namespace
}  // namespace keel::protocol
