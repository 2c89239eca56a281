#include "resock/jwt.h"

// cmocka.h needs these, in this order, before it.
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

#include <string>

namespace {

using resock::sign_jwt_hs256;
using resock::verify_jwt_hs256;
using std::chrono::seconds;

constexpr std::int64_t k_now = 1'800'000'000;
const std::string k_secret = "test-secret-of-some-length";

std::string token(const std::string& claims) {
  return sign_jwt_hs256(claims, k_secret);
}

void expect_error(const std::string& tok, const char* error, std::string_view secret = k_secret) {
  auto r = verify_jwt_hs256(tok, secret, k_now, seconds(30));
  if (r.ok || r.error != error)
    fail_msg("%s: got %s (%s)", error, r.ok ? "ok" : "error", r.error.c_str());
}

void rfc7515_a1_signature(void**) {
  // RFC 7515 appendix A.1: an HS256 JWS and its key. It has no "sub" and
  // expired in 2011, so with its own clock it passes the signature and
  // stops at "no sub"; one bit off in the key and it is a bad signature.
  const std::string tok =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ."
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const unsigned char key[] = {0x03, 0x23, 0x35, 0x4b, 0x2b, 0x0f, 0xa5, 0xbc, 0x83, 0x7e, 0x06,
                               0x65, 0x77, 0x7b, 0xa6, 0x8f, 0x5a, 0xb3, 0x28, 0xe6, 0xf0, 0x54,
                               0xc9, 0x28, 0xa9, 0x0f, 0x84, 0xb2, 0xd2, 0x50, 0x2e, 0xbf, 0xd3,
                               0xfb, 0x5a, 0x92, 0xd2, 0x06, 0x47, 0xef, 0x96, 0x8a, 0xb4, 0xc3,
                               0x77, 0x62, 0x3d, 0x22, 0x3d, 0x2e, 0x21, 0x72, 0x05, 0x2e, 0x4f,
                               0x08, 0xc0, 0xcd, 0x9a, 0xf5, 0x67, 0xd0, 0x80, 0xa3};
  std::string k(reinterpret_cast<const char*>(key), sizeof key);
  auto r = verify_jwt_hs256(tok, k, 1300819000, seconds(0));
  assert_false(r.ok);
  assert_string_equal(r.error.c_str(), "no sub");
  k[0] ^= 1;
  r = verify_jwt_hs256(tok, k, 1300819000, seconds(0));
  assert_string_equal(r.error.c_str(), "bad signature");
}

void valid_token(void**) {
  auto r =
      verify_jwt_hs256(token(R"({"sub":"alice","exp":1800000100,"channels":["chat","room:*"]})"),
                       k_secret, k_now, seconds(30));
  assert_true(r.ok);
  assert_string_equal(r.claims.sub.c_str(), "alice");
  assert_true(r.claims.channels.has_value());
  assert_int_equal(r.claims.channels->size(), 2);
  assert_string_equal((*r.claims.channels)[1].c_str(), "room:*");
  // No channels claim: no restriction.
  r = verify_jwt_hs256(token(R"({"sub":"bob","exp":1800000100})"), k_secret, k_now, seconds(0));
  assert_true(r.ok && !r.claims.channels.has_value());
}

void time_claims(void**) {
  const std::string just_expired = token(R"({"sub":"a","exp":1799999990})");
  assert_false(verify_jwt_hs256(just_expired, k_secret, k_now, seconds(0)).ok);
  assert_true(verify_jwt_hs256(just_expired, k_secret, k_now, seconds(30)).ok);
  assert_false(verify_jwt_hs256(token(R"({"sub":"a","exp":1800000000})"), k_secret, k_now,
                                seconds(0))
                   .ok);  // exp == now is expired (RFC 7519 4.1.4: "on or after")
  const std::string future = token(R"({"sub":"a","exp":1800009999,"nbf":1800000020})");
  auto r = verify_jwt_hs256(future, k_secret, k_now, seconds(0));
  assert_string_equal(r.error.c_str(), "not yet valid");
  assert_true(verify_jwt_hs256(future, k_secret, k_now, seconds(30)).ok);
}

void refused(void**) {
  expect_error(token(R"({"sub":"a"})"), "no exp");
  expect_error(token(R"({"exp":1800000100})"), "no sub");
  expect_error(token(R"({"sub":"","exp":1800000100})"), "no sub");
  expect_error(token(R"({"sub":"a","exp":"soon"})"), "malformed exp");
  expect_error(token(R"({"sub":"a","exp":1800000100,"channels":"chat"})"), "malformed channels");
  expect_error(token(R"({"sub":"a","exp":1800000100,"channels":[1]})"), "malformed channels");
  expect_error(token(R"({"sub":"a","exp":1800000100})"), "bad signature", "another-secret");
  expect_error("", "no token");
  expect_error("a.b", "malformed");
  expect_error("a.b.c.d", "malformed");
  expect_error("!!.e30.AAAA", "malformed");
  expect_error(std::string(9000, 'a'), "token too long");
  // alg "none" with an empty signature, and a token whose header says HS512.
  expect_error("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwiZXhwIjoxODAwMDAwMTAwfQ.",
               "algorithm not HS256");
  expect_error("eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJhIiwiZXhwIjoxODAwMDAwMTAwfQ.AAAA",
               "algorithm not HS256");
  // A valid token with one character of the payload changed.
  std::string tok = token(R"({"sub":"alice","exp":1800000100})");
  tok[tok.find('.') + 3] ^= 0x01;
  auto r = verify_jwt_hs256(tok, k_secret, k_now, seconds(30));
  assert_false(r.ok);
  assert_true(r.error == "bad signature" || r.error == "malformed");
}

}  // namespace

int main() {
  const CMUnitTest tests[] = {
      cmocka_unit_test(rfc7515_a1_signature),
      cmocka_unit_test(valid_token),
      cmocka_unit_test(time_claims),
      cmocka_unit_test(refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
