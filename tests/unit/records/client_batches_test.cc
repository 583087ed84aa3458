// Produce requests captured from real clients (tests/golden/data, described by MANIFEST.tsv):
// every batch must validate as a client batch, decompress, and hold exactly the records the
// manifest lists. This pins the codecs and framings real clients use (raw and xerial snappy,
// LZ4 frames, zstd frames, gzip streams) against bytes we did not produce ourselves.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "protocol/generated/produce.h"
#include "protocol/records/batch_iterator.h"
#include "protocol/records/batch_records.h"
#include "protocol/records/compression.h"
#include "protocol/records/record_batch.h"
#include "protocol/wire/header.h"
#include "protocol/wire/reader.h"

namespace keel::protocol {
namespace {

constexpr size_t kMaxDecompressed = 16 << 20;

struct Capture {
  std::string file;
  int api_key;
  int api_version;
  std::string contents;
};

std::vector<Capture> produce_captures() {
  std::vector<Capture> out;
  std::ifstream manifest(std::string(KEEL_GOLDEN_DIR) + "/MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);  // column names
  while (std::getline(manifest, line)) {
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    if (cols.size() < 5 || cols[2] != "0") continue;
    out.push_back({cols[0], std::stoi(cols[2]), std::stoi(cols[3]), cols[4]});
  }
  return out;
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The manifest's rendering of a key, value or header value (tests/golden/manifest.py).
std::string render(const std::optional<ByteView>& bytes) {
  if (!bytes) return "null";
  std::string text;
  for (uint8_t c : *bytes) {
    if (c >= 0x20 && c < 0x7f) {
      text.push_back(static_cast<char>(c));
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      text += escaped;
    }
  }
  if (bytes->size() <= 32) return text;
  return absl::StrCat(text.substr(0, 10), "...(", bytes->size(), " bytes)");
}

std::string framing(Compression codec, ByteView area) {
  switch (codec) {
    case Compression::kNone:
      return "";
    case Compression::kGzip:
      return " (gzip stream)";
    case Compression::kSnappy:
      return area.size() >= 8 && area[0] == 0x82 && area[1] == 'S' ? " (xerial-framed snappy)"
                                                                   : " (raw snappy block)";
    case Compression::kLz4:
      return " (LZ4 frame)";
    case Compression::kZstd:
      return " (zstd frame)";
  }
  return "";
}

// "batch magic=2 codec=... pid=... records=N: k=v [h=x]; ..." as manifest.py writes it.
std::string describe(ByteView batch) {
  absl::StatusOr<RecordBatchHeader> h = validate_batch(batch);
  EXPECT_TRUE(h.ok()) << h.status();
  if (!h.ok()) return "";
  absl::Status client = validate_client_batch(*h);
  EXPECT_TRUE(client.ok()) << client;
  absl::StatusOr<BatchRecords> records = BatchRecords::open(batch, kMaxDecompressed);
  EXPECT_TRUE(records.ok()) << records.status();
  if (!records.ok()) return "";

  std::string out =
      absl::StrCat("batch magic=", h->magic, " codec=", compression_name(h->compression()),
                   framing(h->compression(), batch.subspan(batch_layout::kRecords)),
                   " pid=", h->producer_id, " epoch=", h->producer_epoch,
                   " baseSequence=", h->base_sequence, " records=", h->record_count, ": ");
  RecordReader reader = records->reader();
  RecordView r;
  int32_t index = 0;
  while (reader.next(r)) {
    EXPECT_EQ(r.offset_delta, index);
    if (index++ > 0) out += "; ";
    absl::StrAppend(&out, render(r.key), "=", render(r.value));
    HeaderReader headers = r.headers();
    RecordHeaderView hv;
    std::string rendered;
    while (headers.next(hv)) {
      if (!rendered.empty()) rendered += ",";
      absl::StrAppend(&rendered, std::string(hv.key), "=", render(hv.value));
    }
    if (!rendered.empty()) absl::StrAppend(&out, " [", rendered, "]");
  }
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  EXPECT_EQ(index, h->record_count);
  return out;
}

TEST(ClientBatches, EveryCapturedProduceBatchDecodesAsSent) {
  const std::vector<Capture> captures = produce_captures();
  if (captures.empty()) GTEST_SKIP() << "no Produce captures in " << KEEL_GOLDEN_DIR;
  int batches = 0;
  for (const Capture& capture : captures) {
    SCOPED_TRACE(capture.file);
    const Bytes frame = read_file(std::string(KEEL_GOLDEN_DIR) + "/" + capture.file);
    ASSERT_FALSE(frame.empty());
    Reader r(frame);
    RequestHeader header;
    ASSERT_TRUE(decode_request_header(r, &header).ok());
    ASSERT_EQ(header.api_key, 0);
    ASSERT_EQ(header.api_version, capture.api_version);
    ProduceRequest request;
    request.decode_from(r, header.api_version);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r.remaining(), 0u);

    for (const auto& topic : request.topic_data) {
      for (const auto& partition : topic.partition_data) {
        ASSERT_TRUE(partition.records.has_value());
        BatchIterator it(*partition.records);
        int in_partition = 0;
        while (it.next()) {
          const std::string want =
              absl::StrCat(topic.name, "[", partition.index, "] ", describe(it.batch()));
          EXPECT_NE(capture.contents.find(want), std::string::npos)
              << "decoded: " << want << "\nmanifest: " << capture.contents;
          ++in_partition;
        }
        EXPECT_TRUE(it.status().ok()) << it.status();
        EXPECT_EQ(in_partition, 1) << "Produce v3+ carries exactly one batch per partition";
        batches += in_partition;
      }
    }
  }
  EXPECT_GT(batches, 0);
  std::printf("checked %d batches from %zu Produce captures\n", batches, captures.size());
}

}  // namespace
}  // namespace keel::protocol
