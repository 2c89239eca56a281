// Tests of lib/hub/rights.cpp and lib/hub/channel_table.h.
#include "hub/rights.h"

#include "hub/channel_table.h"

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

namespace {

using namespace resock::hub;

void test_rights(void**) {
  std::vector<std::string> none;
  assert_true(channel_allowed(none, "anything"));
  std::vector<std::string> p = {"news", "room:*", "user:42:*"};
  assert_true(channel_allowed(p, "news"));
  assert_false(channel_allowed(p, "news2"));
  assert_false(channel_allowed(p, "new"));
  assert_true(channel_allowed(p, "room:1"));
  assert_true(channel_allowed(p, "room:"));
  assert_false(channel_allowed(p, "room"));
  assert_true(channel_allowed(p, "user:42:inbox"));
  assert_false(channel_allowed(p, "user:43:inbox"));
  std::vector<std::string> all = {"*"};
  assert_true(channel_allowed(all, "x"));
}

void test_channel_table(void**) {
  channel_table<int> t;
  auto j = t.join("a", 1);
  assert_true(j.added && j.first);
  j = t.join("a", 1);  // idempotent
  assert_false(j.added);
  j = t.join("a", 2);
  assert_true(j.added && !j.first);
  assert_int_equal(t.members("a").size(), 2);
  assert_true(t.contains("a", 2));
  assert_false(t.contains("b", 2));
  assert_int_equal(t.members("b").size(), 0);
  auto l = t.leave("a", 3);
  assert_false(l.removed);
  l = t.leave("a", 1);
  assert_true(l.removed && !l.last);
  l = t.leave("a", 2);
  assert_true(l.removed && l.last);
  assert_int_equal(t.channel_count(), 0);
  l = t.leave("a", 2);
  assert_false(l.removed);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rights),
      cmocka_unit_test(test_channel_table),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
