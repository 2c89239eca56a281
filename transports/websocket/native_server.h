// The server side of the WebSocket transport on libuv directly, framed by
// resock::wire (DESIGN.md "Layout", step 2): <prefix>/ws for sessions (fed
// to the server core), /echo for conformance runs, and a few static HTTP
// resources on the same port.
//
// The public face is ws_server's, to the letter (same options, same
// calls), so resock::server switches between the two by one type. What
// differs is underneath: every frame of a read is parsed in place in one
// buffer shared by all connections, everything a connection has to send
// during a loop turn goes out in one write, and an idle connection holds
// no buffer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <system_error>

#include "websocket/ws_server.h"

struct uv_loop_s;

namespace resock::core {
class server_core;
}

namespace resock::ws {

class native_ws_server {
 public:
  // `loop` and `core` must outlive this object. Loop thread only.
  native_ws_server(uv_loop_s* loop, core::server_core& core, ws_server_options options);
  // Closes what is still open (the core hears 1006 for open sessions); the
  // memory of the handles is freed as the loop runs on.
  ~native_ws_server();
  native_ws_server(const native_ws_server&) = delete;
  native_ws_server& operator=(const native_ws_server&) = delete;

  // Binds options.listen and listens (backlog 1024, SO_REUSEADDR).
  // Errors: std::errc::invalid_argument (listen string or unresolvable
  // host), the bind/listen cause as a generic-category code
  // (address_in_use, address_not_available, permission_denied, ...),
  // already_connected when started twice. On error nothing stays open.
  [[nodiscard]] std::error_code start();
  // Refuses new connections (closes the listener) and ends handshakes in
  // progress; /echo connections get close 1001, sessions are closed by the
  // core's shutdown(). What is still open after `grace` is closed then;
  // once every connection is gone the server's handles close, so uv_run()
  // can return.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{3000});
  // The bound port (the real one when listen asked for port 0); 0 before start().
  [[nodiscard]] std::uint16_t port() const noexcept;
  [[nodiscard]] transport_counters counters() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace resock::ws
