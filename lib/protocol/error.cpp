#include "protocol/error.h"

#include <array>
#include <utility>

namespace resock::protocol {
namespace {

// Indexed by the enum value: the table is the single source of the strings.
constexpr std::array<std::string_view, 12> kNames = {
    "none",           "bad_json",      "bad_envelope",
    "unknown_type",   "too_big",       "unsupported_version",
    "hello_required", "already_hello", "forbidden",
    "unknown_route",  "bad_ticket",    "internal",
};

}  // namespace

std::string_view error_name(error e) noexcept {
  auto i = static_cast<std::size_t>(e);
  return i < kNames.size() ? kNames[i] : std::string_view("internal");
}

std::optional<error> error_from_name(std::string_view name) noexcept {
  for (std::size_t i = 1; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<error>(i);
  }
  return std::nullopt;
}

}  // namespace resock::protocol
