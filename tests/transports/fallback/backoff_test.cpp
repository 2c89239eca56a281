// Tests of the reconnect backoff: the window doubles from min up to max,
// never overflows, and every delay is drawn from the whole window (full
// jitter), so reconnecting clients spread out.
#include "fallback/backoff.h"

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

using namespace std::chrono_literals;
using resock::fallback::backoff;
using resock::fallback::backoff_bound;

namespace {

void bound_doubles_then_caps(void**) {
  assert_int_equal(backoff_bound(100ms, 10000ms, 0).count(), 100);
  assert_int_equal(backoff_bound(100ms, 10000ms, 1).count(), 200);
  assert_int_equal(backoff_bound(100ms, 10000ms, 6).count(), 6400);
  assert_int_equal(backoff_bound(100ms, 10000ms, 7).count(), 10000);
  assert_int_equal(backoff_bound(100ms, 10000ms, 4000000000u).count(), 10000);  // no overflow
  assert_int_equal(backoff_bound(0ms, 10000ms, 3).count(), 0);
  assert_int_equal(backoff_bound(500ms, 100ms, 3).count(), 500);  // max below min: min wins
}

void delays_stay_in_window_and_spread(void**) {
  backoff b(100ms, 1000ms);
  for (int round = 0; round < 200; ++round) {
    b.reset();
    for (std::uint32_t retry = 0; retry < 8; ++retry) {
      auto d = b.next();
      assert_true(d.count() >= 0);
      assert_true(d <= backoff_bound(100ms, 1000ms, retry));
    }
    assert_int_equal(b.retries(), 8);
  }
  // Full jitter: over many draws of the capped window, both ends are hit.
  bool low = false, high = false;
  for (int i = 0; i < 2000; ++i) {
    backoff c(100ms, 1000ms);
    for (int k = 0; k < 5; ++k)
      (void)c.next();
    auto d = c.next();  // window [0, 1000]
    low = low || d.count() < 100;
    high = high || d.count() > 900;
  }
  assert_true(low);
  assert_true(high);
}

}  // namespace

int main() {
  const CMUnitTest tests[] = {
      cmocka_unit_test(bound_doubles_then_caps),
      cmocka_unit_test(delays_stay_in_window_and_spread),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
