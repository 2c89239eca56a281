// Tests of lib/session/replay_buffer.cpp.
#include "session/replay_buffer.h"

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

#include <memory>
#include <string>

namespace {

using namespace resock::session;

payload_ptr body(std::size_t n) {
  return std::make_shared<const std::string>(n, 'x');
}

void test_count_bound(void**) {
  replay_buffer r;
  replay_bounds b{.max_messages = 3, .max_bytes = 1000};
  assert_true(r.push({1, body(1)}, b));
  assert_true(r.push({2, body(1)}, b));
  assert_true(r.push({3, body(1)}, b));
  assert_false(r.push({4, body(1)}, b));  // refused, nothing changes
  assert_int_equal(r.size(), 3);
  assert_int_equal(r.last_seq(), 3);
  r.trim(1);
  assert_true(r.push({4, body(1)}, b));
  assert_int_equal(r.first_seq(), 2);
}

void test_byte_bound(void**) {
  replay_buffer r;
  replay_bounds b{.max_messages = 100, .max_bytes = 10};
  assert_true(r.push({1, body(6)}, b));
  assert_false(r.push({2, body(5)}, b));
  assert_true(r.push({2, body(4)}, b));
  assert_int_equal(r.bytes(), 10);
  r.trim(1);
  assert_int_equal(r.bytes(), 4);
  // One message larger than the whole bound can never be kept.
  assert_false(r.push({3, body(11)}, b));
}

void test_after_and_trim(void**) {
  replay_buffer r;
  replay_bounds b;
  for (std::uint64_t s = 1; s <= 10; ++s)
    assert_true(r.push({s, body(s)}, b));
  auto v = r.after(7);
  assert_int_equal(v.size(), 3);
  assert_int_equal(v[0].seq, 8);
  assert_int_equal(r.after(0).size(), 10);
  assert_int_equal(r.after(10).size(), 0);
  assert_int_equal(r.after(99).size(), 0);
  r.trim(5);
  assert_int_equal(r.first_seq(), 6);
  assert_int_equal(r.after(2).size(), 5);  // before the first: everything retained
  r.trim(100);
  assert_true(r.empty());
  assert_int_equal(r.bytes(), 0);
  assert_int_equal(r.first_seq(), 0);
}

void test_bodies_are_shared(void**) {
  replay_buffer a, b;
  auto shared = body(100);
  assert_true(a.push({1, shared}, {}));
  assert_true(b.push({1, shared}, {}));
  assert_int_equal(shared.use_count(), 3);  // no copy of the bytes
  assert_ptr_equal(a.after(0)[0].body.get(), shared.get());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_count_bound),
      cmocka_unit_test(test_byte_bound),
      cmocka_unit_test(test_after_and_trim),
      cmocka_unit_test(test_bodies_are_shared),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
