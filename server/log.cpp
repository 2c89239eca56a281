#include "server/log.h"

#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace resockd {
namespace {

constexpr std::size_t k_max_pending = 1u << 20;

struct batch {
  std::string pending;
  uv_check_t check{};
  bool on = false;
};
batch g_log;

// One write(2) for the whole buffer: stderr is unbuffered, and fwrite
// could split a line among processes sharing the terminal.
void write_all(std::string& out) {
  std::size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::write(STDERR_FILENO, out.data() + off, out.size() - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  out.clear();
}

void append_stamp(std::string& out) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[96];  // room for any int the compiler can imagine in tm
  int n = std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                        tm.tm_sec, static_cast<int>(ms));
  out.append(stamp, static_cast<std::size_t>(n > 0 ? n : 0));
}

}  // namespace

void log_line(std::string_view line) {
  std::string& out = g_log.pending;
  append_stamp(out);
  // The core may already say who is talking; do not stutter.
  for (std::string_view p : {"resockd: ", "resock: "})
    if (line.starts_with(p)) line.remove_prefix(p.size());
  out += "resockd: ";
  out += line;
  if (out.back() != '\n') out += '\n';
  if (!g_log.on || out.size() >= k_max_pending) write_all(out);
}

void log_batch(uv_loop_s* loop) {
  if (g_log.on) return;
  uv_check_init(loop, &g_log.check);
  // The check runs after the turn's callbacks; it must not keep the loop alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&g_log.check));
  uv_check_start(&g_log.check, [](uv_check_t*) {
    if (!g_log.pending.empty()) write_all(g_log.pending);
  });
  g_log.on = true;
}

void log_stop() {
  if (!g_log.on) return;
  g_log.on = false;
  write_all(g_log.pending);
  uv_close(reinterpret_cast<uv_handle_t*>(&g_log.check), nullptr);
}

}  // namespace resockd
