// resock's one error enum. Values are stable: a retired value is never
// reused, new ones are appended inside their group. Errors compare equal
// to the broad conditions in `resock::condition` so callers can branch on
// "was this a protocol violation" without listing every code.
#pragma once

#include <cstdint>
#include <system_error>

#include "resock/config.h"

namespace resock {

enum class errc : int {
  ok = 0,

  // 100-199: the peer broke RFC 6455 framing (protocol_violation).
  reserved_bits_set = 100,     // RSV1-3 set without an extension claiming them
  unknown_opcode = 101,        // opcode 3-7 or 11-15
  fragmented_control = 102,    // control frame with FIN clear
  control_too_long = 103,      // control frame payload > 125
  length_msb_set = 104,        // 64-bit length with the top bit set
  length_not_minimal = 105,    // length not in the shortest form (RFC 6455 5.2)
  mask_required = 106,         // unmasked frame from a client
  mask_forbidden = 107,        // masked frame from a server
  unexpected_continuation = 108,  // continuation frame with no message started
  expected_continuation = 109,    // new data frame inside a fragmented message
  invalid_utf8 = 110,             // text message or close reason not UTF-8
  invalid_close_payload = 111,    // close payload of length 1
  invalid_close_code = 112,       // close code not allowed on the wire

  // 200-299: the opening handshake failed (handshake_failed).
  http_malformed = 200,        // request/status line or header syntax
  http_head_too_large = 201,   // head longer than the configured limit
  http_too_many_headers = 202,
  handshake_not_get = 203,     // method other than GET
  handshake_http_version = 204,  // HTTP version below 1.1
  handshake_no_upgrade = 205,    // Upgrade header lacks the websocket token
  handshake_no_connection = 206, // Connection header lacks the upgrade token
  handshake_no_key = 207,        // Sec-WebSocket-Key missing
  handshake_bad_key = 208,       // key is not base64 of 16 bytes
  handshake_bad_version = 209,   // Sec-WebSocket-Version other than 13
  handshake_no_host = 210,       // Host header missing
  handshake_bad_status = 211,    // response status other than 101
  handshake_bad_accept = 212,    // Sec-WebSocket-Accept does not match the key
  handshake_unoffered_protocol = 213,   // server chose a subprotocol not offered
  handshake_unoffered_extension = 214,  // server chose an extension not offered

  // 300-399: the connection ended or could not be made (transport_closed).
  connection_closed = 300,
  connection_refused = 301,
  connection_timeout = 302,
  tls_failed = 303,
  resolve_failed = 304,

  // 400-499: a configured limit was exceeded (limit_exceeded).
  frame_too_big = 400,
  message_too_big = 401,
};

// Broad groups an errc belongs to (Beast's websocket::condition idea).
enum class condition : int {
  protocol_violation = 1,
  handshake_failed = 2,
  transport_closed = 3,
  limit_exceeded = 4,
};

RESOCK_API const std::error_category& error_category() noexcept;
RESOCK_API const std::error_category& condition_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}
inline std::error_condition make_error_condition(condition c) noexcept {
  return {static_cast<int>(c), condition_category()};
}

// The RFC 6455 close code an endpoint sends when it fails the connection
// because of `e`: 1007 for bad UTF-8, 1009 for size limits, 1002 for other
// framing errors, 1006 (never sent, "abnormal") for everything else.
[[nodiscard]] RESOCK_API std::uint16_t close_code_for(errc e) noexcept;

// A short, static, human-readable reason for `e` (never null).
[[nodiscard]] RESOCK_API const char* describe(errc e) noexcept;

}  // namespace resock

template <>
struct std::is_error_code_enum<resock::errc> : std::true_type {};
template <>
struct std::is_error_condition_enum<resock::condition> : std::true_type {};
