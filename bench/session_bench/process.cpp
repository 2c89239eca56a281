#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace bench {
namespace {

double mono_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Reads what is available on `fd` within `timeout_s`; false on EOF/error.
bool read_some(int fd, std::string& into, double timeout_s) {
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  int ms = timeout_s <= 0 ? 0 : int(timeout_s * 1000) + 1;
  int rc = ::poll(&p, 1, ms);
  if (rc <= 0) return rc == 0 || errno == EINTR;  // timeout: not EOF yet
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n <= 0) return n < 0 && errno == EINTR;
  into.append(buf, std::size_t(n));
  return true;
}

}  // namespace

child_server::~child_server() {
  if (pid_ > 0) (void)stop(5);
}

bool child_server::start(const std::string& name, const std::string& path,
                         const std::vector<std::string>& args, const std::string& log_path,
                         double timeout_s) {
  name_ = name;
  log_path_ = log_path;
  if (::access(path.c_str(), X_OK) != 0) {
    error_ = name + ": cannot execute " + path + ": " + std::strerror(errno);
    return false;
  }
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    error_ = name + ": pipe: " + std::strerror(errno);
    return false;
  }
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    error_ = name + ": cannot create log " + log_path + ": " + std::strerror(errno);
    ::close(out[0]);
    ::close(out[1]);
    return false;
  }
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    error_ = name + ": fork: " + std::strerror(errno);
    ::close(out[0]);
    ::close(out[1]);
    ::close(log_fd);
    return false;
  }
  if (pid == 0) {
    // A benchmark killed half-way must not leave servers behind.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(path.c_str(), argv.data());
    std::fprintf(stderr, "exec %s: %s\n", path.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(log_fd);
  pid_ = pid;
  out_fd_ = out[0];
  if (!read_port(timeout_s)) {
    std::string why = error_;
    (void)stop(2);
    error_ = why;
    return false;
  }
  return true;
}

bool child_server::read_port(double timeout_s) {
  double deadline = mono_seconds() + timeout_s;
  std::string text;
  for (;;) {
    for (std::size_t start = 0, nl; (nl = text.find('\n', start)) != std::string::npos;
         start = nl + 1) {
      std::string line = text.substr(start, nl - start);
      unsigned port = 0;
      if (std::sscanf(line.c_str(), "PORT %u", &port) == 1 && port > 0 && port < 65536) {
        port_ = std::uint16_t(port);
        pending_ = text.substr(nl + 1);
        return true;
      }
    }
    double left = deadline - mono_seconds();
    if (left <= 0) {
      error_ = name_ + ": no \"PORT <n>\" line within " + std::to_string(int(timeout_s)) +
               " s; stdout: '" + text + "'" + log_tail();
      return false;
    }
    if (!read_some(out_fd_, text, left)) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      error_ = name_ + ": exited before listening (" +
               (WIFEXITED(status) ? "status " + std::to_string(WEXITSTATUS(status))
                                  : "signal " + std::to_string(WTERMSIG(status))) +
               ")" + log_tail();
      return false;
    }
  }
}

std::string child_server::drain_stdout(double timeout_s) {
  std::string text = std::move(pending_);
  pending_.clear();
  if (out_fd_ < 0) return text;
  double deadline = mono_seconds() + timeout_s;
  for (;;) {
    double left = deadline - mono_seconds();
    if (left <= 0) break;
    if (!read_some(out_fd_, text, left)) break;  // EOF: the child closed stdout
  }
  return text;
}

std::string child_server::stop(double timeout_s) {
  if (pid_ <= 0) return {};
  ::kill(pid_, SIGTERM);
  // stdout reaches EOF when the child exits; its stats line comes before.
  std::string text = drain_stdout(timeout_s);
  double deadline = mono_seconds() + 2;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) break;
    if (mono_seconds() > deadline) {
      std::fprintf(stderr, "session_bench: %s (pid %d) ignored SIGTERM, killing it\n",
                   name_.c_str(), int(pid_));
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    ::usleep(10000);
  }
  pid_ = -1;
  if (out_fd_ >= 0) ::close(out_fd_);
  out_fd_ = -1;
  return text;
}

std::string child_server::log_tail() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > 600) s = "..." + s.substr(s.size() - 600);
  return s.empty() ? "" : "; log " + log_path_ + ": " + s;
}

double child_server::cpu_seconds() const {
  if (pid_ <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses: fields start after
  // the last ')'. Field 3 (state) comes first; utime and stime are 14, 15.
  auto close = s.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(s.substr(close + 1));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && (fields >> f); ++i) {
    if (i == 14) utime = std::strtoull(f.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(f.c_str(), nullptr, 10);
  }
  static const double ticks = double(::sysconf(_SC_CLK_TCK));
  return double(utime + stime) / ticks;
}

long child_server::rss_kb() const {
  if (pid_ <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

bool child_server::alive() const {
  if (pid_ <= 0) return false;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = s.rfind(')');
  return close != std::string::npos && close + 2 < s.size() && s[close + 2] != 'Z';
}

double self_cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

std::uint64_t raise_fd_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) rl = want;
  }
  return rl.rlim_cur;
}

std::optional<std::uint64_t> find_counter(const std::string& text, const std::string& key) {
  std::string needle = key + "=";
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    if (at > 0 && text[at - 1] != ' ') continue;  // "encodings=" not "xencodings="
    const char* p = text.c_str() + at + needle.size();
    if (*p < '0' || *p > '9') continue;
    return std::strtoull(p, nullptr, 10);
  }
  return std::nullopt;
}

cpu_window cpu_window::now(const child_server& server) {
  return {mono_seconds(), server.cpu_seconds(), self_cpu_seconds()};
}

cpu_usage usage_between(const cpu_window& a, const cpu_window& b) {
  cpu_usage u;
  double wall = b.wall - a.wall;
  if (wall <= 0) return u;
  u.server_cpu = (b.server - a.server) / wall;
  u.client_cpu = (b.client - a.client) / wall;
  u.bottleneck = u.server_cpu >= u.client_cpu ? "server" : "client";
  u.saturated = std::max(u.server_cpu, u.client_cpu) >= 0.85;
  return u;
}

}  // namespace bench
