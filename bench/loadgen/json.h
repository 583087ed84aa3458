// A minimal JSON object writer for the one-line results (no parsing needed here).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace keel::bench {

class JsonObject {
 public:
  JsonObject& add(std::string_view name, std::string_view value);
  JsonObject& add(std::string_view name, const char* value) {
    return add(name, std::string_view(value));
  }
  JsonObject& add(std::string_view name, int64_t value);
  JsonObject& add(std::string_view name, int value) { return add(name, int64_t{value}); }
  JsonObject& add(std::string_view name, double value);  // non-finite -> null
  JsonObject& add(std::string_view name, bool value);
  JsonObject& add(std::string_view name, const std::vector<double>& values);
  JsonObject& add(std::string_view name, const JsonObject& nested);
  JsonObject& add_null(std::string_view name);

  std::string str() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view name);
  std::string body_;
};

std::string json_quote(std::string_view s);
std::string json_number(double v);

}  // namespace keel::bench
