// The individual report documents; report.cpp writes them to files.
#pragma once

#include <string>
#include <vector>

#include "compliance/case_result.h"
#include "compliance/report/report.h"

namespace resock::conformance::report_detail {

// index.json: agent -> case id -> {behavior, behaviorClose, duration,
// remoteCloseCode, reportfile}.
[[nodiscard]] std::string index_json(const std::vector<const case_result*>& results);
// <agent>_case_<id>.json: every key of Autobahn's per-case report plus
// "wirelogTimesMs" and, when set, "engineError".
[[nodiscard]] std::string case_json(const case_result& r);
// <agent>_case_<id>.html: the same for a reader.
[[nodiscard]] std::string case_html(const case_result& r);
// index.html: the agent x case matrix, grouped by section.
[[nodiscard]] std::string index_html(const std::vector<const case_result*>& results,
                                     const report_options& options);
// junit.xml: one testsuite per agent, one testcase per case.
[[nodiscard]] std::string junit_xml(const std::vector<const case_result*>& results,
                                    const report_options& options);

// The title of a section or subsection id, falling back to the id.
[[nodiscard]] std::string title_of(const report_options& options, const std::string& id);

}  // namespace resock::conformance::report_detail
