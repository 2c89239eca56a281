#include "websocket/native_http.h"

#include "resock/wire/handshake.h"

namespace resock::ws {
namespace {

constexpr std::string_view k_protocol = "resock.v1";

head_answer reject(int status, std::string_view reason) {
  head_answer a;
  a.status = status;
  a.reason = reason;
  a.response = wire::build_rejection(status, std::string(reason) + "\n");
  return a;
}

// Same headers as the lws server gave these resources: the API is read by
// pages of other origins (the JS client on a CDN), holds no credentials,
// and changes with the config. Connection: close, because this server
// answers one request per connection (no keep-alive state to hold).
head_answer resource(const static_resource& r, bool head_only) {
  head_answer a;
  a.status = 200;
  std::string& out = a.response;
  out.reserve(200 + r.content_type.size() + (head_only ? 0 : r.body.size()));
  out.append("HTTP/1.1 200 OK\r\nContent-Type: ").append(r.content_type);
  out.append("\r\nContent-Length: ").append(std::to_string(r.body.size()));
  out.append(
      "\r\nAccess-Control-Allow-Origin: *\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n");
  if (!head_only) out.append(r.body);
  return a;
}

// Every Sec-WebSocket-Extensions line, as one list (RFC 7230 3.2.2).
std::string extension_offers(const wire::http_head& head) {
  std::string all;
  for (const auto& h : head.headers) {
    if (!wire::iequals(h.name, "Sec-WebSocket-Extensions")) continue;
    if (!all.empty()) all += ", ";
    all += h.value;
  }
  return all;
}

// Cross-site WebSocket hijacking: a browser sends the page's Origin, and
// only listed origins may open a session with the user's cookies.
bool origin_allowed(const wire::http_head& head, const std::vector<std::string>* origins) {
  if (origins == nullptr || origins->empty()) return true;
  const std::string_view origin = head.find("Origin");
  if (origin.empty()) return true;
  for (const auto& o : *origins)
    if (o == origin) return true;
  return false;
}

head_answer upgrade(const wire::http_head& head, endpoint to, const request_routes& routes) {
  const bool deflate = routes.deflate;
  wire::upgrade_request req;
  errc e = wire::validate_upgrade_request(head, req);
  if (e != errc::ok) return reject(wire::http_status_for(e), describe(e));
  if (!origin_allowed(head, routes.origins)) return reject(403, "origin not allowed");
  head_answer a;
  a.upgrade = to;
  a.status = 101;
  // Our one subprotocol, only when offered (RFC 6455 4.2.2 item 5.4): a
  // plain WebSocket client (the conformance suite, a browser echo test)
  // must not be handed a protocol it did not ask for.
  const bool offered = head.has_token("Sec-WebSocket-Protocol", k_protocol);
  std::string extension;
  if (deflate) {
    a.deflate = wire::accept_deflate(extension_offers(head));
    if (a.deflate) extension = wire::deflate_response(*a.deflate);
  }
  a.response =
      wire::build_upgrade_response(req.key, offered ? k_protocol : std::string_view{}, extension);
  return a;
}

// An API request: its body length, or the error that refuses it.
head_answer api_head(const wire::http_head& head, const request_routes& routes) {
  if (!head.find("Transfer-Encoding").empty()) return reject(411, "length required");
  head_answer a;
  a.api = true;
  const std::string_view len = head.find("Content-Length");
  if (len.empty()) return a;
  std::size_t n = 0;
  for (char c : len) {
    if (c < '0' || c > '9' || n > routes.api_max_body) return reject(400, "bad Content-Length");
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  if (n > routes.api_max_body) return reject(413, "request body too large");
  a.api_body_length = n;
  return a;
}

bool is_api_path(std::string_view path, std::string_view ws_path) {
  // <prefix>/ws -> <prefix>/api/...
  const std::string_view prefix = ws_path.substr(0, ws_path.size() - 3);
  return path.size() > prefix.size() + 5 && path.substr(0, prefix.size()) == prefix &&
         path.substr(prefix.size(), 5) == "/api/";
}

}  // namespace

std::string api_answer(const api_response& r) {
  static const std::map<int, std::string_view> reasons = {{200, "OK"},
                                                          {400, "Bad Request"},
                                                          {401, "Unauthorized"},
                                                          {404, "Not Found"},
                                                          {405, "Method Not Allowed"},
                                                          {413, "Content Too Large"},
                                                          {501, "Not Implemented"}};
  auto it = reasons.find(r.status);
  std::string out =
      "HTTP/1.1 " + std::to_string(r.status) + " " +
      std::string(it == reasons.end() ? "Error" : it->second) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) +
      "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
  out += r.body;
  return out;
}

std::string_view path_of(std::string_view target) noexcept {
  return target.substr(0, target.find('?'));
}

std::string_view bearer_token(std::string_view authorization) noexcept {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size() ||
      !wire::iequals(authorization.substr(0, scheme.size()), scheme))
    return {};
  std::string_view token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  return token;
}

head_answer answer_request(const wire::http_head& head, const request_routes& routes) {
  if (routes.stopping) return reject(503, "server stopping");
  const std::string_view path = path_of(head.target);
  if (routes.api && is_api_path(path, routes.ws_path)) return api_head(head, routes);
  // Every request to a WebSocket endpoint is an upgrade attempt: a plain
  // GET there is a handshake without Upgrade (400), a POST one with the
  // wrong method (405); the handshake checks say which.
  if (path == routes.ws_path) return upgrade(head, endpoint::session, routes);
  if (routes.echo && path == "/echo") return upgrade(head, endpoint::echo, routes);
  if (routes.metrics != nullptr && *routes.metrics && path == "/metrics") {
    if (head.method != "GET" && head.method != "HEAD") return reject(405, "method not allowed");
    return resource(
        static_resource{"text/plain; version=0.0.4; charset=utf-8", (*routes.metrics)()},
        head.method == "HEAD");
  }
  if (routes.resources != nullptr) {
    auto it = routes.resources->find(path);
    if (it != routes.resources->end()) {
      if (head.method == "GET") return resource(it->second, false);
      if (head.method == "HEAD") return resource(it->second, true);
      return reject(405, "method not allowed");
    }
  }
  return reject(404, "not found");
}

head_answer answer_refused(int status) {
  return status == 429 ? reject(429, "too many connections from this address")
                       : reject(503, "server full");
}

std::string answer_plain_to_tls() {
  return reject(400, "plain HTTP sent to a TLS port: use https:// or wss://").response;
}

head_answer answer_bad_head(errc e) {
  return reject(wire::http_status_for(e), describe(e));
}

}  // namespace resock::ws
