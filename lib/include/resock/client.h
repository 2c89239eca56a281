// resock::client — a session client on the caller's libuv loop: connects,
// resumes after drops (exponential backoff with full jitter), keeps and
// resends unacked messages, delivers each server message exactly once and
// in order, and says so when a session is lost.
//
//   resock::client c(loop, {.url = "ws://127.0.0.1:8080/rs/ws"});
//   c.on_event([](const resock::client_event& e) { ... });
//   c.subscribe("chat");
//   c.start();
//   c.publish("chat", R"({"text":"hi"})");
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

struct client_event {
  enum class kind : std::uint8_t {
    connecting,  // a connection attempt starts (attempt, delay_ms before it)
    connected,   // transport up and welcome received for a NEW session (transport, sid)
    resumed,     // welcome with resumed: true (sid, seq = last delivered seq)
    lost,        // the session could not be resumed: reason says why; unconfirmed = our
                 // messages that may or may not have been processed
    message,     // a server message (seq, channel, data)
    error,       // an error envelope (code, reason)
    closed,      // the client stopped
  };
  kind type = kind::message;
  transport_kind transport = transport_kind::websocket;
  std::string_view sid;
  std::uint64_t seq = 0;
  std::string_view channel;
  std::string_view data;    // raw JSON text of "d" (or base64 of "b")
  bool binary = false;
  std::string_view code;    // error code, or lost reason ("expired", "overflow", ...)
  std::string_view reason;  // human-readable text
  std::uint32_t attempt = 0;
  std::uint32_t delay_ms = 0;
  std::uint64_t unconfirmed = 0;
};

struct client_options {
  std::string url;   // ws://host:port/rs/ws or wss://...
  std::string auth;  // sent as hello.auth
  std::chrono::milliseconds backoff_min{100};   // first reconnect delay bound
  std::chrono::milliseconds backoff_max{10000}; // cap of the exponential backoff
  std::chrono::milliseconds connect_timeout{5000};
  std::size_t ack_every = 64;
  std::chrono::milliseconds ack_interval{100};
  std::string ca_file;    // wss: trust this CA
  bool insecure = false;  // wss: skip certificate checks
};

class RESOCK_API client {
 public:
  // Does not connect yet; call start(). `loop` must outlive the client.
  client(uv_loop_s* loop, client_options options);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Events are delivered on the loop thread.
  void on_event(std::function<void(const client_event&)> handler);

  // Starts connecting. Errors: invalid URL, lws context creation failure.
  [[nodiscard]] std::error_code start();
  // Closes the session (close envelope) and stops reconnecting; the loop
  // can then finish. `closed` is emitted when done.
  void stop();

  // Queue a message (sent now or after reconnect; resent until acked).
  // `data` must be JSON text. Return the client seq "c".
  std::uint64_t publish(std::string_view channel, std::string_view data);
  std::uint64_t send(std::string_view route, std::string_view data);
  void subscribe(std::string_view channel);
  void unsubscribe(std::string_view channel);

  // Test hook: drop the current connection as if the network failed.
  void drop_connection();

  [[nodiscard]] std::size_t pending() const;  // unacked outgoing messages

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace resock
