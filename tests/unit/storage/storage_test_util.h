// File: tests/unit/storage/storage_test_util.h
// Helpers for the log's unit tests: temp directories, client batches, status matchers.
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "protocol/error_code.h"
#include "protocol/records/record_batch.h"
#include "protocol/records/record_batch_builder.h"
#include "protocol/wire/types.h"
#include "storage/env.h"
#include "storage/file_slice.h"
#include "storage/log.h"

namespace keel::storage::testing {

using protocol::Bytes;
using protocol::ErrorCode;

// A fresh directory under /tmp, removed (recursively) when the object dies.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "keel_storage") {
    std::string tmpl = "/tmp/" + prefix + "_XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    if (!path_.empty()) (void)Env::posix()->remove_dir(path_);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return join_path(path_, name); }

 private:
  std::string path_;
};

inline ErrorCode code_of(const absl::Status& s) { return protocol::to_error_code(s); }

struct TestRecord {
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

inline protocol::ByteView view(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A v2 client batch of `records` (the strings must outlive nothing: the batch is built here).
inline Bytes make_batch(const std::vector<TestRecord>& records,
                        protocol::Compression codec = protocol::Compression::kNone) {
  protocol::BatchOptions options;
  options.compression = codec;
  protocol::RecordBatchBuilder builder(options);
  for (const TestRecord& r : records) {
    protocol::RecordInput in;
    in.timestamp = r.timestamp;
    if (r.key) in.key = view(*r.key);
    if (r.value) in.value = view(*r.value);
    builder.append(in);
  }
  auto batch = builder.build();
  EXPECT_TRUE(batch.ok()) << batch.status();
  return batch.ok() ? *batch : Bytes{};
}

// `count` records with keys "k<i>", values of `value_size` bytes, timestamps ts, ts+1, ...
inline Bytes simple_batch(int count, int64_t ts, size_t value_size = 10,
                          protocol::Compression codec = protocol::Compression::kNone) {
  std::vector<TestRecord> records;
  for (int i = 0; i < count; ++i) {
    records.push_back({ts + i, "k" + std::to_string(i), std::string(value_size, 'v')});
  }
  return make_batch(records, codec);
}

inline protocol::RecordsView records_of(const Bytes& b) { return protocol::RecordsView(b); }

inline Bytes concat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The bytes of a read (or an empty vector on error, with a test failure).
inline Bytes read_bytes(const Log& log, int64_t offset, int32_t max_bytes = 1 << 20,
                        int64_t max_offset = INT64_MAX, bool min_one = true) {
  auto slice = log.read(offset, max_bytes, max_offset, min_one);
  EXPECT_TRUE(slice.ok()) << slice.status();
  if (!slice.ok()) return {};
  auto bytes = read_slice(*slice);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : Bytes{};
}

// Base offsets of the batches in a region.
inline std::vector<int64_t> base_offsets(const Bytes& region) {
  std::vector<int64_t> out;
  size_t pos = 0;
  while (pos + protocol::batch_layout::kHeaderSize <= region.size()) {
    auto h = protocol::parse_batch_header(std::span<const uint8_t>(region).subspan(pos));
    if (!h.ok()) break;
    out.push_back(h->base_offset);
    pos += h->size_in_bytes();
  }
  return out;
}

}  // namespace keel::storage::testing
