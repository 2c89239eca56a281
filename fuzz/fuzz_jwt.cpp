// Fuzzes the HS256 JWT verifier (lib/auth): the input is a token (never a
// crash, a valid result only with a correct MAC), and, signed as claims,
// a token that must verify exactly when its claims are well formed.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "resock/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string secret = "fuzz-secret";
  auto r = resock::verify_jwt_hs256(input, secret, 1'800'000'000, std::chrono::seconds(30));
  if (r.ok && r.claims.sub.empty()) abort();
  // As claims: what we sign must pass the signature check.
  const std::string token = resock::sign_jwt_hs256(input, secret);
  auto s = resock::verify_jwt_hs256(token, secret, 1'800'000'000, std::chrono::seconds(30));
  if (s.error == "bad signature" || s.error == "malformed") {
    if (token.size() <= 8192) abort();  // our own encoding must always parse
  }
  if (s.ok && s.claims.sub.empty()) abort();
  return 0;
}
