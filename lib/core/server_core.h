// The server side of the session protocol, without I/O: envelopes in,
// envelopes out, timer ticks. Transports feed it complete envelopes per
// connection and pull outgoing envelopes from it when writable; the
// application registers hooks and calls send/publish/close. One instance
// per server, single-threaded (the loop thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/link.h"
#include "resock/session.h"

namespace resock::core {

class broker;  // the seam of DESIGN.md "One process, then a cluster" (hub/broker.h)

using clock_type = std::chrono::steady_clock;

struct server_core_options {
  std::string secret;                    // HMAC key of resume tickets (>= 32 random bytes)
  std::size_t max_message_size = 1 << 20;  // envelope bytes; larger: error too_big + close 1009
  std::size_t replay_max_messages = 10000;
  std::size_t replay_max_bytes = 8u << 20;
  std::chrono::milliseconds session_ttl{60000};  // a detached session is kept this long
  std::chrono::milliseconds heartbeat{25000};    // hb announced in welcome
  std::chrono::milliseconds idle_timeout{0};     // 0: 2 x heartbeat without any inbound envelope
  std::size_t ack_every = 64;                    // server acks client messages every N ...
  std::chrono::milliseconds ack_interval{100};   // ... or T ms, whichever first
  std::chrono::milliseconds hello_timeout{10000};  // connection without hello is closed
  // The clock; tests and fuzzers substitute their own.
  std::function<clock_type::time_point()> now = [] { return clock_type::now(); };
  // The broker; null means the in-process broker (hub/broker.h).
  std::shared_ptr<core::broker> broker;  // qualified: the member reuses the name
  // One log line per connection event ("sid=... event=... reason=...").
  std::function<void(std::string_view line)> log;
};

// An open connection as the core knows it (opaque to transports).
struct connection;

struct server_stats {
  std::uint64_t connections = 0;     // open transport connections
  std::uint64_t sessions = 0;        // live sessions (attached or detached)
  std::uint64_t messages_in = 0;     // client msg envelopes handled (after dedupe)
  std::uint64_t messages_out = 0;    // msg envelopes queued to sessions
  std::uint64_t duplicates_in = 0;   // client msgs dropped as duplicates
  std::uint64_t publishes = 0;       // publish calls
  std::uint64_t payload_encodings = 0;  // payloads encoded (must equal publishes + sends)
  std::uint64_t resumes_ok = 0;
  std::uint64_t resumes_lost = 0;
};

class server_core {
 public:
  explicit server_core(server_core_options options);
  ~server_core();
  server_core(const server_core&) = delete;
  server_core& operator=(const server_core&) = delete;

  // --- Transport side --------------------------------------------------
  // A transport connection is ready for envelopes (WebSocket: established).
  // Returns the handle to pass back; never null.
  [[nodiscard]] connection* open(link& l, const link_info& info);
  // One complete inbound envelope (a WebSocket text message). Malformed
  // input gets an error envelope; the connection survives unless the
  // protocol cannot continue.
  void receive(connection* c, std::span<const std::uint8_t> envelope);
  // Appends the next outgoing envelope to `out` (after any bytes already in
  // it, e.g. LWS_PRE headroom) and returns true, or returns false when the
  // queue is empty. Called from the transport's write-ready callback.
  [[nodiscard]] bool writable(connection* c, std::string& out);
  // The transport connection is gone; `c` is invalid afterwards. The
  // session (if any) stays for resume until its TTL.
  void closed(connection* c, const link_closed& why);
  // Timers: heartbeats, idle and hello timeouts, ack flushes, TTL expiry.
  // Call at least every 100 ms (or at next_deadline()).
  void tick();
  [[nodiscard]] clock_type::time_point next_deadline() const;

  // --- Application side ------------------------------------------------
  void on_connect(std::function<connect_result(const connect_request&)> hook);
  void on_disconnect(std::function<void(const disconnect_info&)> hook);
  void route(std::string name, std::function<void(const message&)> handler);
  void on_default(std::function<void(const message&)> handler);

  // `data` is JSON text, sent as "d" without re-encoding.
  send_status send(std::string_view sid, std::string_view data);
  // Fan-out: the payload is encoded once and shared by every subscriber.
  // Returns the number of sessions it was queued to (in this process).
  std::size_t publish(std::string_view channel, std::string_view data);
  // Ends a session: its connection gets close(code, reason), the session is
  // dropped, disconnect runs with closed_by_server.
  bool close(std::string_view sid, std::uint16_t code, std::string_view reason);
  // Closes every connection with `code` (1001 at shutdown); sessions end.
  void shutdown(std::uint16_t code, std::string_view reason);

  [[nodiscard]] server_stats stats() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace resock::core
