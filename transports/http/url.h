// Address strings the transports accept: the server's listen "host:port"
// and the client's ws:// / wss:// URL. Pure parsing, no resolution, so the
// errors are reported before any socket or lws context exists.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace resock::http {

struct listen_address {
  std::string host;        // "" = every interface; IPv6 without brackets
  std::uint16_t port = 0;  // 0 = an ephemeral port
  [[nodiscard]] bool ipv6() const noexcept { return host.find(':') != std::string::npos; }
};

// "127.0.0.1:8080", "[::1]:0", ":8080", "*:8080", "localhost:80".
// Returns nullopt when the port is missing, not a number or above 65535.
[[nodiscard]] std::optional<listen_address> parse_listen(std::string_view text);

struct url {
  bool tls = false;        // wss:// (or https://)
  std::string host;        // IPv6 without brackets
  std::uint16_t port = 0;  // defaulted from the scheme when absent
  std::string path;        // "/..." including any query; "/" when absent
};

// ws://, wss://, http://, https:// URLs. Returns nullopt for other schemes,
// an empty host or a bad port.
[[nodiscard]] std::optional<url> parse_url(std::string_view text);

}  // namespace resock::http
