#include "protocol/records/crc32c.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <string_view>

#include "tests/unit/records/records_test_util.h"

namespace keel::protocol {
namespace {

using testing::random_bytes;
using testing::view_of;

// Restores the automatic choice when a test forced the table path.
class Crc32cTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { crc32c_impl::force_software(GetParam()); }
  void TearDown() override { crc32c_impl::force_software(false); }
};

// RFC 3720 appendix B.4 vectors, plus the usual check value.
TEST_P(Crc32cTest, KnownAnswers) {
  EXPECT_EQ(crc32c(view_of("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c({}), 0u);

  Bytes zeros(32, 0x00);
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  Bytes ones(32, 0xFF);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  Bytes ascending(32);
  std::iota(ascending.begin(), ascending.end(), 0);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  Bytes descending(ascending.rbegin(), ascending.rend());
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);

  // The iSCSI SCSI Read (10) command PDU of the same appendix.
  const Bytes pdu = {0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                     0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                     0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
                     0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(crc32c(pdu), 0xD9963A56u);
}

TEST_P(Crc32cTest, ExtendEqualsWhole) {
  std::mt19937_64 rng(7);
  Bytes data = random_bytes(rng, 50000);
  const uint32_t whole = crc32c(data);
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{768}, size_t{12289}, data.size()}) {
    std::span<const uint8_t> all(data);
    EXPECT_EQ(crc32c_extend(crc32c(all.first(split)), all.subspan(split)), whole) << split;
  }
}

INSTANTIATE_TEST_SUITE_P(BothPaths, Crc32cTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Software" : "Auto"; });

TEST(Crc32cPaths, HardwareMatchesSoftwareOnRandomLengthsAndAlignments) {
  if (!crc32c_impl::hardware_supported()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::mt19937_64 rng(42);
  Bytes data = random_bytes(rng, 10000 + 8);
  for (int i = 0; i < 3000; ++i) {
    const size_t offset = rng() % 8;
    const size_t length = rng() % 10001;
    std::span<const uint8_t> s(data.data() + offset, length);
    const uint32_t seed = static_cast<uint32_t>(rng());
    ASSERT_EQ(crc32c_impl::extend_hardware(seed, s), crc32c_impl::extend_software(seed, s))
        << "offset " << offset << " length " << length;
  }
}

// The 3-way path switches at 3 x 256 and 3 x 4096 bytes; check around every boundary and on
// large inputs that run many long rounds before the short ones and the tail.
TEST(Crc32cPaths, HardwareMatchesSoftwareAroundBlockBoundaries) {
  if (!crc32c_impl::hardware_supported()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  std::mt19937_64 rng(3);
  Bytes data = random_bytes(rng, (1 << 20) + 64);
  std::span<const uint8_t> all(data);
  for (size_t base : {size_t{768}, size_t{1536}, size_t{12288}, size_t{12288 + 768}, size_t{24576},
                      size_t{1 << 20}}) {
    for (size_t length = base - 9; length <= base + 9; ++length) {
      for (size_t offset : {size_t{0}, size_t{3}}) {
        std::span<const uint8_t> s = all.subspan(offset, length);
        ASSERT_EQ(crc32c_impl::extend_hardware(0, s), crc32c_impl::extend_software(0, s))
            << "offset " << offset << " length " << length;
      }
    }
  }
}

}  // namespace
}  // namespace keel::protocol
