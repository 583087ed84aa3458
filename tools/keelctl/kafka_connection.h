// File: tools/keelctl/kafka_connection.h
// A blocking Kafka protocol client for the command line: one TCP connection, one request at
// a time, typed with the generated codecs. Errors as values; every wait is bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/header.h"
#include "protocol/wire/reader.h"

namespace keel::tools {

class KafkaConnection {
 public:
  // "host:port". UNAVAILABLE when it cannot connect within the timeout.
  static absl::StatusOr<KafkaConnection> connect(const std::string& address,
                                                 std::chrono::milliseconds timeout);
  KafkaConnection(KafkaConnection&& other) noexcept;
  KafkaConnection& operator=(KafkaConnection&&) = delete;
  ~KafkaConnection();

  // Sends `request` at `version` and decodes the answer.
  template <typename Response, typename Request>
  absl::StatusOr<Response> call(const Request& request, int16_t version) {
    protocol::RequestHeader h;
    h.api_key = Request::kApiKey;
    h.api_version = version;
    h.correlation_id = ++correlation_;
    h.client_id = "keelctl";
    absl::StatusOr<protocol::Bytes> frame = round_trip(protocol::encode_request_frame(h, request));
    if (!frame.ok()) return frame.status();
    protocol::Reader r(*frame);
    const int32_t correlation = protocol::decode_response_header(
        r, protocol::response_header_version(Request::kApiKey, version));
    if (correlation != h.correlation_id) {
      return absl::DataLossError(std::string(Request::kApiName) +
                                 ": answer to another request (correlation id " +
                                 std::to_string(correlation) + ")");
    }
    Response response;
    absl::Status s = response.decode(r, version);
    if (!s.ok()) return s;
    return response;
  }

 private:
  explicit KafkaConnection(int fd, std::chrono::milliseconds timeout)
      : fd_(fd), timeout_(timeout) {}
  // Writes a whole frame and reads one answer frame (size prefix stripped).
  absl::StatusOr<protocol::Bytes> round_trip(const protocol::Bytes& frame);

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  int32_t correlation_ = 0;
};

}  // namespace keel::tools
