#include "http/url.h"

#include <charconv>

namespace resock::http {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view s) {
  unsigned value = 0;
  if (s.empty() || s.size() > 5) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// Splits "host:port" / "[v6]:port" / "host". `port` is empty when absent.
bool split_host_port(std::string_view s, std::string_view& host, std::string_view& port) {
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos) return false;
    host = s.substr(1, close - 1);
    auto rest = s.substr(close + 1);
    if (rest.empty()) {
      port = {};
      return true;
    }
    if (rest.front() != ':') return false;
    port = rest.substr(1);
    return !port.empty();
  }
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos) {
    host = s;
    port = {};
    return true;
  }
  // A bare IPv6 address without brackets is ambiguous: refuse it.
  if (s.find(':') != colon) return false;
  host = s.substr(0, colon);
  port = s.substr(colon + 1);
  return !port.empty();
}

}  // namespace

std::optional<listen_address> parse_listen(std::string_view text) {
  std::string_view host, port;
  if (!split_host_port(text, host, port) || port.empty()) return std::nullopt;
  auto p = parse_port(port);
  if (!p) return std::nullopt;
  listen_address out;
  if (host != "*" && host != "0.0.0.0") out.host = std::string(host);
  if (out.host == "localhost") out.host = "127.0.0.1";  // lws binds IPs or interface names
  out.port = *p;
  return out;
}

std::optional<url> parse_url(std::string_view text) {
  url out;
  std::uint16_t default_port = 80;
  if (text.starts_with("ws://") || text.starts_with("http://")) {
    text.remove_prefix(text.find("://") + 3);
  } else if (text.starts_with("wss://") || text.starts_with("https://")) {
    text.remove_prefix(text.find("://") + 3);
    out.tls = true;
    default_port = 443;
  } else {
    return std::nullopt;
  }
  auto slash = text.find_first_of("/?#");
  auto authority = text.substr(0, slash);
  out.path = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  if (out.path.front() != '/') out.path.insert(0, 1, '/');
  if (auto hash = out.path.find('#'); hash != std::string::npos) out.path.resize(hash);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no userinfo
  std::string_view host, port;
  if (!split_host_port(authority, host, port) || host.empty()) return std::nullopt;
  out.host = std::string(host);
  if (port.empty()) {
    out.port = default_port;
  } else {
    auto p = parse_port(port);
    if (!p || *p == 0) return std::nullopt;
    out.port = *p;
  }
  return out;
}

}  // namespace resock::http
