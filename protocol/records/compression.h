// File: protocol/records/compression.h
// The codecs of a record batch's records area, in the framings Kafka clients use:
//   gzip   a gzip stream (1f 8b ...), concatenated members accepted;
//   snappy a raw snappy block (librdkafka) or xerial framing (kafka-python, the Java client:
//          82 'SNAPPY' 00, int32 version, int32 compat, then [int32 BE length, block]*);
//          decompression accepts both, compression writes a raw block;
//   lz4    the LZ4 frame format (04 22 4d 18), independent blocks (Java's reader needs them);
//   zstd   zstd frames, content size optional (decoded as a stream).
//
// Decompression takes a hard output limit so a small hostile input cannot make a huge buffer.
// Errors: CORRUPT_MESSAGE for any malformed input, MESSAGE_TOO_LARGE past the limit,
// UNSUPPORTED_COMPRESSION_TYPE for a codec id Kafka does not define.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "protocol/records/record_batch.h"
#include "protocol/wire/types.h"

namespace keel::protocol {

// `input` compressed with `codec`; kNone returns a copy.
absl::StatusOr<Bytes> compress(Compression codec, std::span<const uint8_t> input);

// `input` decompressed; fails rather than produce more than `max_output` bytes.
absl::StatusOr<Bytes> decompress(Compression codec, std::span<const uint8_t> input,
                                 size_t max_output);

// The name Kafka uses for the codec ("none", "gzip", "snappy", "lz4", "zstd").
const char* compression_name(Compression codec);

}  // namespace keel::protocol
