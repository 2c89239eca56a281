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

// Batches lines per loop turn: at 10k connections per second the log
// would otherwise cost several write(2) calls per connection on the loop.
// Lines are never held longer than the turn that produced them, and more
// than 1 MiB waiting is written at once (memory stays bounded).
void log_batch(uv_loop_s* loop);
// Writes what waits and goes back to one write per line (before the loop
// is closed).
void log_stop();

}  // namespace resockd
