#include "session/session_id.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>

#include "session/base64url.h"

namespace resock::session {

std::string make_session_id() {
  std::array<std::uint8_t, kSessionIdBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return {};
  return base64url_encode(bytes);
}

}  // namespace resock::session
