// The client side of the WebSocket transport: one lws client context on
// the caller's libuv loop and at most one connection at a time, feeding
// core::client_core (connected, receive, writable pulls, disconnected).
// When to connect again is not its business: resock::client owns the
// backoff, so the fallback transports can share it. No lws type here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

struct uv_loop_s;

namespace resock::core {
class client_core;
}

namespace resock::ws {

struct ws_client_options {
  std::string url;                      // ws:// or wss://
  std::string ca_file;                  // wss: trust this CA file
  bool insecure = false;                // wss: no certificate or host name checks
  std::size_t max_message = 64u << 20;  // inbound envelope limit
};

// What the owner hears, on the loop thread.
struct ws_client_events {
  std::function<void()> up;                        // upgraded; core.connected() done
  std::function<void(std::string_view why)> down;  // attempt failed or connection ended
  // Tests only: sees every inbound envelope before the core does.
  std::function<void(std::string_view)> inbound;
};

class ws_client {
 public:
  // `loop` and `core` must outlive this object.
  ws_client(uv_loop_s* loop, core::client_core& core, ws_client_options options,
            ws_client_events events);
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  // Checks the URL and creates the lws context. Errors:
  // std::errc::invalid_argument (URL), std::errc::io_error (lws; reason logged
  // to stderr by lws and returned in `detail`).
  [[nodiscard]] std::error_code init(std::string* detail = nullptr);
  // Starts one connection attempt; its end is reported by events.down
  // (possibly before connect() returns). No-op while one is in progress.
  void connect();
  // The core has output: ask for a writable round.
  void want_write();
  // Drops the connection without a close frame, as a network failure would.
  void drop();
  // Sends what the core still has (its close envelope), then a close frame.
  void close();
  // Tests only: writes `text` as one message ahead of the core's output.
  void send_raw(std::string text);
  // Tests only: while on, the core's envelopes (its hello included) are
  // not written, so an injected envelope can go first.
  void hold_output(bool on);
  // The code of the last close frame the server sent (0: none yet).
  [[nodiscard]] std::uint16_t last_close_code() const noexcept;
  // Destroys the lws context. Must not be called from inside a down/up event.
  void destroy();

  [[nodiscard]] bool connected() const noexcept;  // upgraded and not yet down
  [[nodiscard]] bool busy() const noexcept;       // connecting or connected

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace resock::ws
