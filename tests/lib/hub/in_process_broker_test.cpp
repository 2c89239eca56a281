// Tests of lib/hub/in_process_broker.cpp (the broker seam of broker.h).
#include "hub/in_process_broker.h"

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
#include <vector>

namespace {

using namespace resock::core;
using namespace std::chrono_literals;
using time_point = std::chrono::steady_clock::time_point;

void test_fanout_only_to_subscribed_channels(void**) {
  in_process_broker b;
  std::vector<std::string> got;
  b.set_delivery([&](std::string_view ch, const payload_ptr& body) {
    got.push_back(std::string(ch) + "=" + *body);
  });
  auto body = std::make_shared<const std::string>("x");
  b.publish("a", body);
  assert_true(got.empty());
  b.subscribe("a");
  b.publish("a", body);
  b.publish("b", body);
  assert_int_equal(got.size(), 1);
  assert_string_equal(got[0].c_str(), "a=x");
  b.unsubscribe("a");
  b.publish("a", body);
  assert_int_equal(got.size(), 1);
}

void test_state_and_tombstones(void**) {
  time_point now(1h);
  in_process_broker b([&] { return now; });
  session_state s;
  s.sid = "S";
  s.identity = "alice";
  s.next_s = 5;
  b.save(s);
  bool found = false;
  b.load("S", [&](const session_state* st) {
    found = st != nullptr && st->identity == "alice" && st->next_s == 5;
  });
  assert_true(found);
  b.load("T", [&](const session_state* st) { found = st != nullptr; });
  assert_false(found);
  // A detached session past its expiry is still returned (the core
  // expires it); a tombstone past its TTL is not.
  s.expiry = now + 1s;
  b.save(s);
  session_state tomb;
  tomb.sid = "D";
  tomb.lost = "overflow";
  tomb.expiry = now + 1s;
  b.save(tomb);
  now += 2s;
  b.load("S", [&](const session_state* st) { found = st != nullptr; });
  assert_true(found);
  b.load("D", [&](const session_state* st) { found = st != nullptr; });
  assert_false(found);
  b.erase("S");
  b.load("S", [&](const session_state* st) { found = st != nullptr; });
  assert_false(found);
}

void test_replay_log(void**) {
  in_process_broker b;
  replay_bounds bounds{.max_messages = 3, .max_bytes = 100};
  auto body = std::make_shared<const std::string>("abc");
  for (std::uint64_t s = 1; s <= 3; ++s) {
    assert_int_equal(static_cast<int>(b.append("S", {s, body}, bounds)),
                     static_cast<int>(append_status::ok));
  }
  assert_int_equal(static_cast<int>(b.append("S", {4, body}, bounds)),
                   static_cast<int>(append_status::overflow));
  std::uint64_t first = 0;
  std::size_t n = 0;
  b.read("S", 1, [&](std::uint64_t f, std::vector<replay_entry> e) {
    first = f;
    n = e.size();
  });
  assert_int_equal(first, 1);
  assert_int_equal(n, 2);
  b.trim("S", 2);
  b.read("S", 0, [&](std::uint64_t f, std::vector<replay_entry> e) {
    first = f;
    n = e.size();
  });
  assert_int_equal(first, 3);
  assert_int_equal(n, 1);
  b.read("nobody", 0, [&](std::uint64_t f, std::vector<replay_entry> e) {
    first = f;
    n = e.size();
  });
  assert_int_equal(first, 0);
  assert_int_equal(n, 0);
  assert_int_equal(b.log_count(), 1);
  b.erase("S");
  assert_int_equal(b.log_count(), 0);
}

// The running totals behind /metrics follow every append, refused
// append, trim and erase, across sessions.
void test_replay_usage_totals(void**) {
  in_process_broker b;
  replay_bounds bounds{.max_messages = 3, .max_bytes = 100};
  auto body = std::make_shared<const std::string>("abcd");
  for (std::uint64_t s = 1; s <= 3; ++s) {
    (void)b.append("A", {s, body}, bounds);
    (void)b.append("B", {s, body}, bounds);
  }
  (void)b.append("A", {4, body}, bounds);  // refused: the totals do not move
  assert_int_equal(b.replay_total().messages, 6);
  assert_int_equal(b.replay_total().bytes, 6 * body->size());
  assert_int_equal(b.replay_of("A").messages, 3);
  b.trim("A", 2);
  assert_int_equal(b.replay_of("A").messages, 1);
  assert_int_equal(b.replay_total().messages, 4);
  b.erase("B");
  assert_int_equal(b.replay_total().messages, 1);
  assert_int_equal(b.replay_total().bytes, body->size());
  assert_int_equal(b.replay_of("B").messages, 0);
  b.erase("A");
  assert_int_equal(b.replay_total().messages, 0);
  assert_int_equal(b.replay_total().bytes, 0);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fanout_only_to_subscribed_channels),
      cmocka_unit_test(test_state_and_tombstones),
      cmocka_unit_test(test_replay_log),
      cmocka_unit_test(test_replay_usage_totals),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
