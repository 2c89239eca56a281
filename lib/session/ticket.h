// Resume tickets: tk = base64url(HMAC-SHA256(secret, "resock.v1|" + sid +
// "|" + identity)). Bound to one session and one identity, so a ticket can
// be neither forged nor replayed for another session; it is not the
// user's credential, so it may appear in URLs (DESIGN.md endpoints).
#pragma once

#include <string>
#include <string_view>

namespace resock::session {

class ticket_key {
 public:
  // `secret` is the HMAC key; empty: 32 random bytes (tickets then survive
  // only as long as this process, which is what a single node needs).
  explicit ticket_key(std::string secret);

  // The ticket of (sid, identity); empty when HMAC failed.
  [[nodiscard]] std::string issue(std::string_view sid, std::string_view identity) const;
  // True when `ticket` is the ticket of (sid, identity). Constant time in
  // the ticket's content (CRYPTO_memcmp), so timing reveals no prefix.
  [[nodiscard]] bool verify(std::string_view sid, std::string_view identity,
                            std::string_view ticket) const;

 private:
  std::string secret_;
};

}  // namespace resock::session
