// Tests of lib/session/fifo.h: FIFO order across wrap-around, growth and
// shrinking, memory given back, and element lifetimes (no leak, no double
// destroy: run under ASan too).
#include "session/fifo.h"

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

#include <memory>
#include <string>
#include <vector>

namespace {

using resock::session::fifo;

void test_empty_holds_nothing(void**) {
  fifo<std::string> q;
  assert_true(q.empty());
  assert_int_equal(q.capacity(), 0);
  q.push_back("a");
  q.pop_front();
  assert_true(q.empty());
  assert_int_equal(q.capacity(), 4);  // the smallest buffer stays: no churn per message
  q.clear();
  assert_int_equal(q.capacity(), 0);
}

void test_order_across_wrap_and_growth(void**) {
  fifo<std::string> q;
  std::uint64_t next_in = 0, next_out = 0;
  // Interleaved pushes and pops make head wrap at every capacity.
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < round % 13 + 1; ++i)
      q.push_back(std::to_string(next_in++) + std::string(40, 'x'));  // heap strings
    for (int i = 0; i < round % 7 && !q.empty(); ++i) {
      assert_string_equal(q.front().substr(0, q.front().size() - 40).c_str(),
                          std::to_string(next_out).c_str());
      q.pop_front();
      ++next_out;
    }
    assert_int_equal(q.size(), next_in - next_out);
    if (!q.empty()) {
      assert_true(q.back().rfind(std::to_string(next_in - 1), 0) == 0);
      assert_true(q[0] == q.front());
    }
  }
  while (!q.empty()) {
    assert_true(q.front().rfind(std::to_string(next_out++), 0) == 0);
    q.pop_front();
  }
  assert_int_equal(next_out, next_in);
}

// Pushing one of its own elements while it must grow (the argument is a
// reference into the old buffer).
void test_push_own_element_while_growing(void**) {
  fifo<std::string> q;
  for (int i = 0; i < 4; ++i)
    q.push_back("element number " + std::to_string(i) + " with a heap buffer");
  assert_int_equal(q.size(), q.capacity());
  q.push_back(q.front());
  assert_int_equal(q.size(), 5);
  assert_true(q.back() == q.front());
  assert_true(q.back() == "element number 0 with a heap buffer");
}

void test_gives_memory_back(void**) {
  fifo<int> q;
  for (int i = 0; i < 10000; ++i)
    q.push_back(i);
  assert_int_equal(q.capacity(), 16384);
  for (int i = 0; i < 9990; ++i) {
    assert_int_equal(q.front(), i);
    q.pop_front();
  }
  assert_true(q.capacity() <= 64);  // a burst does not pin its high-water mark
  assert_int_equal(q.front(), 9990);
  assert_int_equal(q.back(), 9999);
}

void test_lifetimes_and_move(void**) {
  auto token = std::make_shared<int>(7);
  {
    fifo<std::shared_ptr<int>> a;
    for (int i = 0; i < 5; ++i)
      a.push_back(token);
    assert_int_equal(token.use_count(), 6);
    fifo<std::shared_ptr<int>> b(std::move(a));
    assert_true(a.empty());
    assert_int_equal(b.size(), 5);
    b.pop_front();
    assert_int_equal(token.use_count(), 5);
    std::vector<std::shared_ptr<int>> v(3, token);
    b.assign(v.begin(), v.end());
    assert_int_equal(b.size(), 3);
    assert_int_equal(token.use_count(), 7);  // 3 in b, 3 in v, 1 here
  }
  assert_int_equal(token.use_count(), 1);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_holds_nothing),
      cmocka_unit_test(test_order_across_wrap_and_growth),
      cmocka_unit_test(test_push_own_element_while_growing),
      cmocka_unit_test(test_gives_memory_back),
      cmocka_unit_test(test_lifetimes_and_move),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
