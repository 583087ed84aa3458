// File: broker/config/endpoint.h
// The address formats of broker properties: listeners (`NAME://host:port,...`), quorum
// voters (`id@host:port,...`) and plain `host:port`.
//
// A host may be empty (listen on every interface), a name, an IPv4 address, or an IPv6
// address in brackets; hosts are stored without brackets. Ports are 0..65535 where 0 means
// "any free port" (callers that must not accept 0 check it). Error messages give the reason
// only: the caller names the property.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace keel::broker {

struct HostPort {
  std::string host;  // without brackets; empty = every interface
  int32_t port = 0;

  // host:port, with brackets around an IPv6 host.
  std::string to_string() const;
  bool operator==(const HostPort&) const = default;
};

struct Endpoint {
  std::string listener;  // listener name, upper-cased (Kafka treats names case-insensitively)
  HostPort address;

  std::string to_string() const;  // NAME://host:port
  bool operator==(const Endpoint&) const = default;
};

struct QuorumVoter {
  int32_t id = 0;
  HostPort address;

  bool operator==(const QuorumVoter&) const = default;
};

// "host:port" or "[v6]:port"; an unbracketed IPv6 address is refused as ambiguous.
absl::StatusOr<HostPort> parse_host_port(std::string_view text);

// Comma list of NAME://host:port; names unique. Empty text → empty list.
absl::StatusOr<std::vector<Endpoint>> parse_endpoints(std::string_view text);

// Comma list of NAME:PROTOCOL (listener.security.protocol.map): names upper-cased and
// unique, protocols one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL.
absl::StatusOr<std::map<std::string, std::string>> parse_listener_protocol_map(
    std::string_view text);

// Comma list of id@host:port; ids ≥ 0 and unique, ports > 0. Empty text → empty list.
absl::StatusOr<std::vector<QuorumVoter>> parse_quorum_voters(std::string_view text);

// True for 0.0.0.0 and ::, which name no reachable host and must never be advertised.
bool is_wildcard_host(std::string_view host);

}  // namespace keel::broker
