// The verdict rules of Autobahn (spec §1.4-1.5) without any network: a
// mock connection records what finish_when_done asks for.
#include "compliance/test_case.h"

#include <optional>
#include <string>
#include <vector>

#include "compliance/verdict.h"

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

namespace rc = resock::conformance;
using rc::close_state;
using rc::event;
using rc::verdict;

namespace {

// Records closes; everything else is irrelevant to the verdict logic.
class mock_connection final : public rc::connection {
 public:
  void send_frame(std::uint8_t, std::string_view, const frame_options&) override {}
  void send_message(std::string_view, bool, std::size_t, bool) override {}
  void send_close(std::optional<std::uint16_t> code, std::string_view) override {
    closes.push_back(code);
  }
  void send_close_frame(std::optional<std::uint32_t>, std::optional<std::string_view>) override {}
  void begin_message(bool) override {}
  void begin_message_frame(std::uint64_t) override {}
  void send_message_frame_data(std::string_view) override {}
  void end_message() override {}
  void close_after(double) override {}
  void kill_after(double) override {}
  void continue_later(double, std::function<void()>, std::optional<std::string>) override {}
  bool is_open() const override { return true; }
  void set_wirelog(bool) override {}
  void set_auto_fragment_size(std::size_t) override {}
  void send_raw(std::string_view, std::size_t) override {}
  void drop() override {}
  std::uint64_t tx_frames(std::uint8_t) const override { return 0; }

  std::vector<std::optional<std::uint16_t>> closes;
};

class plain_case final : public rc::test_case {
 public:
  void on_open(rc::connection&) override {}
  // Exposes the protected hook.
  void finish(rc::connection& c) { finish_when_done(c); }
};

// An echo case: expects one message, closes normally.
plain_case echo_case() {
  plain_case tc;
  tc.expected = {{verdict::ok, {event::message("hi")}}};
  tc.expect_close = {true, {1000}, true, false};
  return tc;
}

// A clean close the fuzzer started and the server answered with 1000.
close_state clean_by_me() {
  close_state s;
  s.opened = true;
  s.closed_by_me = true;
  s.was_clean = true;
  s.remote_close_code = 1000;
  return s;
}

void parse_verdict_round_trips(void**) {
  for (verdict v :
       {verdict::ok, verdict::non_strict, verdict::failed, verdict::informational,
        verdict::unimplemented, verdict::wrong_code, verdict::unclean, verdict::failed_by_client}) {
    verdict out = verdict::ok;
    assert_true(rc::parse_verdict(rc::verdict_name(v), out));
    assert_true(out == v);
  }
  verdict out = verdict::ok;
  assert_false(rc::parse_verdict("PASS", out));
  assert_false(rc::parse_verdict("ok", out));  // case matters: it is the report text
  assert_false(rc::parse_verdict("", out));
}

void defaults_before_the_connection_is_lost(void**) {
  plain_case tc;
  assert_true(tc.behavior == verdict::failed);
  assert_true(tc.behavior_close == verdict::failed);
  assert_string_equal(tc.result.c_str(), "Actual events differ from any expected.");
  assert_string_equal(tc.result_close.c_str(),
                      "TCP connection was dropped without close handshake");
}

void all_ok(void**) {
  plain_case tc = echo_case();
  tc.received = {event::message("hi")};
  tc.on_connection_lost(clean_by_me());
  assert_true(tc.behavior == verdict::ok);
  assert_string_equal(tc.result.c_str(), "Actual events match at least one expected.");
  assert_true(tc.behavior_close == verdict::ok);
  assert_string_equal(tc.result_close.c_str(), "Connection was properly closed");
}

void closed_by_wrong_endpoint_fails(void**) {
  plain_case tc = echo_case();
  tc.received = {event::message("hi")};
  close_state s = clean_by_me();
  s.closed_by_me = false;  // the server closed although the fuzzer should have
  tc.on_connection_lost(s);
  assert_true(tc.behavior == verdict::ok);  // not fatal without the UTF-8 flag
  assert_true(tc.behavior_close == verdict::failed);
  assert_string_equal(tc.result_close.c_str(), "The connection was failed by the wrong endpoint");
}

void wrong_endpoint_beats_unclean_and_code(void**) {
  plain_case tc = echo_case();
  close_state s;
  s.opened = true;
  s.closed_by_me = false;
  s.was_clean = false;
  s.remote_close_code = 4999;
  tc.on_connection_lost(s);
  assert_true(tc.behavior_close == verdict::failed);
}

void unclean_when_clean_required(void**) {
  plain_case tc = echo_case();
  close_state s = clean_by_me();
  s.was_clean = false;
  s.remote_close_code = 3000;  // would be WRONG CODE, but UNCLEAN is checked first
  tc.on_connection_lost(s);
  assert_true(tc.behavior_close == verdict::unclean);
  assert_string_equal(tc.result_close.c_str(),
                      "The spec requires the connection to be failed cleanly here");
}

void unclean_is_fine_when_not_required(void**) {
  plain_case tc;
  tc.expect_close = {false, {1002}, false, false};
  close_state s;
  s.opened = true;  // the server just dropped TCP: acceptable for "fail" cases
  tc.on_connection_lost(s);
  assert_true(tc.behavior_close == verdict::ok);
}

void wrong_code(void**) {
  plain_case tc;
  tc.expect_close = {false, {1002, 1007}, false, false};
  close_state s;
  s.opened = true;
  s.was_clean = true;
  s.remote_close_code = 1000;
  tc.on_connection_lost(s);
  assert_true(tc.behavior_close == verdict::wrong_code);
  assert_string_equal(tc.result_close.c_str(),
                      "The close code should have been 1002,1007 or empty");
}

void raw_invalid_code_is_wrong_code(void**) {
  plain_case tc = echo_case();
  close_state s = clean_by_me();
  s.remote_close_code = 999;  // invalid on the wire, kept raw by the engine
  tc.on_connection_lost(s);
  assert_true(tc.behavior_close == verdict::wrong_code);
  s.remote_close_code = 65535;
  plain_case tc2 = echo_case();
  tc2.on_connection_lost(s);
  assert_true(tc2.behavior_close == verdict::wrong_code);
}

void empty_close_has_no_code(void**) {
  plain_case tc;
  tc.expect_close = {false, {1002}, false, false};
  close_state s;
  s.opened = true;
  s.was_clean = true;
  s.remote_close_code = std::nullopt;  // empty close payload
  tc.on_connection_lost(s);
  assert_true(tc.behavior_close == verdict::ok);
}

void dropped_by_client(void**) {
  plain_case tc = echo_case();
  close_state s = clean_by_me();
  s.dropped_by_me = true;  // e.g. killAfter fired in CLOSING: wasClean kept
  tc.on_connection_lost(s);
  assert_true(tc.behavior_close == verdict::failed_by_client);
  assert_string_equal(tc.result_close.c_str(),
                      "It is preferred that the server close the TCP connection");
}

void never_opened(void**) {
  plain_case tc = echo_case();
  close_state s;  // opened = false
  tc.on_connection_lost(s);
  assert_true(tc.behavior == verdict::failed);
  assert_true(tc.behavior_close == verdict::failed);
  assert_string_equal(tc.result_close.c_str(),
                      "The WebSocket opening handshake was never completed!");
}

void wrong_endpoint_fatal_for_utf8_cases(void**) {
  plain_case tc;
  tc.expected = {{verdict::ok, {}}};
  tc.expect_close = {false, {1007}, false, true};
  close_state s;
  s.opened = true;
  s.closed_by_me = true;  // the fuzzer had to close: the server missed the bad UTF-8
  s.was_clean = true;
  tc.on_connection_lost(s);
  assert_true(tc.behavior == verdict::failed);
  assert_true(tc.behavior_close == verdict::failed);

  plain_case good;
  good.expected = {{verdict::ok, {}}};
  good.expect_close = {false, {1007}, false, true};
  s.closed_by_me = false;
  s.remote_close_code = 1007;
  good.on_connection_lost(s);
  assert_true(good.behavior == verdict::ok);
  assert_true(good.behavior_close == verdict::ok);
}

void expected_lists_in_order(void**) {
  const event a = event::timeout("A");
  const event b = event::timeout("B");
  plain_case tc;
  tc.expected = {{verdict::ok, {a}}, {verdict::non_strict, {a, b}}};
  tc.expect_close = {false, {1007}, false, true};
  close_state s;
  s.opened = true;
  tc.received = {a};
  tc.on_connection_lost(s);
  assert_true(tc.behavior == verdict::ok);

  plain_case lenient = tc;
  lenient.behavior = verdict::failed;
  lenient.received = {a, b};
  lenient.on_connection_lost(s);
  assert_true(lenient.behavior == verdict::non_strict);

  // Two identical lists: the first one listed wins.
  plain_case same;
  same.expected = {{verdict::ok, {a}}, {verdict::non_strict, {a}}};
  same.received = {a};
  same.on_connection_lost(s);
  assert_true(same.behavior == verdict::ok);

  plain_case none;
  none.expected = tc.expected;
  none.received = {b};
  none.on_connection_lost(s);
  assert_true(none.behavior == verdict::failed);
  assert_string_equal(none.result.c_str(), "Actual events differ from any expected.");
}

void ping_pong_order_is_exact(void**) {
  plain_case tc;
  tc.expected = {{verdict::ok, {event::pong("p"), event::message("m")}}};
  tc.expect_close = {true, {1000}, true, false};
  tc.received = {event::message("m"), event::pong("p")};
  tc.on_connection_lost(clean_by_me());
  assert_true(tc.behavior == verdict::failed);

  plain_case right = tc;
  right.behavior = verdict::failed;
  right.received = {event::pong("p"), event::message("m")};
  right.on_connection_lost(clean_by_me());
  assert_true(right.behavior == verdict::ok);

  // Payload bytes and the binary flag are part of the comparison.
  plain_case bin = tc;
  bin.expected = {{verdict::ok, {event::message("m", true)}}};
  bin.received = {event::message("m", false)};
  bin.on_connection_lost(clean_by_me());
  assert_true(bin.behavior == verdict::failed);
  assert_false(event::pong("m") == event::message("m"));
}

void finish_when_done_needs_every_list(void**) {
  mock_connection c;
  plain_case tc = echo_case();
  tc.on_message(c, "other", false);
  assert_true(c.closes.empty());
  tc.received.clear();
  tc.on_message(c, "hi", false);  // the default records, then checks
  assert_int_equal(tc.received.size(), 1);
  assert_int_equal(c.closes.size(), 1);
  assert_true(c.closes[0] == std::optional<std::uint16_t>(1000));

  // Two alternative outcomes never auto-close.
  mock_connection c2;
  plain_case two;
  two.expected = {{verdict::ok, {event::pong("x")}},
                  {verdict::non_strict, {event::pong("x"), event::pong("y")}}};
  two.on_pong(c2, "x");
  two.on_pong(c2, "y");
  assert_true(c2.closes.empty());
  assert_int_equal(two.received.size(), 2);
  assert_true(two.received[0] == event::pong("x"));

  // Not when the server is supposed to close, nor with suppress_close.
  mock_connection c3;
  plain_case server_closes = echo_case();
  server_closes.expect_close.closed_by_me = false;
  server_closes.on_message(c3, "hi", false);
  plain_case suppressed = echo_case();
  suppressed.suppress_close = true;
  suppressed.on_message(c3, "hi", false);
  assert_true(c3.closes.empty());

  // The code sent is the first allowed one.
  mock_connection c4;
  plain_case custom = echo_case();
  custom.expect_close.codes = {3000, 1000};
  custom.on_message(c4, "hi", false);
  assert_int_equal(c4.closes.size(), 1);
  assert_true(c4.closes[0] == std::optional<std::uint16_t>(3000));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parse_verdict_round_trips),
      cmocka_unit_test(defaults_before_the_connection_is_lost),
      cmocka_unit_test(all_ok),
      cmocka_unit_test(closed_by_wrong_endpoint_fails),
      cmocka_unit_test(wrong_endpoint_beats_unclean_and_code),
      cmocka_unit_test(unclean_when_clean_required),
      cmocka_unit_test(unclean_is_fine_when_not_required),
      cmocka_unit_test(wrong_code),
      cmocka_unit_test(raw_invalid_code_is_wrong_code),
      cmocka_unit_test(empty_close_has_no_code),
      cmocka_unit_test(dropped_by_client),
      cmocka_unit_test(never_opened),
      cmocka_unit_test(wrong_endpoint_fatal_for_utf8_cases),
      cmocka_unit_test(expected_lists_in_order),
      cmocka_unit_test(ping_pong_order_is_exact),
      cmocka_unit_test(finish_when_done_needs_every_list),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
