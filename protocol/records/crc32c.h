// File: protocol/records/crc32c.h
// CRC-32C (Castagnoli), the checksum of Kafka record batches (magic 2). Uses the SSE4.2 crc32
// instruction when the CPU has it (three interleaved streams for long inputs) and a portable
// slicing-by-8 table otherwise; the choice is made at run time, so the build needs no -msse4.2.
#pragma once

#include <cstdint>
#include <span>

namespace keel::protocol {

// The CRC-32C of `data` (initial value and final xor 0xFFFFFFFF, as Kafka and RFC 3720 use).
uint32_t crc32c(std::span<const uint8_t> data);

// The CRC-32C of A followed by `data`, given crc = crc32c(A). crc32c_extend(0, d) == crc32c(d).
uint32_t crc32c_extend(uint32_t crc, std::span<const uint8_t> data);

// Implementation choices, exposed for tests and benchmarks.
namespace crc32c_impl {

// True when this CPU has the SSE4.2 crc32 instruction.
bool hardware_supported();

// Makes crc32c()/crc32c_extend() use the table path even when the instruction exists.
void force_software(bool on);

// The two paths, with crc32c_extend's meaning. extend_hardware falls back to the table path
// when the instruction is missing, so calling it is always safe.
uint32_t extend_hardware(uint32_t crc, std::span<const uint8_t> data);
uint32_t extend_software(uint32_t crc, std::span<const uint8_t> data);

}  // namespace crc32c_impl
}  // namespace keel::protocol
