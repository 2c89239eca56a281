// resock-conformance: tests WebSocket servers with the Autobahn|Testsuite
// server cases, as `wstest -m fuzzingclient` does, and writes the same
// reports (plus junit.xml). See `resock-conformance fuzzingclient --help`.
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/cases/catalog.h"
#include "compliance/engine/engine.h"
#include "compliance/expectations.h"
#include "compliance/report/html.h"
#include "compliance/report/report.h"
#include "compliance/spec.h"
#include "resock/config.h"

namespace rc = resock::conformance;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_interrupted = 130;

#define RC_STR2(x) #x
#define RC_STR(x) RC_STR2(x)
constexpr const char* version =
    RC_STR(RESOCK_VERSION_MAJOR) "." RC_STR(RESOCK_VERSION_MINOR) "." RC_STR(RESOCK_VERSION_PATCH);

constexpr const char* top_help =
    R"(resock-conformance - WebSocket server conformance testing, compatible with
Autobahn|Testsuite (same cases, verdicts, spec files and report format).

Usage:
  resock-conformance fuzzingclient [options]     test WebSocket servers
  resock-conformance -m fuzzingclient -s FILE    the same, wstest's syntax
  resock-conformance --help | --version

Run `resock-conformance fuzzingclient --help` for the options.
)";

constexpr const char* fuzzingclient_help = R"(Usage: resock-conformance fuzzingclient [options]

Runs Autobahn|Testsuite's server test cases against WebSocket servers, one
case per fresh connection, one case at a time, and writes Autobahn's report
files (index.html, index.json, one .json/.html per case) plus junit.xml.

Servers (--spec or --url):
  -s, --spec FILE       an Autobahn fuzzingclient.json: outdir, servers (agent,
                        url, origin, protocols), cases, exclude-cases,
                        exclude-agent-cases ("options" is ignored)
      --url URL         a single server: ws://host:port/path or wss://...
      --agent NAME      the name of that server in the reports (default: the
                        URL's host:port)
Without either, ./fuzzingclient.json is used when it exists.

Case selection (overrides the spec's "cases" / "exclude-cases"):
      --cases LIST      comma-separated patterns (default: all). A pattern
                        without '*' is a case id ("2.1"), an unknown id is an
                        error; '*' matches anything and a pattern only needs
                        to match the start of an id ("6.4.*", "1*" = 1.x, 10.x)
      --exclude LIST    patterns to leave out
      --list            print the selected case ids and descriptions, run
                        nothing

Output:
      --outdir DIR      report directory, created if missing (default: the
                        spec's "outdir", else ./reports/servers)
      --no-reports      write no report files
  -q, --quiet           no progress output (the summary is still printed)

Run:
      --strict          NON-STRICT outcomes fail the run too
      --expect FILE     compare every verdict with a baseline file (lines
                        "<id> <behavior>/<behaviorClose> # why"); the exit
                        status then says whether they all matched
      --timeout-scale X multiply each case's hard time limit by X (slow
                        servers, sanitizer builds)
      --ca FILE         wss: trust this CA certificate (PEM) instead of the
                        system store
      --insecure        wss: do not verify the server certificate
  -h, --help            this text
      --version         print the version

Exit status:
  0    no case failed (with --expect: every verdict matched the baseline)
  1    some case failed: its behavior is FAILED, or its close behavior is
       FAILED (e.g. the wrong side closed), or the case could not run
       (connection refused, TLS error, time limit: see "engine error").
       Close verdicts WRONG CODE, UNCLEAN and FAILED BY CLIENT and a
       NON-STRICT behavior count as non-strict: they fail only with --strict
       (INFORMATIONAL and UNIMPLEMENTED never fail)
  2    usage error: unknown option, missing value, bad URL, unreadable or
       invalid spec file, unknown case id
  130  interrupted (Ctrl-C): the current case finished, the reports cover the
       cases that ran (a second Ctrl-C quits at once)

Examples:
  resock-conformance fuzzingclient --url ws://127.0.0.1:9001
  resock-conformance fuzzingclient --url ws://localhost:8080/chat --agent MyServer \
      --cases '1.*,2.*,5.*' --exclude 2.10
  resock-conformance fuzzingclient -s fuzzingclient.json --strict
  resock-conformance -m fuzzingclient -s fuzzingclient.json
  resock-conformance fuzzingclient --url wss://localhost:9443 --ca ca.pem
  resock-conformance fuzzingclient --cases '6.4.*' --list
)";

struct cli_options {
  bool help = false;
  bool version = false;
  bool fuzzingclient = false;
  std::string spec_file;
  std::string url;
  std::string agent;
  std::optional<std::vector<std::string>> cases, exclude;
  std::string outdir;
  bool strict = false;
  std::string expect_file;
  double timeout_scale = 1;
  std::string ca_file;
  bool insecure = false;
  bool quiet = false;
  bool list = false;
  bool no_reports = false;
};

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(start, end - start);
    while (!item.empty() && item.front() == ' ')
      item.erase(item.begin());
    while (!item.empty() && item.back() == ' ')
      item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

// Parses argv; returns false with `error` set on a usage error.
bool parse_args(int argc, char** argv, cli_options& o, std::string& error) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (arg.starts_with("--")) {
      if (auto eq = arg.find('='); eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg.resize(eq);
      }
    }
    auto value = [&](std::string& out) {
      if (inline_value) {
        out = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) {
        error = "option " + arg + " needs a value";
        return false;
      }
      out = args[++i];
      return true;
    };
    auto flag = [&](bool& out) {
      if (inline_value) {
        error = "option " + arg + " takes no value";
        return false;
      }
      out = true;
      return true;
    };
    std::string v;
    if (arg == "-h" || arg == "--help") {
      if (!flag(o.help)) return false;
    } else if (arg == "--version") {
      if (!flag(o.version)) return false;
    } else if (arg == "fuzzingclient") {
      o.fuzzingclient = true;
    } else if (arg == "-m" || arg == "--mode") {
      if (!value(v)) return false;
      if (v != "fuzzingclient") {
        error = "unsupported mode '" + v + "' (only fuzzingclient is implemented)";
        return false;
      }
      o.fuzzingclient = true;
    } else if (arg == "-s" || arg == "--spec") {
      if (!value(o.spec_file)) return false;
    } else if (arg == "--url") {
      if (!o.url.empty()) {
        error = "--url given twice (use a spec file for several servers)";
        return false;
      }
      if (!value(o.url)) return false;
    } else if (arg == "--agent") {
      if (!value(o.agent)) return false;
    } else if (arg == "--cases") {
      if (!value(v)) return false;
      o.cases = split_list(v);
    } else if (arg == "--exclude") {
      if (!value(v)) return false;
      o.exclude = split_list(v);
    } else if (arg == "--outdir") {
      if (!value(o.outdir)) return false;
    } else if (arg == "--strict") {
      if (!flag(o.strict)) return false;
    } else if (arg == "--expect") {
      if (!value(o.expect_file)) return false;
    } else if (arg == "--timeout-scale") {
      if (!value(v)) return false;
      char* end = nullptr;
      o.timeout_scale = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(o.timeout_scale > 0) || o.timeout_scale > 1000) {
        error = "--timeout-scale needs a number above 0, not '" + v + "'";
        return false;
      }
    } else if (arg == "--ca") {
      if (!value(o.ca_file)) return false;
    } else if (arg == "--insecure") {
      if (!flag(o.insecure)) return false;
    } else if (arg == "-q" || arg == "--quiet") {
      if (!flag(o.quiet)) return false;
    } else if (arg == "--list") {
      if (!flag(o.list)) return false;
    } else if (arg == "--no-reports") {
      if (!flag(o.no_reports)) return false;
    } else if (arg.starts_with("-")) {
      error = "unknown option " + arg;
      return false;
    } else {
      error = "unexpected argument '" + arg + "'";
      return false;
    }
  }
  return true;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "resock-conformance: %s\ntry 'resock-conformance fuzzingclient --help'\n",
               message.c_str());
  return exit_usage;
}

// Ctrl-C: the first one lets the running case finish and stops after it;
// a second one quits at once (the default action).
volatile sig_atomic_t interrupted = 0;

extern "C" void on_sigint(int) {
  if (interrupted) {
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
    return;
  }
  interrupted = 1;
  constexpr char msg[] = "\ninterrupted: stopping after the current case (Ctrl-C again quits)\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
}

std::string with_title(std::string_view id) {
  std::string_view title = rc::section_title(id);
  return title.empty() ? std::string(id) : std::string(id) + " " + std::string(title);
}

std::string first_component(std::string_view id) {
  return std::string(id.substr(0, id.find('.')));
}

struct tally {
  int total = 0;
  std::map<rc::outcome, int> by;
  void add(const rc::case_result& r) {
    ++total;
    ++by[rc::classify(r)];
  }
  int operator[](rc::outcome o) const {
    auto it = by.find(o);
    return it == by.end() ? 0 : it->second;
  }
};

// Progress on stderr: one rewritten line on a terminal, one line per case
// otherwise (CI logs).
class progress {
 public:
  progress(bool quiet, int total, bool several_servers)
      : quiet_(quiet),
        tty_(isatty(STDERR_FILENO) != 0),
        total_(total),
        several_servers_(several_servers) {}

  void start(const rc::server_target& server, const rc::case_info& info) {
    ++n_;
    if (quiet_ || !tty_) return;
    std::string line = "[" + std::to_string(n_) + "/" + std::to_string(total_) + "] " + info.id +
                       "  section " + with_title(first_component(info.id)) + "  pass " +
                       std::to_string(counts_[rc::outcome::ok]) + " non-strict " +
                       std::to_string(counts_[rc::outcome::non_strict]) + " fail " +
                       std::to_string(counts_[rc::outcome::failed]);
    if (several_servers_) line += "  (" + server.agent + ")";
    winsize ws{};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10 && line.size() >= ws.ws_col)
      line.resize(ws.ws_col - 1);
    std::fprintf(stderr, "\r\x1b[K%s", line.c_str());
    std::fflush(stderr);
  }

  void finish(const rc::case_result& r) {
    counts_.add(r);
    if (quiet_ || tty_) return;
    std::string line = (several_servers_ ? r.agent + " " : std::string()) + r.id + " " +
                       std::string(rc::verdict_name(r.behavior)) + "/" +
                       std::string(rc::verdict_name(r.behavior_close)) + " " +
                       std::to_string(static_cast<long long>(r.duration_ms + 0.5)) + " ms";
    if (!r.engine_error.empty()) line += " (engine error: " + r.engine_error + ")";
    std::fprintf(stderr, "%s\n", line.c_str());
  }

  void done() {
    if (!quiet_ && tty_) std::fprintf(stderr, "\r\x1b[K");
  }

 private:
  bool quiet_, tty_;
  int total_, n_ = 0;
  bool several_servers_;
  tally counts_;
};

void print_summary(const rc::server_target& server, const std::vector<rc::case_result>& results,
                   bool strict) {
  std::vector<std::string> sections;
  std::map<std::string, tally> per_section;
  tally all;
  std::vector<std::string> failed;
  for (const auto& r : results) {
    if (r.agent != server.agent) continue;
    std::string s = first_component(r.id);
    if (!per_section.count(s)) sections.push_back(s);
    per_section[s].add(r);
    all.add(r);
    if (rc::counts_as_failure(r, strict)) failed.push_back(r.id);
  }
  std::printf("\n%s (%s)\n", server.agent.c_str(), server.url.c_str());
  if (all.total == 0) {
    std::printf("  no case ran\n");
    return;
  }
  std::printf("  %-28s %6s %6s %11s %14s %14s %7s\n", "Section", "Total", "OK", "NON-STRICT",
              "INFORMATIONAL", "UNIMPLEMENTED", "FAILED");
  auto row = [](const std::string& name, const tally& t) {
    using rc::outcome;
    std::printf("  %-28.28s %6d %6d %11d %14d %14d %7d\n", name.c_str(), t.total, t[outcome::ok],
                t[outcome::non_strict], t[outcome::informational], t[outcome::unimplemented],
                t[outcome::failed]);
  };
  for (const auto& s : sections)
    row(with_title(s), per_section[s]);
  row("Total", all);
  if (!failed.empty()) {
    std::string list;
    for (std::size_t i = 0; i < failed.size() && i < 40; ++i)
      list += (i ? " " : "") + failed[i];
    if (failed.size() > 40) list += " ... (" + std::to_string(failed.size()) + " in all)";
    std::printf("  %s: %s\n", strict ? "failed (strict)" : "failed", list.c_str());
  }
}

std::string format_duration(double seconds) {
  char buf[64];
  if (seconds < 60)
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  else
    std::snprintf(buf, sizeof buf, "%dm %04.1f s", static_cast<int>(seconds / 60),
                  seconds - 60 * static_cast<int>(seconds / 60));
  return buf;
}

int run(const cli_options& o) {
  rc::fuzzing_spec spec;
  std::string error;
  std::string spec_file = o.spec_file;
  if (!o.spec_file.empty() && !o.url.empty())
    return usage_error("give either --spec or --url, not both");
  if (spec_file.empty() && o.url.empty() && std::filesystem::exists("fuzzingclient.json"))
    spec_file = "fuzzingclient.json";  // wstest's default spec file

  if (!spec_file.empty()) {
    if (!rc::load_fuzzingclient_spec(spec_file, spec, error)) return usage_error(error);
    if (!o.agent.empty()) return usage_error("--agent only goes with --url");
  } else if (!o.url.empty()) {
    rc::server_target target;
    target.url = o.url;
    rc::parsed_url parsed;
    if (!rc::parse_ws_url(o.url, parsed, error)) return usage_error("bad URL: " + error);
    target.agent = o.agent.empty() ? parsed.host + ":" + std::to_string(parsed.port) : o.agent;
    spec.servers.push_back(std::move(target));
  } else if (!o.list) {
    return usage_error("no server to test: give --url URL or --spec FILE");
  }
  if (o.cases) spec.cases = *o.cases;
  if (o.exclude) spec.exclude_cases = *o.exclude;
  if (!o.outdir.empty()) spec.outdir = o.outdir;
  for (const auto& s : spec.servers) {
    rc::parsed_url parsed;
    if (!rc::parse_ws_url(s.url, parsed, error))
      return usage_error("bad URL '" + s.url + "': " + error);
  }

  // Resolve every server's case list before running anything, so a typo in
  // a case id costs nothing.
  std::vector<std::vector<const rc::case_info*>> plans;
  int total = 0;
  if (spec.servers.empty()) {  // --list without a server
    plans.emplace_back();
    if (!rc::select_cases(spec, "", plans.back(), error)) return usage_error(error);
  }
  for (const auto& s : spec.servers) {
    plans.emplace_back();
    if (!rc::select_cases(spec, s.agent, plans.back(), error)) return usage_error(error);
    total += static_cast<int>(plans.back().size());
  }

  if (o.list) {
    for (std::size_t i = 0; i < plans.size(); ++i) {
      if (spec.servers.size() > 1) std::printf("%s:\n", spec.servers[i].agent.c_str());
      for (const auto* c : plans[i])
        std::printf("%-8s %s\n", c->id.c_str(), rc::html::strip_tags(c->description).c_str());
    }
    return exit_ok;
  }

  rc::expectation_map expected;
  if (!o.expect_file.empty() && !rc::load_expectations(o.expect_file, expected, error))
    return usage_error(error);

  rc::engine_options engine;
  engine.hard_timeout_scale = o.timeout_scale;
  engine.ca_file = o.ca_file;
  engine.insecure = o.insecure;

  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a server closing mid-write must not kill us

  auto t0 = std::chrono::steady_clock::now();
  std::vector<rc::case_result> results;
  results.reserve(static_cast<std::size_t>(total));
  progress bar(o.quiet, total, spec.servers.size() > 1);
  for (std::size_t s = 0; s < spec.servers.size() && !interrupted; ++s) {
    for (const rc::case_info* info : plans[s]) {
      if (interrupted) break;
      bar.start(spec.servers[s], *info);
      results.push_back(rc::run_case(spec.servers[s], *info, engine));
      bar.finish(results.back());
    }
  }
  bar.done();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  bool any_failed = false;
  for (const auto& r : results)
    any_failed = any_failed || rc::counts_as_failure(r, o.strict);
  for (const auto& s : spec.servers)
    print_summary(s, results, o.strict);

  int status = interrupted ? exit_interrupted : any_failed ? exit_failed : exit_ok;
  if (!o.expect_file.empty()) {
    // A baseline turns the question into "did anything change?": known
    // FAILED cases pass, a changed verdict fails.
    std::vector<std::string> diffs = rc::compare_expectations(expected, results);
    std::printf("\nExpectations (%s): %zu matched, %zu differ\n", o.expect_file.c_str(),
                results.size() - diffs.size(), diffs.size());
    for (const auto& d : diffs)
      std::printf("  %s\n", d.c_str());
    if (!interrupted) status = diffs.empty() ? exit_ok : exit_failed;
  }
  if (!o.no_reports) {
    rc::report_options report;
    report.strict = o.strict;
    report.section_title = with_title;
    if (!rc::write_reports(spec.outdir, results, report, error)) {
      std::fprintf(stderr, "resock-conformance: %s\n", error.c_str());
      if (status == exit_ok) status = exit_failed;
    } else {
      std::filesystem::path dir(spec.outdir);
      std::printf("\nReports: %s\n         %s\n         %s\n", (dir / "index.html").c_str(),
                  (dir / "index.json").c_str(), (dir / "junit.xml").c_str());
    }
  }
  std::printf("\n%zu case%s run in %s%s: %s\n", results.size(), results.size() == 1 ? "" : "s",
              format_duration(elapsed).c_str(), interrupted ? " (interrupted)" : "",
              status == exit_ok            ? "PASSED"
              : status == exit_interrupted ? "INTERRUPTED"
                                           : (o.strict ? "FAILED (strict)" : "FAILED"));
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  cli_options o;
  std::string error;
  if (!parse_args(argc, argv, o, error)) return usage_error(error);
  if (o.version) {
    std::printf("resock-conformance %s\n", version);
    return exit_ok;
  }
  if (o.help) {
    std::fputs(o.fuzzingclient ? fuzzingclient_help : top_help, stdout);
    return exit_ok;
  }
  if (!o.fuzzingclient) return usage_error("missing command: fuzzingclient");
  return run(o);
}
