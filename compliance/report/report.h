// Writes the Autobahn report layout into outdir: index.json, index.html,
// one <agent>_case_<id>.json and .html per case, plus junit.xml for CI.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/case_result.h"

namespace resock::conformance {

// Autobahn's clean(agent) + "_case_" + id with '.' -> '_' (no extension).
[[nodiscard]] std::string report_file_stem(std::string_view agent, std::string_view id);

// Writes every file. Results of several agents may be mixed. Returns false
// with a message when a file cannot be written.
[[nodiscard]] bool write_reports(const std::string& outdir, const std::vector<case_result>& results,
                                 std::string& error);

// How a case counts in summaries, JUnit and the CLI's exit status:
// failed = behavior FAILED or behaviorClose FAILED (or an engine error);
// non_strict = behavior NON-STRICT, or behaviorClose WRONG CODE, UNCLEAN or
// FAILED BY CLIENT; then unimplemented, informational, ok.
enum class outcome : std::uint8_t { ok, non_strict, informational, unimplemented, failed };
[[nodiscard]] outcome classify(const case_result& r) noexcept;
// True when the case fails a run: outcome failed, or non_strict if `strict`.
[[nodiscard]] bool counts_as_failure(const case_result& r, bool strict) noexcept;

struct report_options {
  // Section titles for index.html ("6.4" -> "6.4 Fail-fast on invalid
  // UTF-8"); empty or returning "": the id itself. The plain
  // write_reports() uses the catalog's section_title().
  std::function<std::string(std::string_view id)> section_title;
  bool strict = false;  // junit.xml: NON-STRICT cases fail too
};
// write_reports with explicit options (the plain one uses the defaults).
[[nodiscard]] bool write_reports(const std::string& outdir, const std::vector<case_result>& results,
                                 const report_options& options, std::string& error);

}  // namespace resock::conformance
