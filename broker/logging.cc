// File: broker/logging.cc
#include "broker/logging.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace keel::broker {

void log_info(std::string_view message) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const int millis =
      static_cast<int>(duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::fprintf(stderr, "%s.%03dZ %.*s\n", stamp, millis, static_cast<int>(message.size()),
               message.data());
}

}  // namespace keel::broker
