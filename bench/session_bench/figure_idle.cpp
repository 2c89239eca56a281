// Figure 4: memory per idle connection. N sessions (hello/welcome, then
// nothing) on a fresh resockd, N plain WebSocket connections on a fresh
// lws echo server; each server's VmRSS before and after. Target: resockd's
// KB per session at most 2x lws' KB per connection (and DESIGN.md's
// absolute bar: at most 2 KB per idle session).
#include "envelope.h"
#include "figures.h"
#include "report.h"
#include "ws_client.h"

namespace bench {
namespace {

class idle_driver final : public conn_handler {
 public:
  explicit idle_driver(bool session) : session_(session) {}

  void on_open(ws_conn& c) override {
    c.collect = session_;
    if (session_)
      c.send_text(hello_envelope);
    else
      ++ready_;
  }
  void on_message(ws_conn&, std::string_view data, std::size_t) override {
    if (session_ && envelope_type(data) == env_type::welcome) ++ready_;
  }
  void on_closed(ws_conn& c, std::string_view why) override {
    if (!stopping_ && error_.empty())
      error_ = "connection " + std::to_string(c.index()) +
               " closed: " + (why.empty() ? std::string("by us") : std::string(why));
  }

  bool stopping_ = false;
  std::size_t ready_ = 0;
  std::string error_;

 private:
  bool session_;
};

struct idle_result {
  double kb_per = 0;
  long before = 0, after = 0;
  std::string error;
};

idle_result measure(child_server& server, const connect_target& target, bool session, std::size_t n,
                    double settle_s) {
  idle_result r;
  idle_driver driver(session);
  conn_pool pool;
  pool.run_for(settle_s);  // let the fresh server finish starting up
  r.before = server.rss_kb();
  for (std::size_t i = 0; i < n; ++i)
    pool.connect(target, driver, i);
  double timeout = 30 + double(n) / 200;
  bool ok = pool.run_until([&] { return driver.ready_ == n || !driver.error_.empty(); }, timeout);
  // Idle for a moment so that what the server frees after a handshake is freed.
  pool.run_for(settle_s);
  r.after = server.rss_kb();
  if (!driver.error_.empty())
    r.error = server.name() + ": " + driver.error_;
  else if (!ok)
    r.error = server.name() + ": only " + std::to_string(driver.ready_) + " of " +
              std::to_string(n) + " ready within " + std::to_string(int(timeout)) + " s";
  else if (r.before < 0 || r.after < 0)
    r.error = server.name() + ": cannot read VmRSS";
  r.kb_per = double(r.after - r.before) / double(n);
  driver.stopping_ = true;
  pool.close_all();
  return r;
}

}  // namespace

void figure_idle(bench_context& ctx) {
  std::size_t n = std::size_t(ctx.pick(1000, 10000));
  double settle = ctx.pick(0.3, 1);
  json_line j;
  j.str("figure", "idle").integer("connections", std::int64_t(n));
  if (ctx.fd_limit < n + 64) {
    ctx.any_error = true;
    j.integer("fd_limit", std::int64_t(ctx.fd_limit))
        .str("error", "RLIMIT_NOFILE too low for this many sockets")
        .boolean("ok", false)
        .print();
    return;
  }
  idle_result ours, ref;
  {
    child_server resockd;
    if (!ctx.start_resockd(resockd)) return ctx.setup_error("idle", resockd.error());
    ours = measure(resockd, {.port = resockd.port(), .path = "/rs/ws", .protocol = "resock.v1"},
                   true, n, settle);
    resockd.stop();
  }
  {
    child_server lws;
    if (!ctx.start_lws(lws)) return ctx.setup_error("idle", lws.error());
    ref = measure(lws, {.port = lws.port(), .path = "/", .protocol = ""}, false, n, settle);
    lws.stop();
  }
  constexpr double target_ratio = 2, target_kb = 2;
  double ratio = ref.kb_per > 0 ? ours.kb_per / ref.kb_per : 0;
  bool ok = ours.error.empty() && ref.error.empty();
  j.num("resockd_kb_per_session", ours.kb_per, 2)
      .integer("resockd_rss_before_kb", ours.before)
      .integer("resockd_rss_after_kb", ours.after)
      .num("lws_kb_per_connection", ref.kb_per, 2)
      .integer("lws_rss_before_kb", ref.before)
      .integer("lws_rss_after_kb", ref.after)
      .num("ratio", ratio, 2)
      .num("target", target_ratio, 1)
      .boolean("kb_ok", ok && ours.kb_per <= target_kb)
      .num("kb_target", target_kb, 1);
  if (!ok) {
    ctx.any_error = true;
    j.str("error", !ours.error.empty() ? ours.error : ref.error);
  }
  j.boolean("ok", ok && ref.kb_per > 0 && ratio <= target_ratio);
  j.print();
}

}  // namespace bench
