// session_bench: resockd measured against the libwebsockets reference echo
// server in one run on loopback. It starts both servers itself, drives them
// with a native libuv load generator on resock's own wire codec, and prints
// one JSON object per line per figure, each with both processes' CPU so
// that a figure limited by the load generator is recognisable as such.
// Run with --help for the figures and flags.
#include <stdlib.h>
#include <unistd.h>
#include <csignal>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>

#include "figures.h"
#include "report.h"

namespace {

const char* help_text =
    R"(session_bench — resockd against the lws reference echo server, one run on loopback

Usage: session_bench [--quick] [--only NAME] [--resockd PATH] [--lws-echo PATH] [--keep-logs]

Starts the servers as child processes (port 0, "PORT <n>" on stdout), runs
the figures and prints one JSON object per line:
  echo     resockd /echo vs lws echo: 100 conns x 16 in flight x 64 B and
           10 conns x 1 in flight x 64 KiB; msgs/s, MB/s, p50/p99 latency
           (us), ratio resockd/lws (target >= 0.9)
  session  the same loads as session msg envelopes to route "count" through
           /rs/ws (resock.v1), acks every 64; ratio to resockd's plain echo
           (target >= 0.5)
  fanout   1,000 and 10,000 subscribers on one channel, 20 publishes:
           deliveries/s, time to first/last delivery, payload encodings per
           publish from resockd's stats line (target 1)
  idle     10,000 idle sessions vs 10,000 idle lws connections: KB each
           from VmRSS (target ratio <= 2, and <= 2 KB per session)
  rate     new sessions/s (connect + handshake + hello/welcome), 50
           concurrent connectors (target 10k/s), lws handshakes/s beside
Every figure has "server_cpu" and "client_cpu" (fractions of one core over
the measured window), "bottleneck": the side closer to a full core, and
"saturated": that side was at >= 0.85 of a core. A figure whose bottleneck
is "client" measured the load generator; one not saturated was limited by
latency or by other processes on the machine: the echo, session and rate
windows are then measured again, up to 3 times ("windows").

Options:
  --quick          smoke form: small counts and short windows (~10-15 s)
  --only NAME      run one figure: echo, session, fanout, idle or rate
  --resockd PATH   [<build>/server/resockd]
  --lws-echo PATH  [<build>/tests/peers/lws_echo_server]
  --keep-logs      keep the servers' stderr logs (kept anyway after errors)
  --help

The full run takes about a minute (53-65 s on 2 cores; longer when
windows are measured again), the quick one ~10 s. The exit status is 0
whether or not targets are met ("ok" says); 1 when a server cannot be
started; 2 for bad flags.
)";

std::string exe_dir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

bool known_figure(std::string_view name) {
  for (auto f : {"echo", "session", "fanout", "idle", "rate"})
    if (name == f) return true;
  return false;
}

}  // namespace

namespace bench {

bool bench_context::start_resockd(child_server& s, const std::vector<std::string>& extra) {
  // The bench connects from one address at thousands per second and holds
  // 10,000 sessions: resockd's connection limits would measure themselves.
  std::vector<std::string> args = {"--listen",
                                   "127.0.0.1:0",
                                   "--echo",
                                   "--no-demo",
                                   "--max-message",
                                   "20000000",
                                   "--heartbeat",
                                   "60000",
                                   "--conn-rate-per-ip",
                                   "0",
                                   "--max-connections",
                                   "0"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string log = log_dir + "/resockd-" + std::to_string(++started) + ".log";
  return s.start("resockd", opt.resockd, args, log);
}

bool bench_context::start_lws(child_server& s) {
  std::string log = log_dir + "/lws_echo-" + std::to_string(++started) + ".log";
  return s.start("lws_echo_server", opt.lws_echo, {"--port", "0"}, log);
}

void bench_context::setup_error(const std::string& figure, const std::string& error) {
  setup_failed = true;
  json_line().str("figure", figure).str("error", error).boolean("ok", false).print();
}

}  // namespace bench

int main(int argc, char** argv) {
  bench::bench_context ctx;
  std::string dir = exe_dir();
  ctx.opt.resockd = dir + "/../server/resockd";
  ctx.opt.lws_echo = dir + "/../tests/peers/lws_echo_server";
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    bool ok = true;
    if (a == "--help" || a == "-h") {
      std::fputs(help_text, stdout);
      return 0;
    } else if (a == "--quick") {
      ctx.opt.quick = true;
    } else if (a == "--keep-logs") {
      ctx.opt.keep_logs = true;
    } else if (a == "--only") {
      ok = value(ctx.opt.only) && known_figure(ctx.opt.only);
    } else if (a == "--resockd") {
      ok = value(ctx.opt.resockd);
    } else if (a == "--lws-echo") {
      ok = value(ctx.opt.lws_echo);
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "session_bench: bad argument '%s' (try --help)\n", argv[i]);
      return 2;
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  ctx.fd_limit = bench::raise_fd_limit();
  char tmpl[] = "/tmp/session_bench.XXXXXX";
  if (!::mkdtemp(tmpl)) {
    std::fprintf(stderr, "session_bench: mkdtemp: %s\n", std::strerror(errno));
    return 1;
  }
  ctx.log_dir = tmpl;

  bench::json_line()
      .str("bench", "session_bench")
      .boolean("quick", ctx.opt.quick)
      .str("resockd", ctx.opt.resockd)
      .str("lws_echo", ctx.opt.lws_echo)
      .integer("fd_limit", std::int64_t(ctx.fd_limit))
      .integer("cpus", std::int64_t(std::thread::hardware_concurrency()))
      .print();

  struct figure {
    const char* name;
    void (*run)(bench::bench_context&);
  };
  for (auto [name, run] :
       {figure{"echo", bench::figure_echo}, figure{"session", bench::figure_session},
        figure{"fanout", bench::figure_fanout}, figure{"idle", bench::figure_idle},
        figure{"rate", bench::figure_rate}}) {
    if (!ctx.opt.only.empty() && ctx.opt.only != name) continue;
    run(ctx);
  }

  if (ctx.opt.keep_logs || ctx.any_error || ctx.setup_failed) {
    std::fprintf(stderr, "session_bench: server logs in %s\n", ctx.log_dir.c_str());
  } else {
    std::error_code ec;
    std::filesystem::remove_all(ctx.log_dir, ec);
  }
  return ctx.setup_failed ? 1 : 0;
}
