// The client side of the session protocol, without I/O: the transport
// tells it when a connection is up, feeds it inbound envelopes, pulls
// outgoing ones, and ticks it; it keeps sequence numbers, acks, the
// unacked outgoing messages, and decides resume vs new session. The
// reconnect policy (backoff) belongs to the transport-side client.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/link.h"
#include "resock/client.h"

namespace resock::core {

using clock_type = std::chrono::steady_clock;

struct client_core_options {
  std::string auth;                             // hello.auth
  std::size_t ack_every = 64;                   // ack received messages every N ...
  std::chrono::milliseconds ack_interval{100};  // ... or T ms, whichever first
  std::size_t max_pending = 100000;             // unacked outgoing messages kept for resend
  std::function<clock_type::time_point()> now = [] { return clock_type::now(); };
  // Events for the application (connecting is emitted by the transport side).
  std::function<void(const client_event&)> on_event;
};

class client_core {
 public:
  explicit client_core(client_core_options options);
  ~client_core();

  // A transport connection is up: the core queues hello (with resume when it
  // has a session) and waits for welcome.
  void connected(transport_kind kind);
  // One complete inbound envelope.
  void receive(std::span<const std::uint8_t> envelope);
  // Next outgoing envelope appended to `out`; false when none.
  [[nodiscard]] bool writable(std::string& out);
  // The transport connection is gone; unacked messages stay for resend.
  void disconnected();
  // Timers: ack flush, heartbeat pings, pong timeout (returns true when the
  // connection should be considered dead and dropped by the transport).
  [[nodiscard]] bool tick();
  [[nodiscard]] bool has_output() const;

  // Application API. Messages are queued even while disconnected and sent
  // (or resent) once a session is up. Returns the client seq "c".
  std::uint64_t publish(std::string_view channel, std::string_view data);
  std::uint64_t send(std::string_view route, std::string_view data);
  void subscribe(std::string_view channel);
  void unsubscribe(std::string_view channel);
  // Sends close; the session ends on the server.
  void close();

  [[nodiscard]] std::string_view sid() const;
  [[nodiscard]] std::uint64_t last_seq() const;               // highest server seq delivered
  [[nodiscard]] std::size_t pending() const;                  // unacked outgoing messages
  [[nodiscard]] std::chrono::milliseconds heartbeat() const;  // from welcome

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace resock::core
