// Tests of lib/session/ticket.cpp, session_id.cpp and base64url.cpp.
#include "session/ticket.h"

// cmocka.h needs these, in this order, before it.
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5 (Debian) declares its C functions without an extern "C" guard.
extern "C" {
#include <cmocka.h>
}
// clang-format on

#include <set>
#include <string>
#include <vector>

#include "session/base64url.h"
#include "session/session_id.h"

namespace {

using namespace resock::session;

std::string b64(std::string_view s) {
  return base64url_encode({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

void test_base64url_vectors(void**) {
  // RFC 4648 10, in the URL alphabet without padding.
  assert_string_equal(b64("").c_str(), "");
  assert_string_equal(b64("f").c_str(), "Zg");
  assert_string_equal(b64("fo").c_str(), "Zm8");
  assert_string_equal(b64("foo").c_str(), "Zm9v");
  assert_string_equal(b64("foob").c_str(), "Zm9vYg");
  assert_string_equal(b64("fooba").c_str(), "Zm9vYmE");
  assert_string_equal(b64("foobar").c_str(), "Zm9vYmFy");
  assert_string_equal(b64("\xfb\xff\xfe").c_str(), "-__-");
}

void test_session_ids(void**) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = make_session_id();
    assert_int_equal(id.size(), kSessionIdLength);
    for (char c : id) {
      assert_true((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_');
    }
    assert_true(seen.insert(id).second);
  }
}

void test_ticket_known_answer(void**) {
  // HMAC-SHA256(key="key", "resock.v1|sid|alice"), computed independently:
  //   printf 'resock.v1|sid|alice' | openssl dgst -sha256 -hmac key -binary | basenc --base64url
  //   (minus the "=")
  ticket_key k("key");
  std::string tk = k.issue("sid", "alice");
  assert_int_equal(tk.size(), 43);
  assert_string_equal(tk.c_str(), "GOSM8wxdVQ6_AQZnfDNTOBXOUJIRJR9qG6zPXuFgcTI");
}

void test_ticket_binds_sid_and_identity(void**) {
  ticket_key k(std::string(32, 's'));
  std::string tk = k.issue("S1", "alice");
  assert_true(k.verify("S1", "alice", tk));
  assert_false(k.verify("S2", "alice", tk));
  assert_false(k.verify("S1", "bob", tk));
  // Truncated, empty or altered tickets fail.
  assert_false(k.verify("S1", "alice", tk.substr(0, 42)));
  assert_false(k.verify("S1", "alice", ""));
  std::string flipped = tk;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  assert_false(k.verify("S1", "alice", flipped));
  // Another key: nothing verifies.
  ticket_key other(std::string(32, 't'));
  assert_false(other.verify("S1", "alice", tk));
}

void test_random_key_when_secret_empty(void**) {
  ticket_key a(""), b("");
  std::string tk = a.issue("S", "i");
  assert_true(a.verify("S", "i", tk));
  assert_false(b.verify("S", "i", tk));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_base64url_vectors),
      cmocka_unit_test(test_session_ids),
      cmocka_unit_test(test_ticket_known_answer),
      cmocka_unit_test(test_ticket_binds_sid_and_identity),
      cmocka_unit_test(test_random_key_when_secret_empty),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
