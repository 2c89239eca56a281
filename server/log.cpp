#include "server/log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace resockd {

void log_line(std::string_view line) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[96];  // room for any int the compiler can imagine in tm
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  std::string out = stamp;
  // The core may already say who is talking; do not stutter.
  for (std::string_view p : {"resockd: ", "resock: "})
    if (line.starts_with(p)) line.remove_prefix(p.size());
  out += "resockd: ";
  out += line;
  if (out.back() != '\n') out += '\n';
  // One write(2): stderr is unbuffered, and fwrite could split the line.
  std::size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::write(STDERR_FILENO, out.data() + off, out.size() - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace resockd
