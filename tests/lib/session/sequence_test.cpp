// Tests of lib/session/{sequence,ack_policy,unacked_queue}.h.
#include "session/sequence.h"

// Before cmocka.h: its fail() macro breaks <ios>, which <chrono> pulls in.
#include <chrono>

#include "session/ack_policy.h"
#include "session/unacked_queue.h"

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

using namespace resock::session;
using namespace std::chrono_literals;

void test_inbound_sequence(void**) {
  inbound_sequence s;
  assert_int_equal(static_cast<int>(s.classify(0)), static_cast<int>(seq_verdict::duplicate));
  assert_int_equal(static_cast<int>(s.classify(1)), static_cast<int>(seq_verdict::next));
  assert_int_equal(static_cast<int>(s.classify(2)), static_cast<int>(seq_verdict::gap));
  s.accept(1);
  assert_int_equal(static_cast<int>(s.classify(1)), static_cast<int>(seq_verdict::duplicate));
  assert_int_equal(static_cast<int>(s.classify(2)), static_cast<int>(seq_verdict::next));
  s.reset(41);
  assert_int_equal(s.last(), 41);
  assert_int_equal(static_cast<int>(s.classify(42)), static_cast<int>(seq_verdict::next));
}

void test_ack_every_n(void**) {
  ack_policy p(3, 100ms);
  auto t = std::chrono::steady_clock::time_point(1h);
  assert_false(p.due(t));
  assert_true(p.deadline() == std::chrono::steady_clock::time_point::max());
  p.received(t);
  p.received(t);
  assert_false(p.due(t));
  p.received(t);
  assert_true(p.due(t));
  p.sent();
  assert_false(p.due(t));
  assert_false(p.pending());
}

void test_ack_interval(void**) {
  ack_policy p(100, 100ms);
  auto t = std::chrono::steady_clock::time_point(1h);
  p.received(t);
  p.received(t + 50ms);
  // The interval runs from the first unacked receipt.
  assert_true(p.deadline() == t + 100ms);
  assert_false(p.due(t + 99ms));
  assert_true(p.due(t + 100ms));
}

void test_ack_every_zero_means_one(void**) {
  ack_policy p(0, 100ms);
  p.received({});
  assert_true(p.due({}));
}

void test_unacked_queue(void**) {
  unacked_queue q;
  q.push(1, "a");
  q.push(2, "b");
  q.push(3, "c");
  assert_string_equal(q.next_unsent()->envelope.c_str(), "a");
  q.mark_sent();
  q.mark_sent();
  assert_string_equal(q.next_unsent()->envelope.c_str(), "c");
  // The server processed 1: the cursor keeps pointing at "c".
  assert_int_equal(q.ack(1), 1);
  assert_string_equal(q.next_unsent()->envelope.c_str(), "c");
  // A new connection resends from the oldest unacked.
  q.rewind();
  assert_int_equal(q.next_unsent()->c, 2);
  assert_int_equal(q.ack(3), 2);
  assert_null(q.next_unsent());
  assert_true(q.empty());
  assert_int_equal(q.ack(99), 0);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_inbound_sequence), cmocka_unit_test(test_ack_every_n),
      cmocka_unit_test(test_ack_interval),     cmocka_unit_test(test_ack_every_zero_means_one),
      cmocka_unit_test(test_unacked_queue),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
