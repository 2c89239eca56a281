// An in-memory transport joining one client_core to one server_core: the
// fourth transport the session tests and fuzzers run over (Beast's
// test::stream idea), with the network's failures on demand — drop the
// connection at any point, lose what is in flight, inject raw envelopes.
// Single-threaded; no clock of its own (the cores' clocks are the tests').
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "core/client_core.h"
#include "core/link.h"
#include "core/server_core.h"

namespace resock::core {

class memory_pair {
 public:
  enum class direction : std::uint8_t { to_server, to_client };

  memory_pair(server_core& server, client_core& client,
              transport_kind kind = transport_kind::websocket, std::string peer = "mem:1");
  ~memory_pair();
  memory_pair(const memory_pair&) = delete;
  memory_pair& operator=(const memory_pair&) = delete;

  // Opens a connection: server.open() then client.connected(). No-op when
  // already connected.
  void connect(const link_info& info = {});
  [[nodiscard]] bool connected() const noexcept { return conn_ != nullptr; }

  // Moves envelopes: pulls what both sides have to write and delivers up
  // to `max` of them (alternating directions), finishing a close the
  // server asked for once its envelopes are delivered. Returns how many
  // were delivered; stops early when nothing is left.
  std::size_t pump(std::size_t max = SIZE_MAX);

  // The network fails: both sides learn the connection is gone (code 1006,
  // not clean) and whatever was in flight is lost.
  void drop();

  // Delivers `bytes` as one envelope now, as if the peer had sent it.
  void inject(direction d, std::string_view bytes);

  // Sees every envelope as it is delivered (tests inspect the wire).
  void on_envelope(std::function<void(direction, std::string_view)> tap) { tap_ = std::move(tap); }

  // The last close the server asked for on this pair (0 when none).
  [[nodiscard]] std::uint16_t last_close_code() const noexcept { return last_close_code_; }
  [[nodiscard]] const std::string& last_close_reason() const noexcept { return last_close_reason_; }
  [[nodiscard]] std::size_t in_flight() const noexcept {
    return to_server_.size() + to_client_.size();
  }

 private:
  class server_link;
  void pull();
  void finish_close(std::uint16_t code, std::string_view reason, bool clean);

  server_core& server_;
  client_core& client_;
  transport_kind kind_;
  std::string peer_;
  server_link* link_ = nullptr;  // owned; valid while conn_ is set
  connection* conn_ = nullptr;
  std::deque<std::string> to_server_;
  std::deque<std::string> to_client_;
  std::function<void(direction, std::string_view)> tap_;
  std::uint16_t last_close_code_ = 0;
  std::string last_close_reason_;
};

}  // namespace resock::core
