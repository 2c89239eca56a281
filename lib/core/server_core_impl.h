// Private to server_core: the state behind the pimpl, shared by the files
// that implement it (server_core.cpp: transport side and timers;
// server_hello.cpp: hello and resume; server_session.cpp: detach, end and
// the session's envelopes; server_fanout.cpp: send, publish, replay log).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/server_core.h"
#include "hub/broker.h"
#include "hub/channel_table.h"
#include "hub/router.h"
#include "protocol/envelope.h"
#include "session/ack_policy.h"
#include "session/fifo.h"
#include "session/sequence.h"
#include "session/ticket.h"

namespace resock::core {

struct server_session;

struct connection {
  std::uint64_t id = 0;
  link* l = nullptr;
  transport_kind kind = transport_kind::websocket;
  std::string peer;
  // Origin and Authorization of the upgrade request, for the connect hook
  // at hello; allocated only when the request had either (most
  // connections carry neither, and an idle connection should be small).
  struct request_headers {
    std::string origin;
    std::string authorization;
  };
  std::unique_ptr<request_headers> headers;
  [[nodiscard]] std::string_view origin() const noexcept {
    return headers ? std::string_view(headers->origin) : std::string_view{};
  }
  [[nodiscard]] std::string_view authorization() const noexcept {
    return headers ? std::string_view(headers->authorization) : std::string_view{};
  }
  clock_type::time_point opened{};
  clock_type::time_point last_inbound{};
  bool hello_done = false;
  server_session* s = nullptr;
  // Small envelopes (welcome, pong, errors, suback, close) written before
  // any message, so the welcome always precedes the replay.
  session::fifo<std::string> control;
  // Ending: after `control` is written, link::close(close_code, ...) is
  // called; inbound envelopes are ignored from then on.
  bool ending = false;
  bool link_closed = false;  // link::close was called
  clock_type::time_point ending_since{};
  std::uint16_t close_code = 1000;
  std::string close_reason;
  bool gone = false;  // core.closed() reported it; freed when the call unwinds
};

struct server_session {
  std::string sid;
  std::string identity;
  std::vector<std::string> rights;
  std::vector<std::string> subscriptions;
  std::uint64_t next_s = 1;
  std::uint64_t acked_s = 0;
  session::inbound_sequence in;  // the client's "c"
  session::ack_policy acks;
  bool ack_now = false;  // an ack of in.last() is to be written
  connection* conn = nullptr;
  clock_type::time_point expiry = clock_type::time_point::max();  // while detached
  // Entries of the replay log not yet written on `conn` (shared bodies).
  session::fifo<replay_entry> outbox;
  bool ended = false;
};

struct server_core::impl {
  explicit impl(server_core_options o);

  // --- state --------------------------------------------------------------
  server_core_options opt;
  std::shared_ptr<broker> brk;
  session::ticket_key tickets;
  hub::router routes;
  hub::channel_table<server_session*> channels;
  std::function<connect_result(const connect_request&)> connect_hook;
  std::function<void(const disconnect_info&)> disconnect_hook;
  std::unordered_map<std::uint64_t, std::unique_ptr<connection>> conns;
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<server_session>, hash, std::equal_to<>> sessions;
  server_stats stats;
  std::uint64_t next_conn_id = 1;
  std::size_t fanout_count = 0;  // sessions reached by the publish being delivered

  // Objects ended during a call are freed when the outermost call returns,
  // because hooks and link::close may re-enter the core while a caller
  // still holds a pointer to them.
  int depth = 0;
  std::vector<std::unique_ptr<connection>> retired_conns;
  std::vector<std::unique_ptr<server_session>> retired_sessions;
  struct guard {
    impl& i;
    explicit guard(impl& x) : i(x) { ++i.depth; }
    ~guard() {
      if (--i.depth == 0) {
        i.retired_conns.clear();
        i.retired_sessions.clear();
      }
    }
  };

  // --- helpers (server_core.cpp) ------------------------------------------
  [[nodiscard]] clock_type::time_point now() const { return opt.now(); }
  [[nodiscard]] std::chrono::milliseconds idle_timeout() const;
  void log(std::string_view line) const;
  void push_control(connection& c, std::string envelope);
  void send_error(connection& c, protocol::error code, std::string_view msg, std::uint64_t seq = 0,
                  std::string_view channel = {});
  // Ends the connection after its control queue (close envelope first when
  // `envelope`); the session, if any, must have been detached or ended.
  void end_connection(connection& c, std::uint16_t code, std::string_view reason, bool envelope);
  void handle(connection& c, const protocol::envelope& e);

  // --- hello and sessions (server_hello.cpp, server_session.cpp) ----------
  void on_hello(connection& c, const protocol::envelope& e);
  void resume(connection& c, const protocol::envelope& e, std::string_view auth);
  // Asks the connect hook about a resume that presents auth; false when
  // refused (error forbidden and close 4000 sent, the session untouched).
  bool admit_resume(connection& c, server_session& s, std::string_view auth);
  void attach_resumed(connection& c, server_session& s, std::uint64_t ack,
                      std::vector<replay_entry> entries);
  void open_session(connection& c, std::string_view auth, std::string_view lost);
  [[nodiscard]] session_state state_of(const server_session& s) const;
  void detach(server_session& s, std::uint16_t code);
  // Ends a session: leaves its channels, forgets its state (keeping a
  // tombstone with `lost` when non-empty), ends its connection with
  // close_code and runs the disconnect hook once.
  void end_session(server_session& s, end_reason why, std::string_view lost,
                   std::uint16_t close_code, std::string_view close_reason);
  void on_sub(connection& c, server_session& s, const protocol::envelope& e);
  void on_unsub(connection& c, server_session& s, const protocol::envelope& e);
  void on_msg(connection& c, server_session& s, const protocol::envelope& e);
  void on_ack(connection& c, server_session& s, const protocol::envelope& e);

  // --- fan-out and replay (server_fanout.cpp) -----------------------------
  // Appends `body` as the session's next message; false when the session
  // was lost to a replay overflow.
  bool enqueue(server_session& s, const payload_ptr& body);
  [[nodiscard]] send_status send(std::string_view sid, std::string_view data);
  std::size_t publish(std::string_view channel, std::string_view data, bool binary);
  void deliver(std::string_view channel, const payload_ptr& body);
};

}  // namespace resock::core
