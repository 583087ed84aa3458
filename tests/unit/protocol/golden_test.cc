// Requests captured from real clients (kcat/librdkafka, confluent-kafka, kafka-python, kafkajs;
// see tests/golden/README.md). Every capture must decode with the generated codec and encode
// back to the identical bytes; the commonest requests are also checked field by field against
// what the capture script told the client to send.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "protocol/generated/all_messages.h"
#include "protocol/generated/api_registry.h"
#include "protocol/wire/header.h"

namespace keel::protocol {
namespace {

const std::filesystem::path kGoldenDir = KEEL_GOLDEN_DIR;

struct Capture {
  std::string file;
  int16_t api_key = 0;
  int16_t api_version = 0;
};

std::vector<Capture> manifest() {
  std::ifstream in(kGoldenDir / "MANIFEST.tsv");
  std::vector<Capture> out;
  std::string line;
  std::getline(in, line);  // column names
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Capture c;
    std::string client, key, version;
    std::getline(fields, c.file, '\t');
    std::getline(fields, client, '\t');
    std::getline(fields, key, '\t');
    std::getline(fields, version, '\t');
    c.api_key = static_cast<int16_t>(std::stoi(key));
    c.api_version = static_cast<int16_t>(std::stoi(version));
    out.push_back(c);
  }
  return out;
}

Bytes read_file(const std::string& name) {
  std::ifstream in(kGoldenDir / name, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A decoded capture: header plus typed body. The body's RecordsView fields point into `frame`.
template <typename Message>
struct Decoded {
  Bytes frame;
  RequestHeader header;
  Message body;
};

template <typename Message>
Decoded<Message> decode_capture(const std::string& name) {
  Decoded<Message> d;
  d.frame = read_file(name);
  Reader r(d.frame);
  EXPECT_TRUE(decode_request_header(r, &d.header).ok()) << name;
  EXPECT_EQ(d.header.api_key, Message::kApiKey) << name;
  EXPECT_TRUE(d.body.decode(r, d.header.api_version).ok()) << name << ": " << r.status();
  EXPECT_EQ(r.remaining(), 0u) << name;
  return d;
}

std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

TEST(Golden, ManifestListsTheExpectedSpread) {
  std::vector<Capture> all = manifest();
  ASSERT_GE(all.size(), 60u) << "captures missing from " << kGoldenDir;
  std::map<int16_t, int> per_api;
  for (const Capture& c : all) ++per_api[c.api_key];
  for (int16_t key : {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18, 19, 20, 22}) {
    EXPECT_GT(per_api[key], 0) << "no capture of api " << key;
  }
}

TEST(Golden, EveryCaptureDecodesAndReencodesByteIdentically) {
  for (const Capture& c : manifest()) {
    SCOPED_TRACE(c.file);
    Bytes frame = read_file(c.file);
    ASSERT_FALSE(frame.empty());
    Reader r(frame);
    RequestHeader header;
    ASSERT_TRUE(decode_request_header(r, &header).ok()) << r.status();
    EXPECT_EQ(header.api_key, c.api_key);
    EXPECT_EQ(header.api_version, c.api_version);
    const size_t header_size = r.position();

    Bytes reencoded;
    Writer w(reencoded);
    encode_request_header(w, header);
    ASSERT_TRUE(decode_request_body(header.api_key, header.api_version, r, &reencoded).ok())
        << r.status();
    EXPECT_EQ(r.remaining(), 0u) << "bytes left after the body";
    EXPECT_EQ(reencoded.size(), frame.size());
    EXPECT_TRUE(reencoded == frame)
        << "re-encoding differs (header is " << header_size << " bytes)";
  }
}

TEST(Golden, ApiVersionsV0FromKafkaPythonAndV3FromLibrdkafka) {
  auto v0 = decode_capture<ApiVersionsRequest>("kpy-none_ApiVersions_v0_1.bin");
  EXPECT_EQ(v0.header.api_version, 0);
  EXPECT_EQ(v0.header.client_id, "kafka-python-producer-1");
  EXPECT_EQ(v0.frame.size(), 8u + 2 + 23) << "v0 has an empty body";

  auto v3 = decode_capture<ApiVersionsRequest>("kcat-list_ApiVersions_v3_1.bin");
  EXPECT_EQ(v3.header.api_version, 3);
  EXPECT_EQ(v3.header.client_id, "rdkafka");
  EXPECT_EQ(v3.body.client_software_name, "librdkafka");
  EXPECT_EQ(v3.body.client_software_version, "2.0.2");

  auto kjs = decode_capture<ApiVersionsRequest>("kafkajs-none_ApiVersions_v2_1.bin");
  EXPECT_EQ(kjs.header.api_version, 2);
  EXPECT_EQ(kjs.header.client_id, "golden-kafkajs");
}

TEST(Golden, MetadataAllTopicsAndNamedTopics) {
  auto v0 = decode_capture<MetadataRequest>("kpy-none_Metadata_v0_1.bin");
  ASSERT_TRUE(v0.body.topics.has_value());
  EXPECT_TRUE(v0.body.topics->empty()) << "v0 asks for every topic with an empty list";

  auto kcat_null = decode_capture<MetadataRequest>("kcat-list_Metadata_v4_2.bin");
  EXPECT_FALSE(kcat_null.body.topics.has_value()) << "v1+ asks for every topic with null";
  EXPECT_TRUE(kcat_null.body.allow_auto_topic_creation);

  auto kjs = decode_capture<MetadataRequest>("kafkajs-none_Metadata_v6_1.bin");
  ASSERT_TRUE(kjs.body.topics.has_value());
  ASSERT_EQ(kjs.body.topics->size(), 1u);
  EXPECT_EQ((*kjs.body.topics)[0].name, "golden-none");
  EXPECT_TRUE(kjs.body.allow_auto_topic_creation);
}

// The batch header's attributes carry the codec in bits 0-2 (offset 21 of the batch).
int codec_of(const RecordsView& records) {
  return records.size > 22 ? (records.data[22] & 0x07) : -1;
}

TEST(Golden, ProduceV7InEveryCodecFromEveryClient) {
  struct Case {
    const char* file;
    const char* topic;
    int16_t acks;
    int codec;
  };
  for (const Case& c : {Case{"kcat-none_Produce_v7_1.bin", "golden-none", -1, 0},
                        Case{"kcat-gzip_Produce_v7_1.bin", "golden-gzip", -1, 1},
                        Case{"kcat-snappy_Produce_v7_1.bin", "golden-snappy", -1, 2},
                        Case{"kcat-lz4_Produce_v7_1.bin", "golden-lz4", -1, 3},
                        Case{"kcat-zstd_Produce_v7_1.bin", "golden-zstd", -1, 4},
                        Case{"confluent-zstd_Produce_v7_1.bin", "golden-zstd", -1, 4},
                        Case{"kpy-none_Produce_v7_1.bin", "golden-none", 1, 0},
                        Case{"kpy-snappy_Produce_v7_1.bin", "golden-snappy", 1, 2},
                        Case{"kpy-lz4_Produce_v7_1.bin", "golden-lz4", 1, 3},
                        Case{"kpy-zstd_Produce_v7_1.bin", "golden-zstd", 1, 4},
                        Case{"kafkajs-gzip_Produce_v7_1.bin", "golden-gzip", -1, 1}}) {
    SCOPED_TRACE(c.file);
    auto d = decode_capture<ProduceRequest>(c.file);
    EXPECT_EQ(d.header.api_version, 7);
    EXPECT_FALSE(d.body.transactional_id.has_value());
    EXPECT_EQ(d.body.acks, c.acks);
    ASSERT_EQ(d.body.topic_data.size(), 1u);
    EXPECT_EQ(d.body.topic_data[0].name, c.topic);
    ASSERT_EQ(d.body.topic_data[0].partition_data.size(), 1u);
    const auto& partition = d.body.topic_data[0].partition_data[0];
    EXPECT_EQ(partition.index, 0);
    ASSERT_TRUE(partition.records.has_value());
    EXPECT_GE(partition.records->size, 61u);
    EXPECT_EQ(partition.records->data[16], 2) << "magic";
    EXPECT_EQ(codec_of(*partition.records), c.codec);
    EXPECT_GE(partition.records->data, d.frame.data());
    EXPECT_LE(partition.records->data + partition.records->size, d.frame.data() + d.frame.size())
        << "records are decoded as a view into the frame, not copied";
  }
}

TEST(Golden, FetchV4FromKafkaPythonAndV11FromLibrdkafka) {
  auto v11 = decode_capture<FetchRequest>("kcat-consume_Fetch_v11_1.bin");
  EXPECT_EQ(v11.body.replica_id, -1);
  EXPECT_EQ(v11.body.max_wait_ms, 500);
  EXPECT_EQ(v11.body.min_bytes, 1);
  EXPECT_EQ(v11.body.max_bytes, 52428800);
  EXPECT_EQ(v11.body.isolation_level, 1);
  EXPECT_EQ(v11.body.session_id, 0);
  EXPECT_EQ(v11.body.session_epoch, -1);
  EXPECT_EQ(v11.body.rack_id, "");
  ASSERT_EQ(v11.body.topics.size(), 1u);
  EXPECT_EQ(v11.body.topics[0].topic, "golden-none");
  ASSERT_EQ(v11.body.topics[0].partitions.size(), 1u);
  EXPECT_EQ(v11.body.topics[0].partitions[0].partition, 0);
  EXPECT_EQ(v11.body.topics[0].partitions[0].fetch_offset, 0);
  EXPECT_EQ(v11.body.topics[0].partitions[0].partition_max_bytes, 1048576);

  auto v4 = decode_capture<FetchRequest>("kpy-group_Fetch_v4_1.bin");
  EXPECT_EQ(v4.body.isolation_level, 0);
  EXPECT_EQ(v4.body.max_bytes, 52428800);
  ASSERT_EQ(v4.body.topics.size(), 1u);
  EXPECT_EQ(v4.body.topics[0].partitions[0].partition_max_bytes, 1048576);
}

TEST(Golden, FindCoordinatorV0AndV2) {
  auto v0 = decode_capture<FindCoordinatorRequest>("kpy-group_FindCoordinator_v0_1.bin");
  EXPECT_EQ(v0.body.key, "golden-group");
  auto v2 = decode_capture<FindCoordinatorRequest>("kcat-group_FindCoordinator_v2_1.bin");
  EXPECT_EQ(v2.body.key, "golden-group");
  EXPECT_EQ(v2.body.key_type, 0);
}

TEST(Golden, JoinGroupV2AndV5CarryConsumerProtocols) {
  auto v5 = decode_capture<JoinGroupRequest>("kcat-group_JoinGroup_v5_1.bin");
  EXPECT_EQ(v5.body.group_id, "golden-group");
  EXPECT_EQ(v5.body.member_id, "");
  EXPECT_FALSE(v5.body.group_instance_id.has_value());
  EXPECT_EQ(v5.body.protocol_type, "consumer");
  EXPECT_EQ(v5.body.session_timeout_ms, 45000);
  EXPECT_EQ(v5.body.rebalance_timeout_ms, 300000);
  ASSERT_EQ(v5.body.protocols.size(), 2u);
  EXPECT_EQ(v5.body.protocols[0].name, "range");
  EXPECT_EQ(v5.body.protocols[1].name, "roundrobin");
  EXPECT_NE(str(v5.body.protocols[0].metadata).find("golden-none"), std::string::npos);

  auto v2 = decode_capture<JoinGroupRequest>("kpy-group_JoinGroup_v2_1.bin");
  EXPECT_EQ(v2.body.session_timeout_ms, 10000);
  EXPECT_EQ(v2.body.rebalance_timeout_ms, 300000);
  ASSERT_EQ(v2.body.protocols.size(), 2u);
  EXPECT_EQ(v2.body.protocols[0].name, "range");
}

TEST(Golden, OffsetCommitV2V5V7) {
  auto v2 = decode_capture<OffsetCommitRequest>("kpy-group_OffsetCommit_v2_1.bin");
  EXPECT_EQ(v2.body.group_id, "golden-group");
  EXPECT_EQ(v2.body.generation_id_or_member_epoch, 1);
  EXPECT_EQ(v2.body.member_id, "kafka-python-2.0.2-member-1");
  EXPECT_EQ(v2.body.retention_time_ms, -1);
  ASSERT_EQ(v2.body.topics.size(), 1u);
  EXPECT_EQ(v2.body.topics[0].name, "golden-none");
  ASSERT_EQ(v2.body.topics[0].partitions.size(), 1u);
  EXPECT_EQ(v2.body.topics[0].partitions[0].committed_offset, 4);
  EXPECT_EQ(v2.body.topics[0].partitions[0].committed_metadata, "");

  auto v5 = decode_capture<OffsetCommitRequest>("kafkajs-group_OffsetCommit_v5_1.bin");
  EXPECT_FALSE(v5.body.topics[0].partitions[0].committed_metadata.has_value())
      << "kafkajs sends null metadata";
  EXPECT_EQ(v5.body.topics[0].partitions[0].committed_offset, 4);

  auto v7 = decode_capture<OffsetCommitRequest>("kcat-group_OffsetCommit_v7_1.bin");
  EXPECT_EQ(v7.body.group_id, "golden-group");
  EXPECT_FALSE(v7.body.group_instance_id.has_value());
  EXPECT_EQ(v7.body.topics[0].partitions[0].committed_offset, 4);
}

TEST(Golden, InitProducerIdFlexibleV4) {
  auto v4 = decode_capture<InitProducerIdRequest>("confluent-idempotent_InitProducerId_v4_1.bin");
  EXPECT_EQ(request_header_version(22, 4), 2);
  EXPECT_FALSE(v4.body.transactional_id.has_value());
  EXPECT_EQ(v4.body.producer_id, -1);
  EXPECT_EQ(v4.body.producer_epoch, -1);
}

}  // namespace
}  // namespace keel::protocol
