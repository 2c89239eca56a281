// The servers under test run as child processes so that the benchmark sees
// them exactly as an operator does, and so that their CPU time and memory
// can be read from /proc apart from the load generator's own.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench {

class child_server {
 public:
  child_server() = default;
  ~child_server();  // stops the child (SIGTERM, then SIGKILL) if still running
  child_server(const child_server&) = delete;
  child_server& operator=(const child_server&) = delete;

  // Starts `path args...` with stdout on a pipe and stderr into `log_path`,
  // and waits up to `timeout_s` for the "PORT <n>" line. On failure returns
  // false and error() says why (exec failure, early exit, timeout), with the
  // tail of the log.
  bool start(const std::string& name, const std::string& path, const std::vector<std::string>& args,
             const std::string& log_path, double timeout_s = 10);

  // SIGTERM, then waits up to `timeout_s` for the exit (SIGKILL after that).
  // Returns what the child printed on stdout after the PORT line (resockd's
  // stats line lives there).
  std::string stop(double timeout_s = 10);

  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const std::string& log_path() const { return log_path_; }

  // User + system CPU seconds of the whole process (all threads), or -1
  // when /proc cannot be read (the child died).
  [[nodiscard]] double cpu_seconds() const;
  // Resident set size in KiB (VmRSS), or -1.
  [[nodiscard]] long rss_kb() const;
  // True while the process exists and is not a zombie.
  [[nodiscard]] bool alive() const;

 private:
  bool read_port(double timeout_s);
  std::string drain_stdout(double timeout_s);
  std::string log_tail() const;

  std::string name_;
  std::string log_path_;
  std::string error_;
  std::string pending_;  // stdout bytes read past the PORT line
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::uint16_t port_ = 0;
};

// CPU seconds used so far by this process (getrusage, user + system).
[[nodiscard]] double self_cpu_seconds();

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft
// limit. Children inherit it, so call before starting servers.
std::uint64_t raise_fd_limit();

// Parses "key=<unsigned>" out of a line such as resockd's stats line.
[[nodiscard]] std::optional<std::uint64_t> find_counter(const std::string& text,
                                                        const std::string& key);

// Samples wall time and both processes' CPU time, so that a window's CPU
// fractions say which side was saturated.
struct cpu_window {
  double wall = 0;    // seconds (monotonic)
  double server = 0;  // server CPU seconds
  double client = 0;  // our CPU seconds

  static cpu_window now(const child_server& server);
};

struct cpu_usage {
  double server_cpu = 0;  // fraction of one core
  double client_cpu = 0;
  const char* bottleneck = "server";  // the side closer to a full core
  // The bottleneck side was near a full core (>= 0.85). When false the
  // window was limited by something else (latency, or other processes on
  // this shared machine) and its figure says little about either side.
  bool saturated = false;
};

[[nodiscard]] cpu_usage usage_between(const cpu_window& a, const cpu_window& b);

}  // namespace bench
