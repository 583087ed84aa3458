// File: broker/controller_calls.h
// Awaiting a ControllerClient's answer from a coroutine: await_controller(start) runs
// `start(callback)` and resumes the caller on its own executor with the value the callback
// got, from whatever thread that was.
//
// GCC 12 pitfall (broker_services.h): name the awaitable before co_await-ing it:
//   auto call = await_controller<std::vector<absl::Status>>(
//       [&](auto done) { client->delete_topics(names, std::move(done)); });
//   std::vector<absl::Status> results = co_await std::move(call);
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "broker/net/asio.h"

namespace keel::broker {

template <typename T, typename Start>
boost::asio::awaitable<T> await_controller(Start start) {
  namespace asio = boost::asio;
  auto initiation = [start = std::move(start)](auto handler) mutable {
    // The completion handler is move-only; the callback a ControllerClient keeps is copyable.
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    auto executor = asio::get_associated_executor(*shared);
    std::function<void(T)> callback = [shared, executor](T value) {
      asio::post(executor, [shared, v = std::move(value)]() mutable { (*shared)(std::move(v)); });
    };
    start(std::move(callback));
  };
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(T)>(std::move(initiation),
                                                                       asio::use_awaitable);
}

}  // namespace keel::broker
