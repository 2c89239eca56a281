#include <algorithm>
#include <cstdio>
#include <string>

#include "compliance/report/html.h"
#include "compliance/report/parts.h"
#include "compliance/report/render.h"

namespace resock::conformance::report_detail {
namespace {

using html::escape;  // XML-safe: it also drops characters XML 1.0 forbids

std::string seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms / 1000.0);
  return buf;
}

// "6.4.2 Send invalid UTF-8 ..." — CI lists show one line per test, so long
// descriptions are cut (on a character boundary).
std::string test_name(const case_result& r) {
  std::string text = html::strip_tags(r.description);
  constexpr std::size_t max_text = 120;
  if (text.size() > max_text) {
    std::size_t n = max_text;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
      --n;
    text = text.substr(0, n) + "...";
  }
  return text.empty() ? r.id : r.id + " " + text;
}

std::string failure_body(const case_result& r) {
  std::string body = "behavior: " + std::string(verdict_name(r.behavior)) + " - " + r.result +
                     "\nbehaviorClose: " + std::string(verdict_name(r.behavior_close)) + " - " +
                     r.result_close;
  if (!r.engine_error.empty()) body += "\nengine error: " + r.engine_error;
  body += "\nreport: " + report_file_stem(r.agent, r.id) + ".html";
  return body;
}

}  // namespace

std::string junit_xml(const std::vector<const case_result*>& results,
                      const report_options& options) {
  std::vector<std::string> agents;
  for (const case_result* r : results)
    if (std::find(agents.begin(), agents.end(), r->agent) == agents.end())
      agents.push_back(r->agent);

  std::string suites;
  int all_tests = 0, all_failures = 0, all_skipped = 0;
  double all_ms = 0;
  for (const auto& agent : agents) {
    int tests = 0, failures = 0, skipped = 0;
    double ms = 0;
    std::string cases;
    for (const case_result* r : results) {
      if (r->agent != agent) continue;
      ++tests;
      ms += r->duration_ms;
      std::string sub = subsection_of(r->id);
      cases += "    <testcase classname=\"resock-conformance." +
               escape(sub.empty() ? section_of(r->id) : sub) + "\" name=\"" +
               escape(test_name(*r)) + "\" time=\"" + seconds(r->duration_ms) + "\"";
      if (counts_as_failure(*r, options.strict)) {
        ++failures;
        cases += ">\n      <failure type=\"" + escape(verdict_name(r->behavior)) + "/" +
                 escape(verdict_name(r->behavior_close)) + "\" message=\"behavior " +
                 escape(verdict_name(r->behavior)) + ", close " +
                 escape(verdict_name(r->behavior_close)) + "\">" + escape(failure_body(*r)) +
                 "</failure>\n    </testcase>\n";
      } else if (r->behavior == verdict::unimplemented) {
        ++skipped;
        cases += ">\n      <skipped message=\"UNIMPLEMENTED\"/>\n    </testcase>\n";
      } else {
        cases += "/>\n";
      }
    }
    suites += "  <testsuite name=\"" + escape(agent) + "\" tests=\"" + std::to_string(tests) +
              "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" skipped=\"" +
              std::to_string(skipped) + "\" time=\"" + seconds(ms) + "\">\n" + cases +
              "  </testsuite>\n";
    all_tests += tests;
    all_failures += failures;
    all_skipped += skipped;
    all_ms += ms;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"resock-conformance\" "
         "tests=\"" +
         std::to_string(all_tests) + "\" failures=\"" + std::to_string(all_failures) +
         "\" errors=\"0\" skipped=\"" + std::to_string(all_skipped) + "\" time=\"" +
         seconds(all_ms) + "\">\n" + suites + "</testsuites>\n";
}

}  // namespace resock::conformance::report_detail
