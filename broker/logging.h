// File: broker/logging.h
// The node's log: one line per event on stderr, with a UTC timestamp. Thread-safe (one
// fprintf per line).
#pragma once

#include <string_view>

namespace keel::broker {

void log_info(std::string_view message);

}  // namespace keel::broker
