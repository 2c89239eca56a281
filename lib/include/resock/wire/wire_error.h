// What a codec step reports when the peer broke the protocol: the error,
// the close code to send, and a short static reason for the close frame.
#pragma once

#include <cstdint>

#include "resock/error.h"

namespace resock::wire {

struct wire_error {
  errc code = errc::ok;
  std::uint16_t close_code = 0;  // RFC 6455 7.4.1 code to send, e.g. 1002
  const char* reason = "";       // static string, fits a close frame (< 123 bytes)

  [[nodiscard]] explicit operator bool() const noexcept { return code != errc::ok; }
};

// Builds the wire_error for `e` with close_code_for(e) and describe(e).
[[nodiscard]] inline wire_error make_wire_error(errc e) noexcept {
  return {e, close_code_for(e), describe(e)};
}

}  // namespace resock::wire
