// The session delivery contract over the in-memory transport. The checks
// live in session_contract.cpp and take a link factory, so each real
// transport's test runs the same suite with its own factory.
#include "session_contract.h"

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

#include <string>

namespace {

using namespace resock::test;

memory_link_factory memory;

void expect_ok(const std::string& failure) {
  if (!failure.empty()) fail_msg("[%s] %s", memory.name(), failure.c_str());
}

void test_exactly_once(void**) {
  for (unsigned seed : {1u, 2u, 12345u}) {
    expect_ok(check_exactly_once(memory, {.seed = seed, .iterations = 20000, .clients = 3}));
  }
}
void test_ttl_expiry(void**) {
  expect_ok(check_ttl_expiry(memory));
}
void test_overflow_while_away(void**) {
  expect_ok(check_overflow_while_away(memory));
}
void test_overflow_while_attached(void**) {
  expect_ok(check_overflow_while_attached(memory));
}
void test_bad_tickets(void**) {
  expect_ok(check_bad_tickets(memory));
}
void test_malformed_envelopes(void**) {
  expect_ok(check_malformed_envelopes(memory));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exactly_once),        cmocka_unit_test(test_ttl_expiry),
      cmocka_unit_test(test_overflow_while_away), cmocka_unit_test(test_overflow_while_attached),
      cmocka_unit_test(test_bad_tickets),         cmocka_unit_test(test_malformed_envelopes),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
