// The 132 single-frame UTF-8 vectors of cases 6.5.1-6.23.7, after Markus
// Kuhn's UTF-8 decoder stress test, in Autobahn's order. Validity is
// strict RFC 3629 (no overlongs, no surrogates, nothing above U+10FFFF;
// non-characters such as U+FFFE are valid). Internal to compliance/cases/.
#pragma once

#include <string>
#include <vector>

namespace resock::conformance::cases {

struct utf8_vector {
  std::string payload;
  bool valid = false;
};

struct utf8_subsection {
  int number = 0;     // 5 for 6.5, ..., 23 for 6.23
  const char* title;  // report sub-category title
  std::vector<utf8_vector> vectors;
};

[[nodiscard]] const std::vector<utf8_subsection>& utf8_vector_table();

}  // namespace resock::conformance::cases
