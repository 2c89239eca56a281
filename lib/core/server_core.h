// The server side of the session protocol, without I/O: envelopes in,
// envelopes out, timer ticks. Transports feed it complete envelopes per
// connection and pull outgoing envelopes from it when writable; the
// application registers hooks and calls send/publish/close. One instance
// per server, single-threaded (the loop thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/link.h"
#include "resock/session.h"
#include "session/payload.h"

namespace resock::core {

class broker;  // the seam of DESIGN.md "One process, then a cluster" (hub/broker.h)

using clock_type = std::chrono::steady_clock;

struct server_core_options {
  std::string secret;                      // HMAC key of resume tickets (>= 32 random bytes)
  std::size_t max_message_size = 1 << 20;  // envelope bytes; larger: error too_big + close 1009
  std::size_t replay_max_messages = 10000;
  std::size_t replay_max_bytes = 8u << 20;
  std::chrono::milliseconds session_ttl{60000};    // a detached session is kept this long
  std::chrono::milliseconds heartbeat{25000};      // hb announced in welcome
  std::chrono::milliseconds idle_timeout{0};       // 0: 2 x heartbeat without any inbound envelope
  std::size_t ack_every = 64;                      // server acks client messages every N ...
  std::chrono::milliseconds ack_interval{100};     // ... or T ms, whichever first
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
  std::uint64_t connections = 0;        // open transport connections
  std::uint64_t sessions = 0;           // live sessions (attached or detached)
  std::uint64_t messages_in = 0;        // client msg envelopes handled (after dedupe)
  std::uint64_t messages_out = 0;       // msg envelopes queued to sessions
  std::uint64_t duplicates_in = 0;      // client msgs dropped as duplicates
  std::uint64_t publishes = 0;          // publish calls
  std::uint64_t payload_encodings = 0;  // payloads encoded (must equal publishes + sends)
  std::uint64_t resumes_ok = 0;
  std::uint64_t resumes_lost = 0;
  std::uint64_t resumes_refused = 0;    // valid ticket, but the auth names another identity
  std::uint64_t sessions_detached = 0;  // of `sessions`, waiting for a resume
  // Of `sessions`, those with a connection now, by its transport_kind.
  std::uint64_t sessions_attached[4] = {};
  std::uint64_t replay_messages = 0;  // held in replay logs now
  std::uint64_t replay_bytes = 0;
  std::map<std::uint16_t, std::uint64_t> disconnects;  // close code -> connections ended with it
};

// One session as the backend API shows it.
struct session_view {
  std::string sid;
  std::string identity;
  bool attached = false;
  transport_kind transport = transport_kind::websocket;  // when attached
  std::string peer;                                      // when attached
  std::uint64_t last_seq = 0;                            // the last message seq queued to it
  std::uint64_t acked_seq = 0;                           // acknowledged by its client
  std::uint64_t last_client_seq = 0;                     // the client's last "c" handled
  std::vector<std::string> channels;
  std::uint64_t replay_messages = 0;
  std::uint64_t replay_bytes = 0;
  std::chrono::milliseconds expires_in{0};  // when detached: time left before it ends
};

struct channel_view {
  std::string name;
  std::size_t subscribers = 0;  // sessions of this node
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
  // `shared_body`: when not null and the envelope is a message, receives
  // the payload shared by every session it reached (the last
  // (*shared_body)->size() bytes appended), so a transport can transform
  // it once per publish rather than per subscriber (permessage-deflate).
  [[nodiscard]] bool writable(connection* c, std::string& out,
                              session::payload_ptr* shared_body = nullptr);
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
  // Cuts the session's connection (close code 4005, no close envelope) and
  // keeps the session for its client to resume. False: no such session,
  // or it has no connection now.
  bool cut(std::string_view sid);
  [[nodiscard]] std::optional<session_view> find_session(std::string_view sid) const;
  // Channels with subscribers on this node, sorted by name.
  [[nodiscard]] std::vector<channel_view> channels() const;
  // Closes every connection with `code` (1001 at shutdown); sessions end.
  void shutdown(std::uint16_t code, std::string_view reason);

  [[nodiscard]] server_stats stats() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace resock::core
