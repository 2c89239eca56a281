// resock::server — the session gateway embedded in any program on the
// caller's libuv loop: WebSocket at <prefix>/ws, /rs/info, optional /echo,
// channels, routes and hooks.
//
//   resock::server srv(loop, {.listen = "127.0.0.1:8080"});
//   srv.on_connect([](const resock::connect_request& r) { return resock::connect_result{}; });
//   srv.route("echo", [&](const resock::message& m) { srv.send(m.sid, m.data); });
//   if (auto ec = srv.start()) { ... }
//   uv_run(loop, UV_RUN_DEFAULT);
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "resock/config.h"
#include "resock/session.h"

struct uv_loop_s;  // libuv's loop; the only libuv name in the public API

namespace resock {

struct server_options {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one (see port())
  std::string prefix = "/rs";             // endpoints: <prefix>/info, <prefix>/ws
  std::string secret;                     // resume-ticket key; empty: random per process
  std::size_t max_message_size = 1 << 20;
  std::size_t replay_max_messages = 10000;
  std::size_t replay_max_bytes = 8u << 20;
  std::chrono::milliseconds session_ttl{60000};
  std::chrono::milliseconds heartbeat{25000};
  // A connection must complete its request (handshake) within this.
  std::chrono::milliseconds handshake_timeout{10000};
  // A client that stops reading (its output stuck at the 1 MiB backpressure
  // limit) this long is dropped (4004); its session stays for resume. 0: never.
  std::chrono::milliseconds slow_consumer{10000};
  bool echo = false;    // plain WebSocket echo at /echo (conformance testing)
  bool deflate = true;  // accept permessage-deflate offers (RFC 7692)
  // Limits on who may connect (0: none). Past max_connections open
  // connections a new one gets 503; past conn_rate_per_ip new connections
  // per second from one IP address, 429. Open connections are not touched.
  std::size_t max_connections = 10000;
  std::uint32_t conn_rate_per_ip = 0;
  // Origins (e.g. "https://app.example") a browser page may open a session
  // from; others get 403 (cross-site WebSocket hijacking). Empty: any.
  std::vector<std::string> origins;
  bool metrics = true;  // GET /metrics: Prometheus text format
  // The backend HTTP API under <prefix>/api/ (docs/api.md); off when empty.
  // Requests carry "Authorization: apikey <api_key>".
  std::string api_key;
  // TLS: a PEM certificate chain (leaf first) and its unencrypted key.
  // With both set, `listen` serves wss:// and https:// only; start()
  // fails with invalid_argument (reason logged) when they do not load.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string demo_html;  // page served at "/" when non-empty
  std::string demo_js;    // served at "/resock.js" when non-empty
  // One line per connection event; default: stderr.
  std::function<void(std::string_view line)> log;
};

// What a server has done so far (and holds now: connections, sessions).
struct server_stats {
  std::uint64_t connections = 0;        // open transport connections
  std::uint64_t sessions = 0;           // live sessions (attached or detached)
  std::uint64_t messages_in = 0;        // client messages handled (after dedupe)
  std::uint64_t messages_out = 0;       // messages queued to sessions
  std::uint64_t duplicates_in = 0;      // client messages dropped as duplicates
  std::uint64_t publishes = 0;          // publish() calls and client publishes
  std::uint64_t payload_encodings = 0;  // payloads encoded: one per publish or send,
                                        // however many subscribers
  std::uint64_t resumes_ok = 0;
  std::uint64_t resumes_lost = 0;
};

class RESOCK_API server {
 public:
  // `loop` must outlive the server.
  server(uv_loop_s* loop, server_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Hooks: set before start(). All run on the loop thread.
  void on_connect(std::function<connect_result(const connect_request&)> hook);
  void on_disconnect(std::function<void(const disconnect_info&)> hook);
  void route(std::string name, std::function<void(const message&)> handler);
  void on_default(std::function<void(const message&)> handler);

  // Listens. Errors carry the cause (address in use, bad listen string, lws).
  [[nodiscard]] std::error_code start();
  // Closes every client with `code` (1001 going away) and stops listening;
  // the loop can then finish.
  void stop(std::uint16_t code = 1001);

  send_status send(std::string_view sid, std::string_view json);
  std::size_t publish(std::string_view channel, std::string_view json);
  bool close(std::string_view sid, std::uint16_t code = 1000, std::string_view reason = {});

  [[nodiscard]] std::uint16_t port() const;  // the bound port, after start()
  // Counters since construction; cheap (a copy), for logs and benchmarks.
  [[nodiscard]] server_stats stats() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace resock
