// Close frame payload: 2-byte big-endian code plus a UTF-8 reason
// (RFC 6455 5.5.1), and which codes may travel on the wire (7.4).
#include "resock/wire/close.h"

#include <cstring>

#include "resock/wire/frame.h"
#include "resock/wire/utf8.h"

namespace resock::wire {

bool is_valid_close_code(std::uint16_t code) noexcept {
  // 1004 is reserved, 1005/1006/1015 are local-only markers, 1016-2999 are
  // reserved for future RFCs/IANA: none of them may be received.
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

errc parse_close_payload(std::span<const std::uint8_t> payload, close_payload& out) noexcept {
  out = close_payload{};
  if (payload.empty()) return errc::ok;
  if (payload.size() == 1 || payload.size() > max_control_payload) {
    return errc::invalid_close_payload;
  }
  const auto code = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
  if (!is_valid_close_code(code)) return errc::invalid_close_code;
  const auto reason = payload.subspan(2);
  if (!is_valid_utf8(reason)) return errc::invalid_utf8;
  out.code = code;
  out.reason = {reinterpret_cast<const char*>(reason.data()), reason.size()};
  return errc::ok;
}

std::size_t write_close_payload(std::uint8_t* out, std::uint16_t code,
                                std::string_view reason) noexcept {
  // 1005 means "no code": RFC 6455 7.1.5 represents it as an empty body.
  if (code == close_code::no_status) return 0;
  out[0] = static_cast<std::uint8_t>(code >> 8);
  out[1] = static_cast<std::uint8_t>(code & 0xFF);
  constexpr std::size_t max_reason = max_control_payload - 2;
  std::size_t n = reason.size();
  if (n > max_reason) {
    // Back up to the first byte of the code point that straddles the limit
    // so the peer never sees a truncated sequence (it would fail with 1007).
    n = max_reason;
    while (n > 0 && (static_cast<std::uint8_t>(reason[n]) & 0xC0) == 0x80)
      --n;
  }
  if (n != 0) std::memcpy(out + 2, reason.data(), n);
  return 2 + n;
}

}  // namespace resock::wire
