#include "storage/checkpoint_file.h"

#include <charconv>

#include "protocol/error_code.h"
#include "protocol/status.h"

namespace keel::storage {
namespace {

constexpr int kVersion = 0;

absl::Status corrupt(std::string_view why, size_t line) {
  return protocol::kafka_error(
      protocol::ErrorCode::kKafkaStorageError,
      "malformed checkpoint file at line " + std::to_string(line) + ": " + std::string(why),
      absl::StatusCode::kDataLoss);
}

template <typename T>
bool parse_number(std::string_view s, T* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

// Checks the version and count lines; returns the entry lines split into fields.
absl::StatusOr<std::vector<std::vector<std::string_view>>> parse_lines(std::string_view text,
                                                                       size_t fields) {
  std::vector<std::string_view> lines = split(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // final newline
  if (lines.size() < 2) return corrupt("missing version or count", lines.size() + 1);
  int version = -1;
  if (!parse_number(lines[0], &version) || version != kVersion) {
    return corrupt("unsupported version '" + std::string(lines[0]) + "'", 1);
  }
  size_t count = 0;
  if (!parse_number(lines[1], &count)) return corrupt("bad entry count", 2);
  if (count != lines.size() - 2) {
    return corrupt(
        "expected " + std::to_string(count) + " entries, found " + std::to_string(lines.size() - 2),
        2);
  }
  std::vector<std::vector<std::string_view>> entries;
  entries.reserve(count);
  for (size_t i = 2; i < lines.size(); ++i) {
    std::vector<std::string_view> parts = split(lines[i], ' ');
    if (parts.size() != fields) return corrupt("wrong number of fields", i + 1);
    entries.push_back(std::move(parts));
  }
  return entries;
}

}  // namespace

std::string format_offset_checkpoint(const OffsetMap& offsets) {
  std::string out = std::to_string(kVersion) + "\n" + std::to_string(offsets.size()) + "\n";
  for (const auto& [tp, offset] : offsets) {
    out += tp.topic + " " + std::to_string(tp.partition) + " " + std::to_string(offset) + "\n";
  }
  return out;
}

absl::StatusOr<OffsetMap> parse_offset_checkpoint(std::string_view text) {
  KEEL_ASSIGN_OR_RETURN(auto lines, parse_lines(text, 3));
  OffsetMap offsets;
  for (size_t i = 0; i < lines.size(); ++i) {
    TopicPartition tp{std::string(lines[i][0]), 0};
    int64_t offset = 0;
    if (tp.topic.empty() || !parse_number(lines[i][1], &tp.partition) ||
        !parse_number(lines[i][2], &offset)) {
      return corrupt("bad entry", i + 3);
    }
    offsets[tp] = offset;
  }
  return offsets;
}

std::string format_epoch_checkpoint(const std::vector<std::pair<int32_t, int64_t>>& entries) {
  std::string out = std::to_string(kVersion) + "\n" + std::to_string(entries.size()) + "\n";
  for (const auto& [epoch, offset] : entries) {
    out += std::to_string(epoch) + " " + std::to_string(offset) + "\n";
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<int32_t, int64_t>>> parse_epoch_checkpoint(
    std::string_view text) {
  KEEL_ASSIGN_OR_RETURN(auto lines, parse_lines(text, 2));
  std::vector<std::pair<int32_t, int64_t>> entries;
  for (size_t i = 0; i < lines.size(); ++i) {
    int32_t epoch = 0;
    int64_t offset = 0;
    if (!parse_number(lines[i][0], &epoch) || !parse_number(lines[i][1], &offset)) {
      return corrupt("bad entry", i + 3);
    }
    entries.emplace_back(epoch, offset);
  }
  return entries;
}

absl::Status write_offset_checkpoint(Env* env, const std::string& path, const OffsetMap& offsets) {
  return env->write_file_atomically(path, format_offset_checkpoint(offsets));
}

absl::StatusOr<OffsetMap> read_offset_checkpoint(Env* env, const std::string& path) {
  if (!env->exists(path)) return OffsetMap{};
  KEEL_ASSIGN_OR_RETURN(std::string text, env->read_file(path));
  return parse_offset_checkpoint(text);
}

}  // namespace keel::storage
