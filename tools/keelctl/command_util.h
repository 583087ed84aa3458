// File: tools/keelctl/command_util.h
// What keelctl's commands share: the protocol versions they speak, connecting to the
// bootstrap server (or another broker), Metadata, and error text.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/generated/metadata.h"
#include "tools/keelctl/commands.h"
#include "tools/keelctl/kafka_connection.h"

namespace keel::tools {

// Versions every Kafka 3.x broker and Keel serve.
inline constexpr int16_t kMetadataVersion = 12;
inline constexpr int16_t kCreateTopicsVersion = 7;
inline constexpr int16_t kDeleteTopicsVersion = 6;
inline constexpr int16_t kDescribeQuorumVersion = 1;
inline constexpr int16_t kApiVersionsVersion = 3;
inline constexpr int16_t kDescribeClusterVersion = 2;  // v2 lists fenced brokers too
inline constexpr int16_t kElectLeadersVersion = 2;
inline constexpr int16_t kUnregisterBrokerVersion = 0;

std::string join(const std::vector<int32_t>& ids);
std::string error_text(int16_t code, const std::optional<std::string>& message);
// Connects to `address` (default: the bootstrap server) or reports why not (exit code in
// `code`).
std::optional<KafkaConnection> open(const Options& options, std::ostream& err, int* code,
                                    const std::string& address = "");
absl::StatusOr<protocol::MetadataResponse> metadata(KafkaConnection& c,
                                                    const std::optional<std::string>& topic);
int request_failed(const absl::Status& s, std::ostream& err);

}  // namespace keel::tools
