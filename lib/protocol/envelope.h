// One decoded envelope of protocol v1 (docs/protocol.md). A plain
// aggregate: the decoder fills the fields its type uses and leaves the
// rest at their defaults. `data` is a view into the decoded input (the raw
// JSON text of "d", or the base64 text of "b"), so the input must outlive
// the envelope; every other field owns its bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/error.h"

namespace resock::protocol {

inline constexpr int kVersion = 1;
// Channel and route names longer than this are refused (bad_envelope):
// they are map keys and log fields, not payloads.
inline constexpr std::size_t kMaxNameSize = 256;

enum class type : std::uint8_t {
  hello,     // c→s
  welcome,   // s→c
  msg,       // both
  ack,       // both
  sub,       // c→s
  unsub,     // c→s
  suback,    // s→c
  unsuback,  // s→c
  ping,      // both
  pong,      // both
  error,     // s→c
  close,     // both
};

// Who wrote the envelope: a decoder accepts only the types that side sends.
enum class sender : std::uint8_t { client, server };

[[nodiscard]] std::string_view type_name(type t) noexcept;

// The limits a welcome announces.
struct limits {
  std::uint64_t max_message = 0;
  std::uint64_t replay_messages = 0;
  std::uint64_t replay_bytes = 0;
  std::uint64_t ttl = 0;  // ms
  bool operator==(const limits&) const = default;
};

struct envelope {
  type t = type::ping;

  // msg: "c" (client) or "s" (server); ack: "s" (client) or "c" (server);
  // error: "c" when has_seq.
  std::uint64_t seq = 0;
  bool has_seq = false;      // error only: "c" present
  std::string channel;       // "ch": msg, sub, unsub, suback, unsuback, error
  bool has_channel = false;  // "ch" present (an empty name is refused)
  std::string route;         // "r": client msg
  bool has_route = false;
  std::string_view data;  // msg: raw JSON text of "d", or the base64 text of "b"
  bool binary = false;    // msg: "b" instead of "d"

  // hello
  std::uint64_t version = 0;  // hello.v, welcome.v
  std::string auth;
  bool has_resume = false;
  // hello.resume.sid / welcome.sid, hello.resume.tk / welcome.tk
  std::string sid;
  std::string ticket;
  // hello.resume.ack (server seq delivered) / welcome.ack (client seq processed)
  std::uint64_t ack = 0;

  // welcome
  std::uint64_t heartbeat = 0;  // hb, ms
  bool resumed = false;
  bool has_limits = false;
  limits lim;
  std::string lost;  // "expired" | "overflow" | "unknown" | "ticket" | ""

  // error: the code as an enum and as sent (an unknown code keeps its text
  // and maps to error::internal); text = "msg"
  error code = error::none;
  std::string code_text;
  // error.msg / close.reason
  std::string text;

  // close
  std::uint16_t close_code = 0;
};

}  // namespace resock::protocol
