#include "compliance/expectations.h"

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace resock::conformance;

case_result result(const char* id, verdict b, verdict bc) {
  case_result r;
  r.id = id;
  r.behavior = b;
  r.behavior_close = bc;
  return r;
}

void test_parse(void**) {
  expectation_map m;
  std::string error;
  const char* text =
      "# python websockets\n"
      "\n"
      "1.1.1  OK/OK\n"
      "2.10   FAILED/OK   # answers only the latest ping\n"
      "7.9.1\tOK/WRONG CODE\n"
      "7.13.1 INFORMATIONAL/INFORMATIONAL\r\n"
      "3.4 OK|NON-STRICT/OK|FAILED BY CLIENT\n";
  assert_true(parse_expectations(text, m, error));
  assert_int_equal(m.size(), 5);
  assert_true(m.at("2.10").behavior == std::vector<verdict>{verdict::failed});
  assert_string_equal(m.at("2.10").note.c_str(), "answers only the latest ping");
  assert_true(m.at("7.9.1").behavior_close == std::vector<verdict>{verdict::wrong_code});
  assert_true(m.at("7.13.1").behavior == std::vector<verdict>{verdict::informational});
  assert_true((m.at("3.4").behavior == std::vector<verdict>{verdict::ok, verdict::non_strict}));
  assert_true((m.at("3.4").behavior_close ==
               std::vector<verdict>{verdict::ok, verdict::failed_by_client}));
}

void test_parse_errors(void**) {
  expectation_map m;
  std::string error;
  assert_false(parse_expectations("1.1.1 OK\n", m, error));
  assert_non_null(strstr(error.c_str(), "line 1"));
  m.clear();
  assert_false(parse_expectations("1.1.1 OK/OK\n1.1.2 GOOD/OK\n", m, error));
  assert_non_null(strstr(error.c_str(), "line 2"));
  m.clear();
  assert_false(parse_expectations("1.1.1 OK/OK\n1.1.1 OK/OK\n", m, error));
  assert_non_null(strstr(error.c_str(), "twice"));
}

void test_compare(void**) {
  expectation_map m;
  std::string error;
  assert_true(parse_expectations("1.1.1 OK/OK\n2.10 FAILED/OK\n9.1.1 OK/OK\n3.4 OK|NON-STRICT/OK\n",
                                 m, error));
  std::vector<case_result> rs = {result("1.1.1", verdict::ok, verdict::ok),
                                 result("2.10", verdict::failed, verdict::ok),
                                 result("3.4", verdict::non_strict, verdict::ok)};
  // Known failures match; 9.1.1 was not run and is no difference.
  assert_true(compare_expectations(m, rs).empty());
  rs.push_back(result("3.1", verdict::ok, verdict::ok));  // no expectation
  rs.push_back(result("3.4", verdict::failed, verdict::ok));  // not an alternative
  rs[0].behavior = verdict::non_strict;                                 // changed verdict
  std::vector<std::string> d = compare_expectations(m, rs);
  assert_int_equal(d.size(), 3);
  assert_string_equal(d[0].c_str(), "1.1.1: expected OK/OK, got NON-STRICT/OK");
  assert_non_null(strstr(d[1].c_str(), "3.1: no expectation"));
  assert_string_equal(d[2].c_str(), "3.4: expected OK|NON-STRICT/OK, got FAILED/OK");
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse),
      cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_compare),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
