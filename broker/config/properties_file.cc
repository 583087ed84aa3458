#include "broker/config/properties_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"

namespace keel::broker {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// One logical line: physical lines joined at continuations, not yet unescaped.
struct LogicalLine {
  std::string text;
  int line = 0;
};

// Splits into logical lines, dropping blank and comment lines. A comment line never
// continues, as in Java.
std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<LogicalLine> out;
  int line_no = 0;
  bool continuing = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end;
    if (pos < text.size() && text[pos] == '\r') ++pos;
    if (pos < text.size() && text[pos] == '\n') ++pos;
    ++line_no;
    size_t first = 0;
    while (first < line.size() && is_blank(line[first])) ++first;
    line.remove_prefix(first);
    if (!continuing) {
      if (line.empty() || line[0] == '#' || line[0] == '!') continue;
      out.push_back({"", line_no});
    }
    size_t slashes = 0;
    while (slashes < line.size() && line[line.size() - 1 - slashes] == '\\') ++slashes;
    continuing = slashes % 2 == 1;
    if (continuing) line.remove_suffix(1);
    out.back().text.append(line.data(), line.size());
  }
  return out;
}

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Unescapes text[*pos] onward into *out until an unescaped stop character (key) or the end
// (value). *last_escaped is the output length just after the last escaped character, so
// trimming never eats an escaped space.
absl::Status unescape(std::string_view text, size_t* pos, bool is_key, std::string* out,
                      size_t* last_escaped, const std::string& where) {
  while (*pos < text.size()) {
    char c = text[*pos];
    if (is_key && (c == '=' || c == ':' || is_blank(c))) return absl::OkStatus();
    ++*pos;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (*pos >= text.size()) break;  // a lone trailing backslash (continuation at EOF)
    char e = text[(*pos)++];
    switch (e) {
      case 't':
        out->push_back('\t');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'u': {
        if (*pos + 4 > text.size())
          return absl::InvalidArgumentError(where + "malformed \\u escape");
        uint32_t cp = 0;
        for (int i = 0; i < 4; ++i) {
          char h = text[(*pos)++];
          int v = (h >= '0' && h <= '9')   ? h - '0'
                  : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                  : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                           : -1;
          if (v < 0) return absl::InvalidArgumentError(where + "malformed \\u escape");
          cp = cp * 16 + static_cast<uint32_t>(v);
        }
        append_utf8(cp, out);
        break;
      }
      default:
        out->push_back(e);
        break;
    }
    *last_escaped = out->size();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Property>> parse_properties(std::string_view text,
                                                       std::string_view source) {
  std::vector<Property> out;
  for (const LogicalLine& l : logical_lines(text)) {
    const std::string where = std::string(source) + ":" + std::to_string(l.line) + ": ";
    std::string_view t = l.text;
    Property p;
    p.line = l.line;
    size_t pos = 0;
    size_t key_escaped = 0;
    if (absl::Status s = unescape(t, &pos, /*is_key=*/true, &p.key, &key_escaped, where); !s.ok()) {
      return s;
    }
    if (p.key.empty()) return absl::InvalidArgumentError(where + "missing property name");
    // Separator: whitespace, then at most one '=' or ':', then whitespace.
    while (pos < t.size() && is_blank(t[pos])) ++pos;
    if (pos < t.size() && (t[pos] == '=' || t[pos] == ':')) ++pos;
    while (pos < t.size() && is_blank(t[pos])) ++pos;
    size_t value_escaped = 0;
    if (absl::Status s = unescape(t, &pos, /*is_key=*/false, &p.value, &value_escaped, where);
        !s.ok()) {
      return s;
    }
    size_t keep = p.value.size();
    while (keep > value_escaped && is_blank(p.value[keep - 1])) --keep;
    p.value.resize(keep);
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::vector<Property>> read_properties_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError("cannot read config file " + path + ": " + std::strerror(errno));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return absl::DataLossError("error reading config file " + path);
  return parse_properties(buf.str(), path);
}

}  // namespace keel::broker
