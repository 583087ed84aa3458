// File: broker/net/asio.h
// The Boost.Asio headers broker/net uses, in one place. Debian's Boost 1.74 awaitable.hpp
// uses std::exchange without including <utility>, so <utility> must come first; include
// this header instead of Asio's so clang-format's include sorting cannot break that.
#pragma once

// clang-format off
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
// clang-format on
