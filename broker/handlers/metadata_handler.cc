// File: broker/handlers/metadata_handler.cc
#include "broker/handlers/metadata_handler.h"

#include <algorithm>
#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/controller_calls.h"
#include "broker/handlers/advertised_endpoint.h"
#include "broker/handlers/controller_id.h"
#include "broker/handlers/handler_util.h"
#include "broker/handlers/partition_leadership.h"
#include "protocol/generated/metadata.h"

namespace keel::broker::handlers {
namespace {

using protocol::ErrorCode;
using protocol::MetadataRequest;
using protocol::MetadataResponse;

constexpr const char* kInternalTopicPrefix = "__";

bool broker_alive(const controller::MetadataImage& image, int32_t node_id) {
  const controller::BrokerImage* b = image.broker(node_id);
  return b != nullptr && !b->fenced;
}

MetadataResponse::MetadataResponseTopic describe_topic(const controller::MetadataImage& image,
                                                       const controller::TopicImage& topic) {
  MetadataResponse::MetadataResponseTopic out;
  out.name = topic.name;
  out.topic_id = topic.id;
  out.is_internal =
      topic.name.rfind(kInternalTopicPrefix, 0) == 0 && topic.name == "__consumer_offsets";
  for (const auto& [id, p] : topic.partitions) {
    MetadataResponse::MetadataResponsePartition mp;
    mp.partition_index = id;
    // A fenced leader serves nobody: clients must not send there, and retry on this error.
    const bool led = p.leader >= 0 && broker_alive(image, p.leader);
    mp.leader_id = led ? p.leader : -1;
    mp.leader_epoch = p.leader_epoch;
    mp.replica_nodes = p.replicas;
    mp.isr_nodes = p.isr;
    for (int32_t r : p.replicas) {
      if (!broker_alive(image, r)) mp.offline_replicas.push_back(r);
    }
    if (!led) {
      mp.error_code = error_code(ErrorCode::kLeaderNotAvailable);
    }
    out.partitions.push_back(std::move(mp));
  }
  return out;
}

MetadataResponse::MetadataResponseTopic topic_error(std::optional<std::string> name,
                                                    protocol::Uuid id, int16_t code) {
  MetadataResponse::MetadataResponseTopic out;
  out.error_code = code;
  out.name = std::move(name);
  out.topic_id = id;
  return out;
}

}  // namespace

boost::asio::awaitable<HandlerResult> MetadataHandler::serve(const RequestContext& ctx,
                                                             const protocol::RequestHeader& header,
                                                             protocol::MetadataRequest& req) const {
  const int16_t version = header.api_version;
  const BrokerServices& broker = *ctx.broker;

  const bool all_topics = !req.topics.has_value() || (version == 0 && req.topics->empty());
  const bool may_create =
      broker.config->auto_create_topics_enable && (version < 4 || req.allow_auto_topic_creation);

  // Auto-create the unknown named topics first (one controller call for all of them).
  if (!all_topics && may_create) {
    std::vector<controller::NewTopic> missing;
    auto image = broker.image();
    for (const auto& t : *req.topics) {
      if (!t.name.has_value() || t.name->empty()) continue;
      if (image->topic(*t.name) != nullptr) continue;
      if (std::any_of(missing.begin(), missing.end(),
                      [&](const controller::NewTopic& n) { return n.name == *t.name; })) {
        continue;
      }
      controller::NewTopic n;
      n.name = *t.name;
      missing.push_back(std::move(n));
    }
    if (!missing.empty()) {
      controller::ControllerClient* c = broker.controller;
      // Named, not a temporary inside the co_await expression: GCC 12 destroys such
      // temporaries twice (see broker_services.h).
      auto created = await_controller<std::vector<controller::CreateTopicResult>>(
          [c, &missing](auto done) { c->create_topics(missing, false, std::move(done)); });
      co_await std::move(created);
    }
  }

  auto image = broker.image();
  MetadataResponse resp;
  for (const auto& [node_id, b] : image->brokers()) {
    const metadata::Endpoint* endpoint = advertised_endpoint(b, ctx.listener);
    if (b.fenced || endpoint == nullptr) continue;
    MetadataResponse::MetadataResponseBroker mb;
    mb.node_id = node_id;
    mb.host = endpoint->host();
    mb.port = endpoint->port();
    if (!b.rack.empty()) mb.rack = b.rack;
    resp.brokers.push_back(std::move(mb));
  }
  resp.cluster_id = image->cluster_id();
  resp.controller_id = advertised_controller_id(broker, *image);

  if (all_topics) {
    for (const auto& [name, topic] : image->topics()) {
      resp.topics.push_back(describe_topic(*image, *topic));
    }
  } else {
    for (const auto& t : *req.topics) {
      const controller::TopicImage* topic = nullptr;
      if (t.name.has_value()) {
        topic = image->topic(*t.name);
        if (topic == nullptr) {
          // Same rules as the controller's (names it would refuse to create).
          bool valid = !t.name->empty() && t.name->size() <= 249 && *t.name != "." &&
                       *t.name != ".." && std::all_of(t.name->begin(), t.name->end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                       });
          resp.topics.push_back(topic_error(t.name, protocol::Uuid{},
                                            error_code(valid ? ErrorCode::kUnknownTopicOrPartition
                                                             : ErrorCode::kInvalidTopicException)));
          continue;
        }
      } else {
        topic = image->topic(t.topic_id);
        if (topic == nullptr) {
          resp.topics.push_back(
              topic_error(std::nullopt, t.topic_id, error_code(ErrorCode::kUnknownTopicId)));
          continue;
        }
      }
      resp.topics.push_back(describe_topic(*image, *topic));
    }
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
