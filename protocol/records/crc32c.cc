#include "protocol/records/crc32c.h"

#include <atomic>
#include <cstddef>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#define KEEL_CRC32C_HAVE_X86 1
#else
#define KEEL_CRC32C_HAVE_X86 0
#endif

namespace keel::protocol {
namespace {

// All arithmetic below works on the raw CRC register (no pre/post inversion), in the reflected
// bit order the crc32 instruction uses: bit 31 holds the coefficient of x^0, bit 0 that of x^31.
constexpr uint32_t kPoly = 0x82F63B78;  // Castagnoli polynomial, reflected, x^32 implied

// Multiplies by x modulo the polynomial; also the effect of feeding one zero bit to the register.
constexpr uint32_t mul_x(uint32_t v) { return (v >> 1) ^ ((v & 1) != 0 ? kPoly : 0); }

// a * b modulo the polynomial. Consumes a from its x^0 end so sparse factors finish early.
constexpr uint32_t mul_mod(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  while (a != 0) {
    if ((a & 0x80000000u) != 0) product ^= b;
    a <<= 1;
    b = mul_x(b);
  }
  return product;
}

// x^(8n) mod P: multiplying a register by it appends n zero bytes.
constexpr uint32_t zero_bytes_factor(uint64_t n) {
  uint32_t result = 0x80000000u;  // x^0
  uint32_t square = 0x40000000u;  // x^1, then x^2, x^4, ...
  for (uint64_t bits = 8 * n; bits != 0; bits >>= 1) {
    if ((bits & 1) != 0) result = mul_mod(result, square);
    square = mul_mod(square, square);
  }
  return result;
}

// Appending a fixed number of zero bytes is linear in the register, so it is four byte lookups.
struct ShiftTable {
  uint32_t t[4][256];
};

constexpr ShiftTable make_shift_table(uint64_t bytes) {
  ShiftTable table{};
  const uint32_t factor = zero_bytes_factor(bytes);
  for (int k = 0; k < 4; ++k) {
    for (uint32_t b = 0; b < 256; ++b) table.t[k][b] = mul_mod(b << (8 * k), factor);
  }
  return table;
}

inline uint32_t shift(const ShiftTable& table, uint32_t crc) {
  return table.t[0][crc & 0xff] ^ table.t[1][(crc >> 8) & 0xff] ^ table.t[2][(crc >> 16) & 0xff] ^
         table.t[3][crc >> 24];
}

// Slicing-by-8: t[0] is the classic byte table, t[k] advances a byte by k more zero bytes.
struct SliceTables {
  uint32_t t[8][256];
};

constexpr SliceTables make_slice_tables() {
  SliceTables s{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = mul_x(c);
    s.t[0][i] = c;
  }
  for (int k = 1; k < 8; ++k) {
    for (uint32_t i = 0; i < 256; ++i) {
      s.t[k][i] = (s.t[k - 1][i] >> 8) ^ s.t[0][s.t[k - 1][i] & 0xff];
    }
  }
  return s;
}

constexpr SliceTables kSlice = make_slice_tables();

inline uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint32_t software_raw(uint32_t crc, const uint8_t* p, size_t n) {
  const auto& t = kSlice.t;
  while (n >= 8) {
    uint32_t lo = crc ^ load_le32(p);
    uint32_t hi = load_le32(p + 4);
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
  return crc;
}

#if KEEL_CRC32C_HAVE_X86

// One crc32q has 3 cycles of latency but a throughput of one per cycle, so three independent
// chains over adjacent blocks run ~3x faster; the partial CRCs are then joined with
// crc(A|B) = shift(crc(A), |B|) ^ crc0(B). Long blocks amortise the join, short ones serve
// mid-sized inputs; below 3 short blocks a single chain is as fast.
constexpr size_t kLongBlock = 4096;
constexpr size_t kShortBlock = 256;
constexpr ShiftTable kShiftLong = make_shift_table(kLongBlock);
constexpr ShiftTable kShiftShort = make_shift_table(kShortBlock);

__attribute__((target("sse4.2"))) inline uint64_t load_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));  // unaligned, little-endian: the byte order crc32q consumes
  return v;
}

template <size_t kBlock>
__attribute__((target("sse4.2"))) inline uint32_t three_way(uint32_t crc, const uint8_t* p,
                                                            const ShiftTable& table) {
  uint64_t c0 = crc;
  uint64_t c1 = 0;
  uint64_t c2 = 0;
  for (size_t i = 0; i < kBlock; i += 8) {
    c0 = _mm_crc32_u64(c0, load_u64(p + i));
    c1 = _mm_crc32_u64(c1, load_u64(p + kBlock + i));
    c2 = _mm_crc32_u64(c2, load_u64(p + 2 * kBlock + i));
  }
  uint32_t joined = shift(table, static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
  return shift(table, joined) ^ static_cast<uint32_t>(c2);
}

__attribute__((target("sse4.2"))) uint32_t hardware_raw(uint32_t crc, const uint8_t* p, size_t n) {
  while (n >= 3 * kLongBlock) {
    crc = three_way<kLongBlock>(crc, p, kShiftLong);
    p += 3 * kLongBlock;
    n -= 3 * kLongBlock;
  }
  while (n >= 3 * kShortBlock) {
    crc = three_way<kShortBlock>(crc, p, kShiftShort);
    p += 3 * kShortBlock;
    n -= 3 * kShortBlock;
  }
  uint64_t c = crc;
  while (n >= 8) {
    c = _mm_crc32_u64(c, load_u64(p));
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}

bool detect_hardware() {
  __builtin_cpu_init();  // we may run from another static initializer
  return __builtin_cpu_supports("sse4.2");
}

#else

uint32_t hardware_raw(uint32_t crc, const uint8_t* p, size_t n) { return software_raw(crc, p, n); }
bool detect_hardware() { return false; }

#endif

bool has_hardware() {
  static const bool supported = detect_hardware();
  return supported;
}

std::atomic<bool> g_force_software{false};

}  // namespace

uint32_t crc32c_extend(uint32_t crc, std::span<const uint8_t> data) {
  const uint32_t state = ~crc;
  if (has_hardware() && !g_force_software.load(std::memory_order_relaxed)) {
    return ~hardware_raw(state, data.data(), data.size());
  }
  return ~software_raw(state, data.data(), data.size());
}

uint32_t crc32c(std::span<const uint8_t> data) { return crc32c_extend(0, data); }

namespace crc32c_impl {

bool hardware_supported() { return has_hardware(); }

void force_software(bool on) { g_force_software.store(on, std::memory_order_relaxed); }

uint32_t extend_hardware(uint32_t crc, std::span<const uint8_t> data) {
  if (!has_hardware()) return extend_software(crc, data);
  return ~hardware_raw(~crc, data.data(), data.size());
}

uint32_t extend_software(uint32_t crc, std::span<const uint8_t> data) {
  return ~software_raw(~crc, data.data(), data.size());
}

}  // namespace crc32c_impl
}  // namespace keel::protocol
