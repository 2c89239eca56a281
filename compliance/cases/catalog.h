// Titles of the case categories and sub-categories (Autobahn's report
// headings, plus our section 0), for the reports and the CLI summary.
#pragma once

#include <string_view>

namespace resock::conformance {

// The title of the category or sub-category `id` names, without the
// number: section_title("1") == "Framing", section_title("6.4") ==
// "Fail-fast on invalid UTF-8". Empty for an id that names none (sections
// 2, 3 and 5 have no sub-categories: "2.1" is a case). Any thread; the
// first call builds the UTF-8 vector table (which may allocate).
[[nodiscard]] std::string_view section_title(std::string_view id);

}  // namespace resock::conformance
