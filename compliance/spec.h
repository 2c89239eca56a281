// Autobahn-compatible spec files (fuzzingclient.json) and case selection
// with Autobahn's wildcard rules.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compliance/engine/engine.h"
#include "compliance/test_case.h"

namespace resock::conformance {

struct fuzzing_spec {
  std::string outdir = "./reports/servers";
  std::vector<server_target> servers;
  std::vector<std::string> cases{"*"};
  std::vector<std::string> exclude_cases;
  // agent pattern -> case patterns
  std::vector<std::pair<std::string, std::vector<std::string>>> exclude_agent_cases;
};

// Reads a fuzzingclient.json. Unknown keys are ignored (Autobahn's files
// carry "options" we do not need). Returns false with a message naming the
// file and the problem.
[[nodiscard]] bool load_fuzzingclient_spec(const std::string& path, fuzzing_spec& out,
                                           std::string& error);

// Autobahn's `cases` / `exclude-cases` rule: without '*' the pattern is the
// literal id; with '*' it is a prefix-anchored wildcard ("6.4.*", "1*").
[[nodiscard]] bool case_pattern_matches(std::string_view pattern, std::string_view id) noexcept;
// The `exclude-agent-cases` rule: wildcards anchored at both ends.
[[nodiscard]] bool full_pattern_matches(std::string_view pattern, std::string_view text) noexcept;

// The cases to run for `agent`, in Autobahn's numeric order. A literal id
// that names no case is an error (as in Autobahn).
[[nodiscard]] bool select_cases(const fuzzing_spec& spec, std::string_view agent,
                                std::vector<const case_info*>& out, std::string& error);
// The same, choosing from `catalog` (in any order) instead of all_cases();
// lets the selection rules be tested without the case catalog.
[[nodiscard]] bool select_cases(const fuzzing_spec& spec, std::string_view agent,
                                const std::vector<case_info>& catalog,
                                std::vector<const case_info*>& out, std::string& error);

// Numeric ordering of case ids: "2.1" < "10.1.1", "6.9.1" < "6.10.1".
[[nodiscard]] bool case_id_less(std::string_view a, std::string_view b) noexcept;

}  // namespace resock::conformance
