#include "server/log.h"

#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>

namespace resockd {
namespace {

// What may wait for the writer thread. Past it, a turn's lines are dropped
// (and counted, and the drop is said once writing resumes): a log reader
// that stops reading must cost lines, never the loop.
constexpr std::size_t k_max_queued = 4u << 20;

struct logger {
  std::string pending;  // this loop turn's lines (loop thread only)
  uv_check_t check{};
  bool on = false;

  std::mutex m;
  std::condition_variable cv;
  std::string queued;         // handed to the writer (under m)
  std::uint64_t dropped = 0;  // lines dropped since the last notice (under m)
  bool stopping = false;      // under m
  bool finished = false;      // the writer has returned (under m)
  std::thread writer;
};
logger g_log;

// One write(2) loop for the whole buffer: stderr is unbuffered, and fwrite
// could split a line among processes sharing the terminal.
void write_all(const std::string& out) {
  std::size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::write(STDERR_FILENO, out.data() + off, out.size() - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
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

std::uint64_t count_lines(const std::string& s) {
  std::uint64_t n = 0;
  for (char c : s)
    n += c == '\n';
  return n;
}

// Hands this turn's lines to the writer, or drops them when it is behind.
void hand_over() {
  if (g_log.pending.empty()) return;
  {
    std::lock_guard lock(g_log.m);
    if (g_log.queued.size() + g_log.pending.size() > k_max_queued) {
      g_log.dropped += count_lines(g_log.pending);
      g_log.pending.clear();
      return;
    }
    if (g_log.dropped != 0) {
      std::string notice;
      append_stamp(notice);
      notice += "resockd: warning: " + std::to_string(g_log.dropped) +
                " log lines dropped: stderr was not being read\n";
      g_log.queued += notice;
      g_log.dropped = 0;
    }
    g_log.queued += g_log.pending;
  }
  g_log.pending.clear();
  g_log.cv.notify_all();
}

void writer_main() {
  std::string batch;
  std::unique_lock lock(g_log.m);
  for (;;) {
    g_log.cv.wait(lock, [] { return g_log.stopping || !g_log.queued.empty(); });
    if (g_log.queued.empty() && g_log.stopping) {
      g_log.finished = true;
      g_log.cv.notify_all();
      return;
    }
    batch.swap(g_log.queued);
    lock.unlock();
    write_all(batch);  // may block: only this thread waits
    batch.clear();
    lock.lock();
  }
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
  if (!g_log.on) {
    write_all(out);
    out.clear();
  } else if (out.size() >= k_max_queued) {
    hand_over();  // a turn that logs this much does not wait for its end
  }
}

void log_batch(uv_loop_s* loop) {
  if (g_log.on) return;
  g_log.stopping = g_log.finished = false;
  g_log.writer = std::thread(writer_main);
  uv_check_init(loop, &g_log.check);
  // The check runs after the turn's callbacks; it must not keep the loop alive.
  uv_unref(reinterpret_cast<uv_handle_t*>(&g_log.check));
  uv_check_start(&g_log.check, [](uv_check_t*) { hand_over(); });
  g_log.on = true;
}

void log_stop() {
  if (!g_log.on) return;
  g_log.on = false;
  hand_over();
  bool finished = false;
  {
    std::unique_lock lock(g_log.m);
    g_log.stopping = true;
    g_log.cv.notify_all();
    // What was queued is written, unless stderr is stuck: exit must not
    // hang on a log nobody reads.
    finished = g_log.cv.wait_for(lock, std::chrono::seconds(2), [] { return g_log.finished; });
  }
  if (finished)
    g_log.writer.join();
  else
    g_log.writer.detach();
  if (g_log.dropped != 0)
    write_all("resockd: warning: " + std::to_string(g_log.dropped) + " log lines dropped\n");
  uv_close(reinterpret_cast<uv_handle_t*>(&g_log.check), nullptr);
}

}  // namespace resockd
