// resockd's log: one line per event on stderr, prefixed with a UTC
// timestamp so that lines from several processes (tests run a gateway,
// a relay and clients together) can be lined up.
#pragma once

#include <string_view>

namespace resockd {

// Writes "<ISO-8601 UTC with ms> resockd: <line>\n" to stderr in one write,
// so concurrent processes sharing the terminal do not interleave mid-line.
// A line that already starts with "resockd: " (the core's own prefix) is not
// prefixed twice. Loop thread only (not reentrant from signal handlers).
void log_line(std::string_view line);

}  // namespace resockd
