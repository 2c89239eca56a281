// The server side of the WebSocket transport: one libwebsockets context on
// the caller's libuv loop, listening for <prefix>/ws (sessions, fed to the
// server core through ws_link), /echo (plain echo for conformance runs)
// and a few static HTTP resources on the same port.
//
// Nothing of lws shows here: resock::server talks to this class and to
// core::server_core only, so the data path can later move from lws to our
// own framing without touching the server or the core (DESIGN.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

struct uv_loop_s;

namespace resock::core {
class server_core;
}

namespace resock::ws {

// A fixed HTTP answer (GET only).
struct static_resource {
  std::string content_type;
  std::string body;
};

// A request to the backend HTTP API (<prefix>/api/...), body complete.
struct api_request {
  std::string_view method;
  std::string_view path;   // without the query
  std::string_view query;  // after '?', may be empty
  std::string_view authorization;
  std::string_view body;
};
struct api_response {
  int status = 200;
  std::string body;  // JSON
};

struct ws_server_options {
  std::string listen = "127.0.0.1:8080";
  std::string prefix = "/rs";              // sessions at <prefix>/ws
  std::size_t max_message_size = 1 << 20;  // of a session envelope
  bool echo = false;                       // plain echo at /echo
  // permessage-deflate (RFC 7692) accepted when offered, without context
  // takeover; messages shorter than deflate_min_size go out uncompressed.
  bool deflate = true;
  std::size_t deflate_min_size = 128;
  // Limits on who may connect (0: no limit). Past max_connections open TCP
  // connections a new one is answered 503; past conn_rate_per_ip new
  // connections in one second from one IP, 429. Existing connections are
  // never touched by either.
  // A request (head, API body) must be complete within this; else the
  // connection is dropped (slowloris).
  std::uint64_t handshake_timeout_ms = 10000;
  // A session connection whose output stays at the backpressure limit
  // (the peer does not read) this long is dropped with close code 4004;
  // the session is kept for resume. 0: never.
  std::uint64_t slow_consumer_ms = 10000;
  std::size_t max_connections = 10000;
  std::uint32_t conn_rate_per_ip = 0;
  // Origin values a WebSocket upgrade may carry (exact match, e.g.
  // "https://app.example"); others get 403. Empty: any. Requests without
  // Origin (not from a browser) are not affected.
  std::vector<std::string> origins;
  // When set, GET /metrics answers its text (Prometheus exposition format).
  std::function<std::string()> metrics;
  // When set, requests under <prefix>/api/ are read whole (Content-Length
  // bodies up to api_max_body) and answered by it.
  std::function<api_response(const api_request&)> api;
  std::size_t api_max_body = 1u << 20;
  std::size_t echo_max_message = 64u << 20;
  // TLS (native server only): PEM certificate chain and key; both set
  // serves wss:// and https:// on `listen` instead of ws:// and http://.
  std::string tls_cert;
  std::string tls_key;
  std::map<std::string, static_resource, std::less<>> resources;  // exact path -> answer
  std::function<void(std::string_view)> log;
  // Tests only: sees every envelope as it is handed to the core.
  std::function<void(std::string_view)> inbound_tap;
};

// What the transport counted, for /metrics.
struct transport_counters {
  std::uint64_t open_connections = 0;  // TCP connections now (HTTP and WebSocket)
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::map<int, std::uint64_t> rejected;  // HTTP status -> requests answered with it (>= 400)
  std::uint64_t deflated_bodies = 0;      // shared message bodies compressed (once per publish)
};

class ws_server {
 public:
  // `loop` and `core` must outlive this object.
  ws_server(uv_loop_s* loop, core::server_core& core, ws_server_options options);
  ~ws_server();
  ws_server(const ws_server&) = delete;
  ws_server& operator=(const ws_server&) = delete;

  // Creates the lws context and listens. Errors: std::errc::invalid_argument
  // (listen string), address_in_use / address_not_available / permission
  // denied (probed bind), std::errc::io_error (lws failed: reason logged).
  [[nodiscard]] std::error_code start();
  // Refuses new connections; the lws context is destroyed once the open
  // connections have closed (the core's shutdown() closes them) or after
  // `grace`, whichever comes first; the loop can then finish.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{3000});
  [[nodiscard]] std::uint16_t port() const noexcept;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace resock::ws
