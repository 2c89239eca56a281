// One server-side WebSocket connection: the core::link the session core
// sees (want_write, close, peer) and the lws-facing half that assembles
// inbound messages and writes outbound ones, one lws_write per WRITEABLE
// callback (STYLE.md 3). The same class carries /echo connections, which
// bypass the core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "core/link.h"

struct lws;

namespace resock::core {
class server_core;
struct connection;
}  // namespace resock::core

namespace resock::ws {

class ws_link final : public core::link {
 public:
  enum class role : std::uint8_t { session, echo };

  // `tap` (may be null or empty) sees each envelope handed to the core.
  ws_link(lws* wsi, role r, core::server_core& core, std::size_t max_message, std::string peer,
          const std::function<void(std::string_view)>* tap = nullptr);
  ~ws_link() override = default;
  ws_link(const ws_link&) = delete;
  ws_link& operator=(const ws_link&) = delete;

  // core::link
  [[nodiscard]] transport_kind kind() const noexcept override { return transport_kind::websocket; }
  void want_write() noexcept override;
  void close(std::uint16_t code, std::string_view reason) noexcept override;
  [[nodiscard]] std::string_view peer() const noexcept override { return peer_; }

  // lws side; each returns what the lws callback returns (-1 closes).
  // `first`/`final` and `binary` describe the fragment being delivered.
  int on_receive(const void* in, std::size_t len, bool first, bool final, bool binary);
  int on_writeable();
  void on_peer_close(const void* in, std::size_t len);
  // Hands the close to the core (sessions); call once, from CLOSED.
  void on_closed();

  [[nodiscard]] role link_role() const noexcept { return role_; }
  core::connection* conn = nullptr;  // sessions: the core's handle after open()

 private:
  int deliver(const std::uint8_t* data, std::size_t len);
  void recycle(std::string& buffer) noexcept;

  lws* wsi_;
  role role_;
  core::server_core& core_;
  std::size_t max_message_;
  std::string peer_;
  const std::function<void(std::string_view)>* tap_;

  std::string rx_;  // fragments of the message being received (echo: after LWS_PRE)
  bool rx_binary_ = false;
  bool rx_oversize_ = false;  // the current message went past max_message: dropped
  std::string out_;           // LWS_PRE headroom + the envelope being written

  struct echo_message {
    std::string bytes;  // LWS_PRE headroom + payload
    bool binary = false;
  };
  std::deque<echo_message> echo_;

  bool closing_ = false;  // close() asked: close frame after what is queued
  std::uint16_t close_code_ = 1000;
  std::string close_reason_;
  bool peer_closed_ = false;  // the peer's close frame arrived
  std::uint16_t peer_code_ = 1005;
  std::string peer_reason_;
};

}  // namespace resock::ws
