// parse_ws_url: the subset of RFC 3986 a WebSocket URL uses (RFC 6455 3).
#include <charconv>
#include <string>

#include "compliance/engine/engine.h"

namespace resock::conformance {

bool parse_ws_url(const std::string& url, parsed_url& out, std::string& error) {
  out = {};
  std::string_view rest = url;
  // Schemes are case-insensitive (RFC 3986 3.1).
  auto starts_with_ci = [&](std::string_view prefix) {
    if (rest.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      char c = rest[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  if (starts_with_ci("ws://")) {
    rest.remove_prefix(5);
  } else if (starts_with_ci("wss://")) {
    out.tls = true;
    rest.remove_prefix(6);
  } else {
    error = "URL must start with ws:// or wss://: " + url;
    return false;
  }

  const std::size_t end_of_authority = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end_of_authority);
  std::string_view tail = end_of_authority == std::string_view::npos
                              ? std::string_view{}
                              : rest.substr(end_of_authority);
  if (authority.find('@') != std::string_view::npos) {
    error = "URL must not carry user information: " + url;
    return false;
  }

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated IPv6 literal in URL: " + url;
      return false;
    }
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "unexpected text after IPv6 literal in URL: " + url;
        return false;
      }
      port_text = after.substr(1);
      if (port_text.empty()) {
        error = "empty port in URL: " + url;
        return false;
      }
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) {
        error = "empty port in URL: " + url;
        return false;
      }
    }
  }
  if (out.host.empty()) {
    error = "URL has no host: " + url;
    return false;
  }

  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    const auto [p, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      error = "bad port in URL: " + url;
      return false;
    }
    out.port = port;
  }

  // Fragments are not allowed in WebSocket URLs (RFC 6455 3).
  if (tail.find('#') != std::string_view::npos) {
    error = "URL must not have a fragment: " + url;
    return false;
  }
  if (tail.empty() || tail.front() == '?')
    out.resource = "/" + std::string(tail);
  else
    out.resource = std::string(tail);
  return true;
}

}  // namespace resock::conformance
