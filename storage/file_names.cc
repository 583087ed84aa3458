#include "storage/file_names.h"

#include <cstdio>

#include "storage/env.h"

namespace keel::storage {

std::string offset_file_prefix(int64_t offset) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(offset));
  return buf;
}

std::string segment_file(std::string_view dir, int64_t base_offset, std::string_view kind,
                         std::string_view extra) {
  std::string name = offset_file_prefix(base_offset);
  name += kind;
  name += extra;
  return join_path(dir, name);
}

std::optional<SegmentFileName> parse_segment_file_name(std::string_view name) {
  constexpr size_t kDigits = 20;
  if (name.size() <= kDigits || name[kDigits] != '.') return std::nullopt;
  int64_t offset = 0;
  for (size_t i = 0; i < kDigits; ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (offset > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    offset = offset * 10 + (c - '0');
  }
  std::string_view rest = name.substr(kDigits);
  for (std::string_view kind : {kTimeIndexSuffix, kIndexSuffix, kLogSuffix}) {
    if (rest.substr(0, kind.size()) == kind) {
      return SegmentFileName{offset, std::string(kind), std::string(rest.substr(kind.size()))};
    }
  }
  return std::nullopt;
}

}  // namespace keel::storage
