// Tests of lib/hub/router.cpp.
#include "hub/router.h"

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

using namespace resock;

void test_routes_and_default(void**) {
  hub::router r;
  assert_null(r.find(""));
  assert_null(r.find("x"));
  std::string hit;
  r.add("echo", [&](const message&) { hit = "echo"; });
  assert_non_null(r.find("echo"));
  assert_null(r.find("other"));  // no default yet: unknown_route
  assert_null(r.find(""));
  r.set_default([&](const message&) { hit = "default"; });
  (*r.find("other"))(message{});
  assert_string_equal(hit.c_str(), "default");
  (*r.find(""))(message{});
  assert_string_equal(hit.c_str(), "default");
  (*r.find("echo"))(message{});
  assert_string_equal(hit.c_str(), "echo");
  // Replacing and removing.
  r.add("echo", [&](const message&) { hit = "echo2"; });
  (*r.find("echo"))(message{});
  assert_string_equal(hit.c_str(), "echo2");
  r.add("echo", nullptr);
  (*r.find("echo"))(message{});
  assert_string_equal(hit.c_str(), "default");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_routes_and_default),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
