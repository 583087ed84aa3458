#include "broker/config/endpoint.h"

#include <cctype>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"

namespace keel::broker {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_items(std::string_view text) {
  std::vector<std::string_view> items;
  text = trim(text);
  if (text.empty()) return items;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    items.push_back(trim(text.substr(start, comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

absl::Status bad(std::string_view item, const std::string& why) {
  return absl::InvalidArgumentError("'" + std::string(item) + "': " + why);
}

}  // namespace

std::string HostPort::to_string() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Endpoint::to_string() const { return listener + "://" + address.to_string(); }

bool is_wildcard_host(std::string_view host) { return host == "0.0.0.0" || host == "::"; }

absl::StatusOr<HostPort> parse_host_port(std::string_view text) {
  HostPort hp;
  std::string_view port;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad(text, "expected [ipv6]:port");
    }
    hp.host = std::string(text.substr(1, close - 1));
    if (hp.host.find(':') == std::string::npos) return bad(text, "brackets are for IPv6 hosts");
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad(text, "expected host:port");
    hp.host = std::string(text.substr(0, colon));
    if (hp.host.find(':') != std::string::npos) {
      return bad(text, "an IPv6 host must be in brackets, e.g. [::1]:9092");
    }
    port = text.substr(colon + 1);
  }
  for (char c : hp.host) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == '@' || c == '[') {
      return bad(text, "invalid host");
    }
  }
  int64_t p = -1;
  if (port.empty() || !absl::SimpleAtoi(absl::string_view(port.data(), port.size()), &p) || p < 0 ||
      p > 65535) {
    return bad(text, "port must be a number in [0, 65535]");
  }
  hp.port = static_cast<int32_t>(p);
  return hp;
}

absl::StatusOr<std::vector<Endpoint>> parse_endpoints(std::string_view text) {
  std::vector<Endpoint> out;
  std::set<std::string> names;
  for (std::string_view item : split_items(text)) {
    size_t sep = item.find("://");
    if (sep == std::string_view::npos || sep == 0) return bad(item, "expected NAME://host:port");
    Endpoint e;
    for (char c : item.substr(0, sep)) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
        return bad(item, "listener names use letters, digits, '_' and '-'");
      }
      e.listener.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    auto hp = parse_host_port(item.substr(sep + 3));
    if (!hp.ok()) return hp.status();
    e.address = *std::move(hp);
    if (!names.insert(e.listener).second) return bad(item, "listener name used twice");
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> parse_listener_protocol_map(
    std::string_view text) {
  std::map<std::string, std::string> out;
  auto upper = [](std::string_view v) {
    std::string u(v);
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  };
  for (std::string_view item : split_items(text)) {
    const size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return bad(item, "expected LISTENER_NAME:PROTOCOL");
    }
    const std::string name = upper(item.substr(0, colon));
    const std::string protocol = upper(item.substr(colon + 1));
    if (protocol != "PLAINTEXT" && protocol != "SSL" && protocol != "SASL_PLAINTEXT" &&
        protocol != "SASL_SSL") {
      return bad(item, "protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
    }
    if (!out.emplace(name, protocol).second) return bad(item, "listener name used twice");
  }
  return out;
}

absl::StatusOr<std::vector<QuorumVoter>> parse_quorum_voters(std::string_view text) {
  std::vector<QuorumVoter> out;
  std::set<int32_t> ids;
  for (std::string_view item : split_items(text)) {
    size_t at = item.find('@');
    int32_t id = -1;
    if (at == std::string_view::npos ||
        !absl::SimpleAtoi(absl::string_view(item.data(), at), &id) || id < 0) {
      return bad(item, "expected id@host:port with id >= 0");
    }
    auto hp = parse_host_port(item.substr(at + 1));
    if (!hp.ok()) return hp.status();
    if (hp->host.empty() || hp->port == 0) return bad(item, "a voter needs a host and a port");
    if (!ids.insert(id).second) return bad(item, "voter id used twice");
    out.push_back({id, *std::move(hp)});
  }
  return out;
}

}  // namespace keel::broker
