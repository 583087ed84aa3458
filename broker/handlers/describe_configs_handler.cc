// File: broker/handlers/describe_configs_handler.cc
#include "broker/handlers/describe_configs_handler.h"

#include <algorithm>
#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/handlers/admin_util.h"
#include "broker/handlers/handler_util.h"
#include "controller/topic_name.h"
#include "protocol/generated/describe_configs.h"

namespace keel::broker::handlers {
namespace {

using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;
using protocol::ErrorCode;

// The entries of one resource, or the error that replaces them.
absl::StatusOr<std::vector<ConfigEntry>> resource_entries(
    const BrokerServices& broker, const controller::MetadataImage& image,
    const DescribeConfigsRequest::DescribeConfigsResource& resource) {
  switch (resource.resource_type) {
    case kTopicResource: {
      const controller::TopicImage* topic = image.topic(resource.resource_name);
      if (topic == nullptr) {
        if (absl::Status s = controller::validate_topic_name(resource.resource_name); !s.ok()) {
          return s;
        }
        return protocol::kafka_error(ErrorCode::kUnknownTopicOrPartition,
                                     "unknown topic " + resource.resource_name);
      }
      return broker.topic_configs->describe(topic->configs);
    }
    case kBrokerResource:
      if (absl::Status s = check_broker_resource(broker, resource.resource_name); !s.ok()) {
        return s;
      }
      return describe_broker_configs(*broker.config);
    default:
      return unsupported_resource_type(resource.resource_type);
  }
}

}  // namespace

boost::asio::awaitable<HandlerResult> DescribeConfigsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::DescribeConfigsRequest& req) const {
  const int16_t version = header.api_version;
  const BrokerServices& broker = *ctx.broker;
  const bool synonyms = version >= 1 && req.include_synonyms;
  const bool documentation = version >= 3 && req.include_documentation;

  auto image = broker.image();
  DescribeConfigsResponse resp;
  for (const auto& resource : req.resources) {
    DescribeConfigsResponse::DescribeConfigsResult result;
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    absl::StatusOr<std::vector<ConfigEntry>> entries = resource_entries(broker, *image, resource);
    if (!entries.ok()) {
      result.error_code = error_code(entries.status());
      result.error_message = error_message(entries.status());
      resp.results.push_back(std::move(result));
      continue;
    }
    result.error_message = std::nullopt;
    const auto& keys = resource.configuration_keys;
    const bool all = !keys.has_value() || keys->empty();
    for (const ConfigEntry& e : *entries) {
      if (!all && std::find(keys->begin(), keys->end(), e.name) == keys->end()) continue;
      DescribeConfigsResponse::DescribeConfigsResourceResult c;
      c.name = e.name;
      c.value = e.value;
      c.read_only = e.read_only;
      c.is_default = e.source == ConfigSource::kDefaultConfig;
      c.config_source = static_cast<int8_t>(e.source);
      c.is_sensitive = e.sensitive;
      if (synonyms) {
        for (const ConfigSynonym& s : e.synonyms) {
          c.synonyms.push_back({s.name, s.value, static_cast<int8_t>(s.source), {}});
        }
      }
      c.config_type = static_cast<int8_t>(e.type);
      c.documentation = documentation ? std::optional<std::string>(e.documentation) : std::nullopt;
      result.configs.push_back(std::move(c));
    }
    resp.results.push_back(std::move(result));
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
