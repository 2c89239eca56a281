// Bearer tokens as HS256 JSON Web Tokens (RFC 7519, RFC 7515), checked at
// connect: the signature (HMAC-SHA256 with a shared secret, compared in
// constant time), "exp" and "nbf" against the clock with a tolerance, and
// "sub" as the session's identity. A "channels" claim (an array of names
// and "prefix:*" patterns) becomes the session's channel rights.
//
// Only HS256 is accepted: the header's "alg" is checked, never trusted to
// pick an algorithm ("none" and RS/HS confusion are refused).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resock/config.h"

namespace resock {

struct jwt_claims {
  std::string sub;
  std::optional<std::vector<std::string>> channels;  // absent: every channel
};

struct jwt_result {
  bool ok = false;
  std::string error;  // short reason when !ok: "malformed", "bad signature", "expired", ...
  jwt_claims claims;
};

// `now` is seconds since the epoch; `skew` is how far exp/nbf may be off.
// Tokens over 8 KiB are refused before any decoding.
[[nodiscard]] RESOCK_API jwt_result verify_jwt_hs256(std::string_view token,
                                                     std::string_view secret, std::int64_t now,
                                                     std::chrono::seconds skew);

// Signs claims JSON (an object's text) as an HS256 token; for tests and
// tools that mint tokens.
[[nodiscard]] RESOCK_API std::string sign_jwt_hs256(std::string_view claims_json,
                                                    std::string_view secret);

}  // namespace resock
