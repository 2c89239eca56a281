// The five figures of session_bench and what they share: the options,
// how to start the servers, and results one figure hands to another.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "load.h"
#include "process.h"

namespace bench {

struct bench_options {
  std::string resockd;   // path of server/resockd
  std::string lws_echo;  // path of tests/peers/lws_echo_server
  bool quick = false;    // short smoke form
  std::string only;      // run this figure only (empty: all)
  bool keep_logs = false;
};

struct bench_context {
  bench_options opt;
  std::string log_dir;         // the servers' stderr logs
  std::uint64_t fd_limit = 0;  // RLIMIT_NOFILE after raising it
  bool setup_failed = false;   // a server did not start: exit status 1
  bool any_error = false;      // some figure reported an error: keep the logs
  int started = 0;             // numbers the log files
  // resockd's plain-echo messages/s per load name, from the echo figure,
  // so that the session figure's ratio compares figures of one run.
  std::map<std::string, double> resockd_echo;

  // Starts resockd on 127.0.0.1:0 with the benchmark's flags plus `extra`.
  bool start_resockd(child_server& s, const std::vector<std::string>& extra = {});
  bool start_lws(child_server& s);
  // Prints a figure's failure line (setup problems) and remembers it.
  void setup_error(const std::string& figure, const std::string& error);
  // Quick or full value.
  [[nodiscard]] double pick(double quick, double full) const { return opt.quick ? quick : full; }
};

// The two request/response loads of the echo and session figures, with
// the run's warm-up and window lengths.
[[nodiscard]] std::vector<load_spec> standard_loads(const bench_context& ctx);

void figure_echo(bench_context& ctx);
void figure_session(bench_context& ctx);
void figure_fanout(bench_context& ctx);
void figure_idle(bench_context& ctx);
void figure_rate(bench_context& ctx);

}  // namespace bench
