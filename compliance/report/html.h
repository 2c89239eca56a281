// Escaping for the HTML and XML reports. Everything a server sent or a case
// describes ends up in them, so every text goes through here.
#pragma once

#include <string>
#include <string_view>

namespace resock::conformance::html {

// Text for HTML/XML content or a quoted attribute: & < > " ' escaped,
// invalid UTF-8 replaced by U+FFFD and control characters other than tab,
// LF and CR dropped (XML 1.0 forbids them; a browser would show junk).
[[nodiscard]] std::string escape(std::string_view text);

// A case description as HTML: Autobahn's descriptions carry a little
// markup (<br>, <b>, <code>, ...); those few tags pass, everything else is
// escaped, so a description can never inject script.
[[nodiscard]] std::string description(std::string_view text);

// Plain text of a description (tags removed, common entities decoded), for
// JUnit names and terminal output.
[[nodiscard]] std::string strip_tags(std::string_view text);

}  // namespace resock::conformance::html
