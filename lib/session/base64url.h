// base64url without padding (RFC 4648 5): the alphabet of session ids and
// tickets, which travel in URLs (DESIGN.md endpoints ?sid=&tk=).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace resock::session {

[[nodiscard]] std::string base64url_encode(std::span<const std::uint8_t> bytes);

}  // namespace resock::session
