// The stable error codes of protocol v1 (docs/protocol.md "Error codes").
// One enum value per code string of the error envelope; the strings are
// part of the protocol and are never renamed, values are never reused.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace resock::protocol {

enum class error : std::uint8_t {
  none = 0,
  bad_json = 1,             // not JSON, not UTF-8, or not an object
  bad_envelope = 2,         // wrong field type, missing field, sequence gap
  unknown_type = 3,         // "t" names no envelope this side accepts
  too_big = 4,              // over the maximum message size
  unsupported_version = 5,  // hello.v other than 1
  hello_required = 6,       // an envelope before hello
  already_hello = 7,        // a second hello on one connection
  forbidden = 8,            // refused by the connect hook or channel rights
  unknown_route = 9,        // no handler for "r" and no default handler
  bad_ticket = 10,          // a ticket that does not verify
  internal = 11,            // the server failed; the message may be retried
};

// The wire string of `e` ("bad_json", ...); "none" for error::none.
[[nodiscard]] std::string_view error_name(error e) noexcept;
// The enum of a wire string; nullopt for a code this version does not know.
[[nodiscard]] std::optional<error> error_from_name(std::string_view name) noexcept;

}  // namespace resock::protocol
