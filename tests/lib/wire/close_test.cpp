#include "resock/wire/close.h"

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

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "resock/wire/utf8.h"

namespace {

using resock::errc;
using namespace resock::wire;

std::vector<std::uint8_t> payload(std::uint16_t code, std::string_view reason = {}) {
  // Sized up front: growing a 2-byte vector trips a GCC 12 -Warray-bounds
  // false positive.
  std::vector<std::uint8_t> p(2 + reason.size());
  p[0] = static_cast<std::uint8_t>(code >> 8);
  p[1] = static_cast<std::uint8_t>(code & 0xFF);
  std::copy(reason.begin(), reason.end(), p.begin() + 2);
  return p;
}

void test_valid_close_code_boundaries(void**) {
  struct {
    std::uint16_t code;
    bool valid;
  } const cases[] = {
      {0, false},    {999, false},  {1000, true},   {1001, true}, {1002, true}, {1003, true},
      {1004, false}, {1005, false}, {1006, false},  {1007, true}, {1008, true}, {1009, true},
      {1010, true},  {1011, true},  {1012, true},   {1013, true}, {1014, true}, {1015, false},
      {1016, false}, {2000, false}, {2999, false},  {3000, true}, {3999, true}, {4000, true},
      {4999, true},  {5000, false}, {65535, false},
  };
  for (const auto& c : cases) {
    if (is_valid_close_code(c.code) != c.valid) fail_msg("close code %u", c.code);
  }
  // Exhaustive against the rule stated in close.h.
  for (unsigned code = 0; code <= 0xFFFF; ++code) {
    const bool expect = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                        (code >= 3000 && code <= 4999);
    if (is_valid_close_code(static_cast<std::uint16_t>(code)) != expect) {
      fail_msg("close code %u", code);
    }
  }
}

void test_parse_lengths(void**) {
  close_payload out;
  out.code = 1234;
  out.reason = "stale";
  assert_int_equal(parse_close_payload({}, out), errc::ok);
  assert_int_equal(out.code, close_code::no_status);
  assert_true(out.reason.empty());

  const std::uint8_t one[] = {0x03};
  assert_int_equal(parse_close_payload(one, out), errc::invalid_close_payload);

  const std::uint8_t two[] = {0x03, 0xE8};
  assert_int_equal(parse_close_payload(two, out), errc::ok);
  assert_int_equal(out.code, 1000);
  assert_true(out.reason.empty());

  std::vector<std::uint8_t> too_long(126, 'a');
  too_long[0] = 0x03;
  too_long[1] = 0xE8;
  assert_int_equal(parse_close_payload(too_long, out), errc::invalid_close_payload);
  too_long.pop_back();
  assert_int_equal(parse_close_payload(too_long, out), errc::ok);
  assert_int_equal(out.reason.size(), 123);
}

void test_parse_code_and_reason(void**) {
  close_payload out;
  auto p = payload(4999, "bye \xC3\xA9");
  assert_int_equal(parse_close_payload(p, out), errc::ok);
  assert_int_equal(out.code, 4999);
  assert_int_equal(out.reason.size(), 6);
  assert_memory_equal(out.reason.data(), "bye \xC3\xA9", 6);
  // The reason points into the payload, no copy.
  assert_ptr_equal(out.reason.data(), p.data() + 2);

  for (std::uint16_t bad : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    p = payload(bad, "x");
    assert_int_equal(parse_close_payload(p, out), errc::invalid_close_code);
  }
  // Code is checked before the reason.
  p = payload(1005, "\xFF");
  assert_int_equal(parse_close_payload(p, out), errc::invalid_close_code);

  p = payload(1000, "\xFF");
  assert_int_equal(parse_close_payload(p, out), errc::invalid_utf8);
  p = payload(1000, "ok\xC3");  // truncated 2-byte sequence
  assert_int_equal(parse_close_payload(p, out), errc::invalid_utf8);
  p = payload(1000, "\xED\xA0\x80");  // surrogate
  assert_int_equal(parse_close_payload(p, out), errc::invalid_utf8);
}

void test_write_basic(void**) {
  std::uint8_t buf[125];
  std::memset(buf, 0xAA, sizeof buf);
  assert_int_equal(write_close_payload(buf, 1000, ""), 2);
  assert_int_equal(buf[0], 0x03);
  assert_int_equal(buf[1], 0xE8);
  assert_int_equal(buf[2], 0xAA);

  assert_int_equal(write_close_payload(buf, 4001, "done"), 6);
  const std::uint8_t expect[] = {0x0F, 0xA1, 'd', 'o', 'n', 'e'};
  assert_memory_equal(buf, expect, sizeof expect);

  // No status is represented by an empty payload.
  assert_int_equal(write_close_payload(buf, close_code::no_status, "ignored"), 0);

  // Round trip.
  const std::size_t n = write_close_payload(buf, 1011, "internal \xE2\x82\xAC");
  close_payload out;
  assert_int_equal(parse_close_payload({buf, n}, out), errc::ok);
  assert_int_equal(out.code, 1011);
  assert_true(out.reason == "internal \xE2\x82\xAC");
}

void test_write_truncates_at_code_point(void**) {
  std::uint8_t buf[125];
  // Exactly 123 ASCII bytes fit.
  std::string r(123, 'a');
  assert_int_equal(write_close_payload(buf, 1000, r), 125);
  r.push_back('b');
  assert_int_equal(write_close_payload(buf, 1000, r), 125);
  assert_int_equal(buf[124], 'a');

  // A 4-byte sequence straddling the limit at every possible split.
  const char* smile = "\xF0\x9F\x98\x80";
  for (std::size_t prefix = 119; prefix <= 123; ++prefix) {
    std::string s(prefix, 'x');
    s += smile;
    s += "tail";
    const std::size_t n = write_close_payload(buf, 1001, s);
    const std::size_t expect_reason = prefix + 4 <= 123 ? prefix + 4 : prefix;
    assert_int_equal(n, 2 + expect_reason);
    assert_memory_equal(buf + 2, s.data(), expect_reason);
    assert_true(is_valid_utf8({buf + 2, n - 2}));
  }
  // Long multibyte-only reasons: 2-byte and 3-byte code points.
  std::string two, three;
  for (int i = 0; i < 100; ++i) {
    two += "\xC3\xA9";
    three += "\xE2\x82\xAC";
  }
  assert_int_equal(write_close_payload(buf, 1000, two), 2 + 122);
  assert_true(is_valid_utf8({buf + 2, 122}));
  assert_int_equal(write_close_payload(buf, 1000, three), 2 + 123);
  assert_true(is_valid_utf8({buf + 2, 123}));
  std::string shifted = "a" + three;
  assert_int_equal(write_close_payload(buf, 1000, shifted), 2 + 121);
  assert_true(is_valid_utf8({buf + 2, 121}));
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_close_code_boundaries),   cmocka_unit_test(test_parse_lengths),
      cmocka_unit_test(test_parse_code_and_reason),         cmocka_unit_test(test_write_basic),
      cmocka_unit_test(test_write_truncates_at_code_point),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
