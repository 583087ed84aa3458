// File: broker/handlers/delete_topics_handler.cc
#include "broker/handlers/delete_topics_handler.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/broker_services.h"
#include "broker/controller_calls.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/delete_topics.h"

namespace keel::broker::handlers {
namespace {

using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;
using protocol::ErrorCode;
using protocol::Uuid;

std::string uuid_text(const Uuid& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : id.bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// One entry of the request, by name or by id.
struct Target {
  std::optional<std::string> name;
  Uuid id;
  bool by_id = false;
  absl::Status status;  // set when the entry fails before reaching the controller
};

}  // namespace

boost::asio::awaitable<HandlerResult> DeleteTopicsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::DeleteTopicsRequest& req) const {
  const int16_t version = header.api_version;
  const BrokerServices& broker = *ctx.broker;

  std::vector<Target> targets;
  if (version >= 6) {
    for (const auto& t : req.topics) {
      Target target;
      target.name = t.name;
      target.id = t.topic_id;
      const bool has_name = t.name.has_value();
      const bool has_id = !t.topic_id.is_zero();
      target.by_id = !has_name && has_id;
      if (has_name && has_id) {
        target.status = protocol::kafka_error(ErrorCode::kInvalidRequest,
                                              "give a topic's name or its id, not both");
      } else if (!has_name && !has_id) {
        target.status =
            protocol::kafka_error(ErrorCode::kInvalidRequest, "neither topic name nor id given");
      }
      targets.push_back(std::move(target));
    }
  } else {
    for (const std::string& name : req.topic_names) {
      Target target;
      target.name = name;
      targets.push_back(std::move(target));
    }
  }

  // Entries naming the same topic twice are refused (once each kind of key).
  std::map<std::string, int> names;
  std::map<std::string, int> ids;
  for (const Target& t : targets) {
    if (!t.status.ok()) continue;
    if (t.by_id) {
      ++ids[uuid_text(t.id)];
    } else {
      ++names[*t.name];
    }
  }
  std::vector<std::string> delete_names;
  std::vector<Uuid> delete_ids;
  std::set<std::string> reported;
  std::vector<Target> answered;  // the entries that get a response, in request order
  for (Target& t : targets) {
    if (t.status.ok()) {
      const std::string key = t.by_id ? "id:" + uuid_text(t.id) : "name:" + *t.name;
      const int count = t.by_id ? ids[uuid_text(t.id)] : names[*t.name];
      if (count > 1) {
        if (!reported.insert(key).second) continue;
        t.status = protocol::kafka_error(
            ErrorCode::kInvalidRequest, t.by_id ? "topic id listed more than once"
                                                : "topic " + *t.name + " is listed more than once");
      } else if (t.by_id) {
        delete_ids.push_back(t.id);
      } else {
        delete_names.push_back(*t.name);
      }
    }
    answered.push_back(std::move(t));
  }

  // Names and ids as they were before the deletion, for the response.
  auto image = broker.image();
  for (Target& t : answered) {
    if (t.by_id) {
      if (const controller::TopicImage* topic = image->topic(t.id)) t.name = topic->name;
    } else if (t.name.has_value()) {
      if (const controller::TopicImage* topic = image->topic(*t.name)) t.id = topic->id;
    }
  }

  using Statuses = std::pair<std::vector<absl::Status>, std::vector<absl::Status>>;
  Statuses outcome;  // by name, by id
  if (!delete_names.empty() || !delete_ids.empty()) {
    controller::ControllerClient* c = broker.controller;
    if (!delete_names.empty()) {
      auto call = await_controller<std::vector<absl::Status>>(
          [c, &delete_names](auto done) { c->delete_topics(delete_names, std::move(done)); });
      outcome.first = co_await std::move(call);
    }
    if (!delete_ids.empty()) {
      auto call = await_controller<std::vector<absl::Status>>(
          [c, &delete_ids](auto done) { c->delete_topics_by_id(delete_ids, std::move(done)); });
      outcome.second = co_await std::move(call);
    }
  }
  std::vector<absl::Status>& by_name = outcome.first;
  std::vector<absl::Status>& by_id = outcome.second;

  DeleteTopicsResponse resp;
  size_t next_name = 0;
  size_t next_id = 0;
  for (const Target& t : answered) {
    absl::Status status = t.status;
    if (status.ok()) {
      std::vector<absl::Status>& results = t.by_id ? by_id : by_name;
      size_t& next = t.by_id ? next_id : next_name;
      status = next < results.size() ? results[next]
                                     : protocol::kafka_error(ErrorCode::kUnknownServerError,
                                                             "the controller gave no result");
      ++next;
    }
    DeleteTopicsResponse::DeletableTopicResult r;
    // Before v6 the name is not nullable; it is always known there (deletion by name).
    r.name = t.name;
    if (version < 6 && !r.name.has_value()) r.name = "";
    r.topic_id = t.id;
    r.error_code = error_code(status);
    r.error_message = error_message(status);
    resp.responses.push_back(std::move(r));
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
