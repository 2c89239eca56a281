// Close codes and the close frame payload (RFC 6455 sections 5.5.1, 7.4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "resock/config.h"
#include "resock/error.h"

namespace resock::wire {

namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t no_status = 1005;   // never on the wire
inline constexpr std::uint16_t abnormal = 1006;    // never on the wire
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t message_too_big = 1009;
inline constexpr std::uint16_t mandatory_extension = 1010;
inline constexpr std::uint16_t internal_error = 1011;
inline constexpr std::uint16_t service_restart = 1012;
inline constexpr std::uint16_t try_again_later = 1013;
inline constexpr std::uint16_t bad_gateway = 1014;
inline constexpr std::uint16_t tls_handshake = 1015;  // never on the wire
}  // namespace close_code

// True when `code` may appear in a close frame: 1000-1003, 1007-1014
// (IANA-registered), and 3000-4999. 1004/1005/1006/1015, 0-999, other
// 1xxx/2xxx values and 5000+ are rejected.
[[nodiscard]] RESOCK_API bool is_valid_close_code(std::uint16_t code) noexcept;

struct close_payload {
  std::uint16_t code = close_code::no_status;  // no_status when the payload was empty
  std::string_view reason{};                   // points into the parsed payload
};

// Parses a received close frame payload (at most 125 bytes): empty, or a
// 2-byte code followed by a UTF-8 reason. Returns errc::ok,
// invalid_close_payload (length 1), invalid_close_code, or invalid_utf8.
[[nodiscard]] RESOCK_API errc parse_close_payload(std::span<const std::uint8_t> payload,
                                                  close_payload& out) noexcept;

// Writes a close payload (code, then reason truncated to fit 125 bytes at a
// UTF-8 boundary) into `out` and returns its length. `out` holds >= 125 bytes.
[[nodiscard]] RESOCK_API std::size_t write_close_payload(std::uint8_t* out, std::uint16_t code,
                                                         std::string_view reason) noexcept;

}  // namespace resock::wire
