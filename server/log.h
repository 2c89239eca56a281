// resockd's log: one line per event on stderr, prefixed with a UTC
// timestamp so that lines from several processes (tests run a gateway,
// a relay and clients together) can be lined up.
#pragma once

#include <string_view>

struct uv_loop_s;

namespace resockd {

// Appends "<ISO-8601 UTC with ms> resockd: <line>\n". A line that already
// starts with "resockd: " (the core's own prefix) is not prefixed twice.
// Before log_batch() (and after log_stop()) each line is written at once;
// with it, the lines of a loop turn leave in one write at the end of the
// turn. Loop thread only (not reentrant from signal handlers).
void log_line(std::string_view line);

// From here on the loop never writes: each turn's lines are handed to a
// writer thread at the end of the turn (one write for many lines). A
// stderr nobody reads (a full pipe) then costs log lines, not the loop:
// past 4 MiB waiting, lines are dropped, counted, and the drop is logged
// once writing resumes.
void log_batch(uv_loop_s* loop);
// Hands over the last lines, waits for the writer to write everything and
// goes back to one write per line (before the loop is closed).
void log_stop();

}  // namespace resockd
