// Spec files (fuzzingclient.json) and Autobahn's case-selection rules.
#include "compliance/spec.h"

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

using namespace resock::conformance;

namespace {

// Writes `text` to a fresh temporary file and returns its path.
std::string temp_file(const std::string& text) {
  char path[] = "/tmp/resock_spec_test_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

// Autobahn's own format, as its documentation shows it, with the keys we
// ignore ("options" at both levels).
constexpr const char* autobahn_spec = R"({
   "options": {"failByDrop": false},
   "outdir": "./reports/servers",
   "servers": [
      {
         "agent": "AutobahnPython/0.10.9",
         "url": "ws://127.0.0.1:9001",
         "options": {"version": 18}
      },
      {
         "url": "ws://localhost:9002/chat?room=1",
         "origin": "http://example.com",
         "protocols": ["chat", "superchat"]
      },
      {"url": "wss://example.org/ws"}
   ],
   "cases": ["1.*", "6.4.*"],
   "exclude-cases": ["6.4.4"],
   "exclude-agent-cases": {"AutobahnPython*": ["6.4.2", "1.1.*"]}
})";

void parses_autobahn_spec(void**) {
  std::string path = temp_file(autobahn_spec);
  fuzzing_spec spec;
  std::string error;
  assert_true(load_fuzzingclient_spec(path, spec, error));
  std::remove(path.c_str());

  assert_string_equal(spec.outdir.c_str(), "./reports/servers");
  assert_int_equal(spec.servers.size(), 3);
  assert_string_equal(spec.servers[0].agent.c_str(), "AutobahnPython/0.10.9");
  assert_string_equal(spec.servers[0].url.c_str(), "ws://127.0.0.1:9001");
  assert_true(spec.servers[0].origin.empty());
  assert_true(spec.servers[0].protocols.empty());
  // No agent: named after host:port.
  assert_string_equal(spec.servers[1].agent.c_str(), "localhost:9002");
  assert_string_equal(spec.servers[1].origin.c_str(), "http://example.com");
  assert_int_equal(spec.servers[1].protocols.size(), 2);
  assert_string_equal(spec.servers[1].protocols[1].c_str(), "superchat");
  assert_string_equal(spec.servers[2].agent.c_str(), "example.org:443");

  assert_int_equal(spec.cases.size(), 2);
  assert_string_equal(spec.cases[1].c_str(), "6.4.*");
  assert_int_equal(spec.exclude_cases.size(), 1);
  assert_int_equal(spec.exclude_agent_cases.size(), 1);
  assert_string_equal(spec.exclude_agent_cases[0].first.c_str(), "AutobahnPython*");
  assert_int_equal(spec.exclude_agent_cases[0].second.size(), 2);
}

void defaults_when_keys_are_absent(void**) {
  std::string path = temp_file(R"({"servers": [{"agent": "a", "url": "ws://h:1"}]})");
  fuzzing_spec spec;
  std::string error;
  assert_true(load_fuzzingclient_spec(path, spec, error));
  std::remove(path.c_str());
  assert_string_equal(spec.outdir.c_str(), "./reports/servers");
  assert_int_equal(spec.cases.size(), 1);
  assert_string_equal(spec.cases[0].c_str(), "*");
  assert_true(spec.exclude_cases.empty());
}

// Loads `text` expecting failure; returns the message.
std::string load_error(const std::string& text) {
  std::string path = temp_file(text);
  fuzzing_spec spec;
  std::string error;
  assert_false(load_fuzzingclient_spec(path, spec, error));
  std::remove(path.c_str());
  assert_true(error.starts_with(path + ": "));  // names the file
  return error;
}

void reports_problems_clearly(void**) {
  assert_non_null(strstr(load_error(R"({"cases": ["*"]})").c_str(), "missing \"servers\""));
  assert_non_null(
      strstr(load_error(R"({"servers": [{"url": 5}]})").c_str(), "servers[0].url is not a string"));
  assert_non_null(
      strstr(load_error(R"({"servers": [{"agent": "x"}]})").c_str(), "servers[0] has no \"url\""));
  assert_non_null(
      strstr(load_error(R"({"servers": [{"url": "ws://h:1"}], "cases": "1.*"})").c_str(),
             "\"cases\" is not a list"));
  assert_non_null(strstr(load_error(R"({"servers": [{"url": "ws://h:1"}], "cases": [1]})").c_str(),
                         "\"cases\"[0] is not a string"));
  assert_non_null(strstr(load_error("{\n\"servers\": [\n}").c_str(), "not valid JSON"));
  assert_non_null(strstr(load_error("[]").c_str(), "not a JSON object"));

  fuzzing_spec spec;
  std::string error;
  assert_false(load_fuzzingclient_spec("/nonexistent/fuzzingclient.json", spec, error));
  assert_non_null(strstr(error.c_str(), "/nonexistent/fuzzingclient.json: cannot open"));
}

void wildcards_follow_autobahn(void**) {
  // Literal ids match only themselves.
  assert_true(case_pattern_matches("1.1.1", "1.1.1"));
  assert_false(case_pattern_matches("1.1.1", "1.1.10"));
  assert_false(case_pattern_matches("2.1", "2.10"));
  // '*' is any run, '.' is literal, anchored at the start only.
  assert_true(case_pattern_matches("6.4.*", "6.4.1"));
  assert_true(case_pattern_matches("6.4.*", "6.4.4"));
  assert_false(case_pattern_matches("6.4.*", "6.40.1"));
  assert_false(case_pattern_matches("6.4.*", "16.4.1"));
  assert_true(case_pattern_matches("1*", "1.1.1"));
  assert_true(case_pattern_matches("1*", "10.1.1"));
  assert_true(case_pattern_matches("1*", "12.1.1"));
  assert_false(case_pattern_matches("1*", "2.1"));
  assert_true(case_pattern_matches("*", "9.7.6"));
  assert_true(case_pattern_matches("*", "13.1.1"));
  assert_true(case_pattern_matches("6.*.1", "6.4.1"));
  assert_true(case_pattern_matches("6.*.1", "6.4.10"));  // not anchored at the end
  assert_false(case_pattern_matches("6.*.1", "6.4.2"));
  assert_true(case_pattern_matches("*.1", "6.4.1"));

  // exclude-agent-cases: anchored at both ends.
  assert_true(full_pattern_matches("AutobahnPython*", "AutobahnPython/0.10.9"));
  assert_false(full_pattern_matches("Autobahn", "AutobahnPython/0.10.9"));
  assert_true(full_pattern_matches("*", ""));
  assert_true(full_pattern_matches("6.4.*", "6.4.1"));
  assert_false(full_pattern_matches("6.*.1", "6.4.10"));
  assert_true(full_pattern_matches("6.4.1", "6.4.1"));
  assert_false(full_pattern_matches("6.4", "6.4.1"));
}

void numeric_order(void**) {
  assert_true(case_id_less("2.1", "10.1.1"));
  assert_false(case_id_less("10.1.1", "2.1"));
  assert_true(case_id_less("6.9.1", "6.10.1"));
  assert_true(case_id_less("1.1.8", "1.2.1"));
  assert_true(case_id_less("2.2", "2.10"));
  assert_true(case_id_less("1.1", "1.1.1"));  // a prefix sorts first
  assert_false(case_id_less("7.7.1", "7.7.1"));
  assert_true(case_id_less("0.1.1", "1.1.1"));
}

// A small catalog in scrambled order, so selection has to sort.
std::vector<case_info> catalog() {
  std::vector<case_info> c;
  for (const char* id : {"10.1.1", "6.10.1", "2.10", "1.1.2", "6.4.1", "2.2", "6.9.1", "1.1.1",
                         "6.4.2", "2.1", "9.1.1", "6.4.4", "6.4.3", "1.2.1"}) {
    case_info info;
    info.id = id;
    c.push_back(std::move(info));
  }
  return c;
}

std::string joined(const std::vector<const case_info*>& cases) {
  std::string out;
  for (const auto* c : cases)
    out += (out.empty() ? "" : " ") + c->id;
  return out;
}

std::string select(const fuzzing_spec& spec, std::string_view agent = "server") {
  static const std::vector<case_info> all = catalog();
  std::vector<const case_info*> out;
  std::string error;
  assert_true(select_cases(spec, agent, all, out, error));
  return joined(out);
}

void selection(void**) {
  fuzzing_spec spec;
  assert_string_equal(select(spec).c_str(),
                      "1.1.1 1.1.2 1.2.1 2.1 2.2 2.10 6.4.1 6.4.2 6.4.3 6.4.4 6.9.1 6.10.1 9.1.1 "
                      "10.1.1");
  spec.cases = {"1*"};
  assert_string_equal(select(spec).c_str(), "1.1.1 1.1.2 1.2.1 10.1.1");
  spec.cases = {"6.4.*", "2.1", "1.1.1"};
  assert_string_equal(select(spec).c_str(), "1.1.1 2.1 6.4.1 6.4.2 6.4.3 6.4.4");
  spec.exclude_cases = {"6.4.3", "1*"};
  assert_string_equal(select(spec).c_str(), "2.1 6.4.1 6.4.2 6.4.4");

  spec.cases = {"*"};
  spec.exclude_cases = {"6.*", "9.*"};
  spec.exclude_agent_cases = {{"AutobahnPython*", {"1.1.*", "2.1"}}, {"other", {"*"}}};
  assert_string_equal(select(spec, "AutobahnPython/0.10.9").c_str(), "1.2.1 2.2 2.10 10.1.1");
  assert_string_equal(select(spec, "lws").c_str(), "1.1.1 1.1.2 1.2.1 2.1 2.2 2.10 10.1.1");
  assert_string_equal(select(spec, "other").c_str(), "");
}

void unknown_literal_id_is_an_error(void**) {
  const std::vector<case_info> all = catalog();
  std::vector<const case_info*> out;
  std::string error;
  fuzzing_spec spec;
  spec.cases = {"1.1.1", "7.1.1"};
  assert_false(select_cases(spec, "x", all, out, error));
  assert_string_equal(error.c_str(), "no such case: 7.1.1");

  spec.cases = {"*"};
  spec.exclude_cases = {"3.1"};
  assert_false(select_cases(spec, "x", all, out, error));
  assert_string_equal(error.c_str(), "no such case: 3.1");

  // A wildcard that matches nothing is fine (Autobahn: an empty set).
  spec.cases = {"7.*"};
  spec.exclude_cases.clear();
  assert_true(select_cases(spec, "x", all, out, error));
  assert_true(out.empty());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parses_autobahn_spec),
      cmocka_unit_test(defaults_when_keys_are_absent),
      cmocka_unit_test(reports_problems_clearly),
      cmocka_unit_test(wildcards_follow_autobahn),
      cmocka_unit_test(numeric_order),
      cmocka_unit_test(selection),
      cmocka_unit_test(unknown_literal_id_is_an_error),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
