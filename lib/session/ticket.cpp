#include "session/ticket.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "session/base64url.h"

namespace resock::session {
namespace {

constexpr std::string_view kContext = "resock.v1|";

}  // namespace

ticket_key::ticket_key(std::string secret) : secret_(std::move(secret)) {
  if (secret_.empty()) {
    std::array<std::uint8_t, 32> key{};
    // On CSPRNG failure the key stays all zero; tickets still verify but
    // are forgeable, so say so loudly rather than run with a weak key.
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) std::abort();
    secret_.assign(reinterpret_cast<const char*>(key.data()), key.size());
  }
}

std::string ticket_key::issue(std::string_view sid, std::string_view identity) const {
  std::string input;
  input.reserve(kContext.size() + sid.size() + 1 + identity.size());
  input += kContext;
  input += sid;
  input += '|';
  input += identity;
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac.data(),
           &len) == nullptr) {
    return {};
  }
  return base64url_encode({mac.data(), len});
}

bool ticket_key::verify(std::string_view sid, std::string_view identity,
                        std::string_view ticket) const {
  std::string expected = issue(sid, identity);
  // The length of a valid ticket is public (43 characters); only the
  // content comparison must not leak timing.
  if (expected.empty() || expected.size() != ticket.size()) return false;
  return CRYPTO_memcmp(expected.data(), ticket.data(), expected.size()) == 0;
}

}  // namespace resock::session
