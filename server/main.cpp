// resockd: the standalone resock gateway. Parses flags, wires the
// application hooks (app.cpp) onto a resock::server on one libuv loop, and
// shuts down cleanly on SIGTERM / SIGINT (clients get 1001 "going away" so
// they reconnect elsewhere instead of treating it as a network failure).
#include <openssl/rand.h>
#include <sys/resource.h>
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "resock/server.h"
#include "server/app.h"
#include "server/assets.h"
#include "server/config.h"
#include "server/log.h"

namespace {

// A fresh 256-bit key in hex. Used when no secret is configured: tickets
// then die with the process, which is fine for a demo and wrong for
// production, hence the warning at start.
std::string random_secret() {
  unsigned char buf[32];
  if (RAND_bytes(buf, sizeof buf) != 1) return {};
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char b : buf) {
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

// max_connections means nothing if the process runs out of descriptors
// first (Debian's soft limit is 1024): raise the soft limit to what the
// limit needs, within the hard limit, and say so when that is not enough.
void raise_fd_limit(std::uint64_t max_connections) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  const rlim_t want = max_connections == 0 ? r.rlim_max : static_cast<rlim_t>(max_connections + 64);
  if (r.rlim_cur >= want) return;
  r.rlim_cur = std::min(want, r.rlim_max);
  (void)setrlimit(RLIMIT_NOFILE, &r);
  if (r.rlim_cur < want)
    resockd::log_line("warning: file descriptor limit " + std::to_string(r.rlim_cur) +
                      " is below max_connections; raise it (ulimit -n) or lower --max-connections");
}

struct process {
  uv_loop_t* loop = nullptr;
  resock::server* srv = nullptr;
  resockd::app* application = nullptr;
  uv_signal_t sigterm{};
  uv_signal_t sigint{};
  bool stopping = false;
  bool forced = false;
};

void on_signal(uv_signal_t* h, int signum) {
  auto* p = static_cast<process*>(h->data);
  if (p->stopping) {
    // A second signal while stopping: the operator insists. Leave the loop
    // now; main still prints the stats.
    resockd::log_line("event=shutdown forced=true");
    p->forced = true;
    uv_stop(p->loop);
    return;
  }
  p->stopping = true;
  resockd::log_line(std::string("event=shutdown signal=") +
                    (signum == SIGTERM ? "SIGTERM" : "SIGINT"));
  p->srv->stop(1001);
  p->application->stop();
  // The signal handles themselves must go too, or the loop never ends.
  uv_close(reinterpret_cast<uv_handle_t*>(&p->sigterm), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&p->sigint), nullptr);
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  const char* env = std::getenv("RESOCK_SECRET");
  auto parsed =
      resockd::parse_args(args, env ? std::optional<std::string_view>(env) : std::nullopt);
  switch (parsed.what) {
    case resockd::parse_result::action::help:
      std::fputs(resockd::help_text().c_str(), stdout);
      return 0;
    case resockd::parse_result::action::version:
      std::printf("resockd %d.%d.%d\n", RESOCK_VERSION_MAJOR, RESOCK_VERSION_MINOR,
                  RESOCK_VERSION_PATCH);
      return 0;
    case resockd::parse_result::action::error:
      std::fprintf(stderr, "resockd: %s (try --help)\n", parsed.error.c_str());
      return 2;
    case resockd::parse_result::action::run:
      break;
  }
  resockd::config& cfg = parsed.cfg;
  std::signal(SIGPIPE, SIG_IGN);  // a peer that vanishes must not kill the gateway
  raise_fd_limit(cfg.max_connections);

  if (cfg.secret.empty()) {
    cfg.secret = random_secret();
    if (cfg.secret.empty()) {
      std::fprintf(stderr, "resockd: cannot generate a secret (OpenSSL RAND_bytes failed)\n");
      return 1;
    }
    resockd::log_line(
        "warning: no --secret / RESOCK_SECRET: using a random key; sessions will not survive a "
        "restart");
  }

  resock::server_options opts;
  opts.listen = cfg.listen;
  opts.prefix = cfg.prefix;
  opts.secret = cfg.secret;
  opts.max_message_size = cfg.max_message_size;
  opts.replay_max_messages = cfg.replay_max_messages;
  opts.replay_max_bytes = cfg.replay_max_bytes;
  opts.session_ttl = std::chrono::milliseconds(cfg.session_ttl_ms);
  opts.heartbeat = std::chrono::milliseconds(cfg.heartbeat_ms);
  opts.handshake_timeout = std::chrono::milliseconds(cfg.handshake_timeout_ms);
  opts.slow_consumer = std::chrono::milliseconds(cfg.slow_consumer_ms);
  opts.echo = cfg.echo;
  opts.deflate = cfg.deflate;
  opts.max_connections = cfg.max_connections;
  opts.conn_rate_per_ip =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(cfg.conn_rate_per_ip, UINT32_MAX));
  opts.origins = cfg.origins;
  opts.metrics = cfg.metrics;
  opts.api_key = cfg.api_key;
  opts.tls_cert_file = cfg.tls_cert;
  opts.tls_key_file = cfg.tls_key;
  if (cfg.demo) {
    opts.demo_html = std::string(resockd::assets::demo_html);
    opts.demo_js = std::string(resockd::assets::resock_js);
  }
  opts.log = [](std::string_view line) { resockd::log_line(line); };

  uv_loop_t loop;
  uv_loop_init(&loop);
  auto srv = std::make_unique<resock::server>(&loop, std::move(opts));
  resockd::app application(&loop, *srv, cfg.demo,
                           resockd::auth_options{.jwt_secret = cfg.jwt_secret,
                                                 .jwt_skew = std::chrono::seconds(
                                                     static_cast<std::int64_t>(cfg.jwt_skew_s))});
  application.install();
  if (auto ec = srv->start()) {
    if (!cfg.tls_cert.empty() && ec == std::errc::invalid_argument)
      std::fprintf(stderr, "resockd: cannot use the TLS certificate %s and key %s (reason above)\n",
                   cfg.tls_cert.c_str(), cfg.tls_key.c_str());
    else
      std::fprintf(stderr, "resockd: cannot listen on %s: %s\n", cfg.listen.c_str(),
                   ec.message().c_str());
    srv.reset();
    uv_run(&loop, UV_RUN_DEFAULT);  // let the server's handles close
    uv_loop_close(&loop);
    return 1;
  }
  application.start();
  resockd::log_batch(&loop);

  process p{.loop = &loop, .srv = srv.get(), .application = &application};
  for (auto [h, sig] : {std::pair{&p.sigterm, SIGTERM}, std::pair{&p.sigint, SIGINT}}) {
    uv_signal_init(&loop, h);
    h->data = &p;
    uv_signal_start(h, on_signal, sig);
  }

  std::string host;
  std::uint16_t ignored = 0;
  (void)resockd::split_host_port(cfg.listen, host, ignored);
  std::string where = url_host(host) + ":" + std::to_string(srv->port());
  const bool tls = !cfg.tls_cert.empty();
  const char* ws = tls ? "wss" : "ws";
  if (cfg.demo)
    std::printf("resockd: listening on %s://%s/ (demo), %s://%s%s/ws\n", tls ? "https" : "http",
                where.c_str(), ws, where.c_str(), cfg.prefix.c_str());
  else
    std::printf("resockd: listening on %s://%s%s/ws\n", ws, where.c_str(), cfg.prefix.c_str());
  // Tests start us on port 0 and read this line to learn the port.
  std::printf("PORT %u\n", static_cast<unsigned>(srv->port()));
  std::fflush(stdout);

  uv_run(&loop, UV_RUN_DEFAULT);
  resockd::log_stop();  // what the last turn logged, before the stats line

  const auto& st = application.stats();
  const resock::server_stats ss = srv->stats();
  // One line, key=value, for people and for scripts (bench/session_bench
  // reads encodings= to check that a publish is encoded once).
  std::printf(
      "resockd: stats routes=%llu sessions=%llu disconnects=%llu publishes=%llu encodings=%llu "
      "messages_in=%llu messages_out=%llu resumes=%llu lost=%llu\n",
      static_cast<unsigned long long>(st.routes), static_cast<unsigned long long>(st.sessions),
      static_cast<unsigned long long>(st.disconnects),
      static_cast<unsigned long long>(ss.publishes),
      static_cast<unsigned long long>(ss.payload_encodings),
      static_cast<unsigned long long>(ss.messages_in),
      static_cast<unsigned long long>(ss.messages_out),
      static_cast<unsigned long long>(ss.resumes_ok),
      static_cast<unsigned long long>(ss.resumes_lost));
  std::fflush(stdout);
  // Forced: the server did not finish closing; tearing it down could block
  // on the very thing that hung. Leave without destructors.
  if (p.forced) std::_Exit(1);
  // Destroying the server may close libuv handles; run the loop once more
  // so their close callbacks fire before the loop is closed.
  srv.reset();
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0) resockd::log_line("warning: loop still had open handles at exit");
  return 0;
}
