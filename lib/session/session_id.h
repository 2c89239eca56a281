// Session ids: 16 bytes from OpenSSL's CSPRNG, base64url (22 characters).
// Unguessable, so knowing one id tells nothing about another; the ticket,
// not the id, is what authorises a resume.
#pragma once

#include <cstddef>
#include <string>

namespace resock::session {

inline constexpr std::size_t kSessionIdBytes = 16;
inline constexpr std::size_t kSessionIdLength = 22;

// A fresh id, or an empty string when the CSPRNG failed (RAND_bytes).
[[nodiscard]] std::string make_session_id();

}  // namespace resock::session
