// Expected-verdict files: a baseline of what a server is known to do, so a
// CI run fails on any *change* of verdict, not only on FAILED cases.
//
// One case per line: `<id>  <behavior>/<behaviorClose>  [# why]`, e.g.
//   2.10   FAILED/OK        # lws answers only the latest of several pings
//   7.13.1 INFORMATIONAL/INFORMATIONAL
//   3.4    OK|NON-STRICT/OK # either, depending on the server's scheduling
// Alternatives are separated by '|'. Blank lines and lines starting with
// '#' are comments.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/case_result.h"

namespace resock::conformance {

struct expected_verdict {
  std::vector<verdict> behavior;        // any of these
  std::vector<verdict> behavior_close;  // any of these
  std::string note;
};

using expectation_map = std::map<std::string, expected_verdict, std::less<>>;

// Parses the text of an expectations file. Returns false with `error`
// naming the line on a syntax error or an unknown verdict.
[[nodiscard]] bool parse_expectations(std::string_view text, expectation_map& out,
                                      std::string& error);
[[nodiscard]] bool load_expectations(const std::string& path, expectation_map& out,
                                     std::string& error);

// One line per case whose verdicts differ from the expectation (or that has
// none). Cases expected but not run are not differences: selections may
// leave them out.
[[nodiscard]] std::vector<std::string> compare_expectations(
    const expectation_map& expected, const std::vector<case_result>& results);

}  // namespace resock::conformance
