// File: broker/handlers/create_partitions_handler.cc
#include "broker/handlers/create_partitions_handler.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/broker_services.h"
#include "broker/controller_calls.h"
#include "broker/handlers/handler_util.h"
#include "protocol/generated/create_partitions.h"

namespace keel::broker::handlers {
namespace {

using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;
using protocol::ErrorCode;

}  // namespace

boost::asio::awaitable<HandlerResult> CreatePartitionsHandler::serve(
    const RequestContext& ctx, const protocol::RequestHeader& header,
    protocol::CreatePartitionsRequest& req) const {
  const BrokerServices& broker = *ctx.broker;

  std::map<std::string, int> seen;
  for (const auto& t : req.topics) ++seen[t.name];

  CreatePartitionsResponse resp;
  std::vector<controller::NewPartitions> requests;
  std::vector<size_t> slot_of;  // requests[i] answers resp.results[slot_of[i]]
  std::set<std::string> reported;
  for (const auto& t : req.topics) {
    CreatePartitionsResponse::CreatePartitionsTopicResult r;
    r.name = t.name;
    if (seen[t.name] > 1) {
      if (!reported.insert(t.name).second) continue;
      absl::Status s = protocol::kafka_error(ErrorCode::kInvalidRequest,
                                             "topic " + t.name + " is listed more than once");
      r.error_code = error_code(s);
      r.error_message = error_message(s);
      resp.results.push_back(std::move(r));
      continue;
    }
    controller::NewPartitions n;
    n.topic = t.name;
    n.new_total = t.count;
    if (t.assignments.has_value()) {
      for (const auto& a : *t.assignments) n.assignments.push_back(a.broker_ids);
    }
    slot_of.push_back(resp.results.size());
    resp.results.push_back(std::move(r));
    requests.push_back(std::move(n));
  }

  std::vector<absl::Status> results;
  if (!requests.empty()) {
    controller::ControllerClient* c = broker.controller;
    const bool validate_only = req.validate_only;
    auto call =
        await_controller<std::vector<absl::Status>>([c, &requests, validate_only](auto done) {
          c->create_partitions(requests, validate_only, std::move(done));
        });
    results = co_await std::move(call);
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    absl::Status s = i < results.size() ? results[i]
                                        : protocol::kafka_error(ErrorCode::kUnknownServerError,
                                                                "the controller gave no result");
    CreatePartitionsResponse::CreatePartitionsTopicResult& r = resp.results[slot_of[i]];
    r.error_code = error_code(s);
    r.error_message = error_message(s);
  }
  co_return respond(header, resp);
}

}  // namespace keel::broker::handlers
