// The aggregates shared by the server API (server.h), the embedded core and
// the transports: what a connect hook sees and answers, what a route
// handler gets, why a session ended, and what a send reports.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace resock {

// Which transport carries a connection.
enum class transport_kind : std::uint8_t { websocket, sse, xhr_streaming, long_polling };
[[nodiscard]] constexpr std::string_view transport_name(transport_kind k) noexcept {
  switch (k) {
    case transport_kind::websocket:
      return "websocket";
    case transport_kind::sse:
      return "sse";
    case transport_kind::xhr_streaming:
      return "xhr-streaming";
    case transport_kind::long_polling:
      return "long-polling";
  }
  return "unknown";
}

// Given to the connect hook when a *new* session asks to open (not on a
// resume: a resumed session keeps the identity it was admitted with).
struct connect_request {
  std::string_view sid;     // the session id it will get if admitted
  std::string_view auth;    // hello.auth (or the Authorization bearer token), may be empty
  std::string_view peer;    // "ip:port"
  std::string_view origin;  // Origin header, may be empty
  transport_kind transport = transport_kind::websocket;
  // True when a client resumes session `sid` with a valid ticket and
  // presents auth again: the hook must answer with the session's identity
  // (else the resume is refused), and the channels it returns replace the
  // session's rights. Not a new session: count and greet only when false.
  bool resume = false;
};

// The connect hook's answer ($connect of API Gateway).
struct connect_result {
  bool admit = true;
  std::string identity;               // who the session belongs to (shown in logs and hooks)
  std::vector<std::string> channels;  // names and "prefix:*" patterns it may use; empty = all
  std::string reason;                 // when refused: sent in the error envelope
};

// A client message handed to a route handler or the default handler. The
// views are valid only during the call.
struct message {
  std::string_view sid;
  std::string_view identity;
  std::string_view route;  // "r", empty for the default handler
  std::string_view data;   // raw JSON text of "d" (or the base64 text of "b")
  bool binary = false;     // true when the client sent "b"
  std::uint64_t seq = 0;   // the client's "c"
};

// Why a session ended: the disconnect hook runs exactly once per session.
enum class end_reason : std::uint8_t {
  closed_by_client,  // the client sent close
  closed_by_server,  // server::close or shutdown
  expired,           // detached longer than the session TTL
  replay_overflow,   // the replay buffer overflowed while the client was away
  rejected,          // the connect hook refused it (disconnect does not run)
};
[[nodiscard]] constexpr std::string_view end_reason_name(end_reason r) noexcept {
  switch (r) {
    case end_reason::closed_by_client:
      return "closed_by_client";
    case end_reason::closed_by_server:
      return "closed_by_server";
    case end_reason::expired:
      return "expired";
    case end_reason::replay_overflow:
      return "replay_overflow";
    case end_reason::rejected:
      return "rejected";
  }
  return "unknown";
}

struct disconnect_info {
  std::string_view sid;
  std::string_view identity;
  end_reason reason = end_reason::closed_by_client;
};

// What send/publish report (STYLE.md 4).
enum class send_status : std::uint8_t {
  ok,            // queued (and kept for replay until acked)
  backpressure,  // queued, but the session's queue is above its soft limit
  dropped,       // not queued: no such session, or the session is closing
};

}  // namespace resock
