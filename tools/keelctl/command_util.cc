// File: tools/keelctl/command_util.cc
#include "tools/keelctl/command_util.h"

#include <sstream>

#include "protocol/error_code.h"

namespace keel::tools {

using protocol::ErrorCode;

std::string join(const std::vector<int32_t>& ids) {
  std::ostringstream s;
  for (size_t i = 0; i < ids.size(); ++i) s << (i ? "," : "") << ids[i];
  return s.str();
}

std::string error_text(int16_t code, const std::optional<std::string>& message) {
  std::string text(protocol::error_name(static_cast<ErrorCode>(code)));
  if (message && !message->empty()) text += ": " + *message;
  return text;
}

std::optional<KafkaConnection> open(const Options& options, std::ostream& err, int* code,
                                    const std::string& address) {
  absl::StatusOr<KafkaConnection> c =
      KafkaConnection::connect(address.empty() ? options.bootstrap : address, options.timeout);
  if (!c.ok()) {
    err << "keelctl: " << c.status().message() << "\n";
    *code = kExitUnreachable;
    return std::nullopt;
  }
  return std::move(*c);
}

absl::StatusOr<protocol::MetadataResponse> metadata(KafkaConnection& c,
                                                    const std::optional<std::string>& topic) {
  protocol::MetadataRequest req;
  req.allow_auto_topic_creation = false;
  if (topic) {
    protocol::MetadataRequest::MetadataRequestTopic t;
    t.name = *topic;
    req.topics = std::vector<protocol::MetadataRequest::MetadataRequestTopic>{t};
  } else {
    req.topics = std::nullopt;  // every topic
  }
  return c.call<protocol::MetadataResponse>(req, kMetadataVersion);
}

int request_failed(const absl::Status& s, std::ostream& err) {
  err << "keelctl: " << s.message() << "\n";
  return kExitFailed;
}

}  // namespace keel::tools
