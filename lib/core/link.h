// The transport contract (STYLE.md 2): what every transport — WebSocket now;
// SSE, XHR streaming and long-polling next — offers the session core for
// one connection, and the calls it makes into the core. No lws or libuv
// type crosses it, so a transport is replaceable without touching the core.
//
// The five verbs: open (core.open), receive (core.receive), writable
// (core.writable), close (core.closed / link::close), timeout (core.tick).
#pragma once

#include <cstdint>
#include <string_view>

#include "resock/session.h"

namespace resock::core {

// Implemented by a transport, one per connection. All calls on the loop
// thread. The object must stay valid until the transport reports
// core.closed() for it.
class link {
 public:
  virtual ~link() = default;
  [[nodiscard]] virtual transport_kind kind() const noexcept = 0;
  // Ask for a writable() round soon: the transport will call
  // core.writable(conn, out) from its write-ready callback until it returns
  // false (one envelope per call; WebSocket: one message per WRITEABLE).
  virtual void want_write() noexcept = 0;
  // End the connection: WebSocket sends a close frame with code/reason
  // after the queued envelopes; HTTP transports end the response. The
  // transport then reports core.closed().
  virtual void close(std::uint16_t code, std::string_view reason) noexcept = 0;
  // Remote address "ip:port" for logs and hooks.
  [[nodiscard]] virtual std::string_view peer() const noexcept = 0;
};

// Why a transport connection ended, as the transport saw it.
struct link_closed {
  std::uint16_t code = 1006;  // WebSocket close code received or 1006 when the TCP dropped
  std::string_view reason;
  bool clean = false;  // a close handshake completed
};

// Details of a new connection the transport passes to core.open().
struct link_info {
  std::string_view origin;         // Origin header, may be empty
  std::string_view authorization;  // bearer token from the Authorization header, may be empty
};

}  // namespace resock::core
