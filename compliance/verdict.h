// Autobahn's verdict vocabulary (case.py): the strings are part of the
// report format and must not change.
#pragma once

#include <cstdint>
#include <string_view>

namespace resock::conformance {

enum class verdict : std::uint8_t {
  ok,
  non_strict,
  failed,
  informational,
  unimplemented,
  wrong_code,        // behaviorClose only
  unclean,           // behaviorClose only
  failed_by_client,  // behaviorClose only
};

// "OK", "NON-STRICT", "FAILED", "INFORMATIONAL", "UNIMPLEMENTED",
// "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT".
[[nodiscard]] constexpr std::string_view verdict_name(verdict v) noexcept {
  switch (v) {
    case verdict::ok: return "OK";
    case verdict::non_strict: return "NON-STRICT";
    case verdict::failed: return "FAILED";
    case verdict::informational: return "INFORMATIONAL";
    case verdict::unimplemented: return "UNIMPLEMENTED";
    case verdict::wrong_code: return "WRONG CODE";
    case verdict::unclean: return "UNCLEAN";
    case verdict::failed_by_client: return "FAILED BY CLIENT";
  }
  return "FAILED";
}

// Parses a verdict name; returns false for an unknown string.
[[nodiscard]] bool parse_verdict(std::string_view name, verdict& out) noexcept;

}  // namespace resock::conformance
