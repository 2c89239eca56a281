// Figure 5: connection rate. ~50 connectors, each in a loop: TCP connect,
// WebSocket handshake, hello, welcome, then close (close envelope and
// frame) and start over. Counts the sessions opened per second inside a
// measured window; target 10k/s (DESIGN.md). The same loop with plain
// WebSocket handshakes against the lws echo server gives the reference.
#include "envelope.h"
#include "figures.h"
#include "report.h"
#include "ws_client.h"

namespace bench {
namespace {

class rate_driver final : public conn_handler {
 public:
  rate_driver(conn_pool& pool, connect_target target, bool session)
      : pool_(pool), target_(std::move(target)), session_(session) {}

  void on_open(ws_conn& c) override {
    c.collect = session_;
    if (session_)
      c.send_text(hello_envelope);
    else
      opened(c);
  }
  void on_message(ws_conn& c, std::string_view data, std::size_t) override {
    if (!session_) return;
    auto t = envelope_type(data);
    if (t == env_type::welcome) {
      opened(c);
    } else if (t == env_type::error) {
      note_error("server error envelope: " + error_text(data));
      c.close();
    }
  }
  void on_closed(ws_conn&, std::string_view why) override {
    if (stopping_) return;
    if (!why.empty()) note_error(std::string(why));
    pool_.connect(target_, *this, next_++);  // keep the concurrency
  }

  void start(std::size_t concurrency) {
    for (std::size_t i = 0; i < concurrency; ++i)
      pool_.connect(target_, *this, next_++);
  }

  bool measuring = false;
  bool stopping_ = false;
  std::uint64_t opened_ = 0;
  std::uint64_t errors_ = 0;
  std::string first_error_;
  latency_histogram hist;

 private:
  void opened(ws_conn& c) {
    if (measuring) {
      ++opened_;
      hist.record_ns(pool_.now_ns() - c.started_ns());
    }
    if (session_) c.send_text(close_envelope);  // ends the session: nothing to keep
    c.close_after_flush(1000);
  }
  void note_error(std::string e) {
    ++errors_;
    if (first_error_.empty()) first_error_ = std::move(e);
  }

  conn_pool& pool_;
  connect_target target_;
  bool session_;
  std::size_t next_ = 0;
};

struct rate_result {
  double per_s = 0;
  double p50_ms = 0, p99_ms = 0;
  std::uint64_t errors = 0;
  int windows = 0;
  std::string error;
  cpu_usage cpu;
};

rate_result measure(child_server& server, const connect_target& target, bool session,
                    std::size_t concurrency, double warmup_s, double measure_s) {
  rate_result r;
  conn_pool pool;
  rate_driver driver(pool, target, session);
  driver.start(concurrency);
  pool.run_for(warmup_s);
  // Measured again when neither side was near a full core (another
  // process took a core): up to 3 windows, as in load.cpp.
  cpu_window a, b;
  for (r.windows = 1;; ++r.windows) {
    driver.opened_ = 0;
    driver.hist.clear();
    driver.measuring = true;
    a = cpu_window::now(server);
    pool.run_for(measure_s);
    b = cpu_window::now(server);
    driver.measuring = false;
    if (usage_between(a, b).saturated || r.windows == 3) break;
  }
  driver.stopping_ = true;
  pool.close_all();
  r.cpu = usage_between(a, b);
  r.per_s = double(driver.opened_) / (b.wall - a.wall);
  r.p50_ms = driver.hist.percentile_us(0.5) / 1000;
  r.p99_ms = driver.hist.percentile_us(0.99) / 1000;
  r.errors = driver.errors_;
  if (driver.opened_ == 0)
    r.error = server.name() + ": no connection completed" +
              (driver.first_error_.empty() ? "" : ": " + driver.first_error_);
  else if (driver.errors_ > 0)
    r.error = server.name() + ": " + std::to_string(driver.errors_) +
              " failed connections, first: " + driver.first_error_;
  return r;
}

}  // namespace

void figure_rate(bench_context& ctx) {
  constexpr std::size_t concurrency = 50;
  constexpr double target = 10000;
  double warmup = ctx.pick(0.2, 0.5), window = ctx.pick(1, 3);
  rate_result ours, ref;
  {
    // Short TTL: a session whose close envelope was lost does not linger.
    child_server resockd;
    if (!ctx.start_resockd(resockd, {"--session-ttl", "1000"}))
      return ctx.setup_error("rate", resockd.error());
    ours = measure(resockd, {.port = resockd.port(), .path = "/rs/ws", .protocol = "resock.v1"},
                   true, concurrency, warmup, window);
    resockd.stop();
  }
  {
    child_server lws;
    if (!ctx.start_lws(lws)) return ctx.setup_error("rate", lws.error());
    ref = measure(lws, {.port = lws.port(), .path = "/", .protocol = ""}, false, concurrency,
                  warmup, window);
    lws.stop();
  }
  json_line j;
  j.str("figure", "rate")
      .integer("concurrency", std::int64_t(concurrency))
      .num("seconds", window, 1)
      .num("sessions_per_s", ours.per_s, 0)
      .num("open_ms_p50", ours.p50_ms, 2)
      .num("open_ms_p99", ours.p99_ms, 2)
      .num("server_cpu", ours.cpu.server_cpu, 2)
      .num("client_cpu", ours.cpu.client_cpu, 2)
      .str("bottleneck", ours.cpu.bottleneck)
      .boolean("saturated", ours.cpu.saturated)
      .integer("windows", ours.windows)
      .integer("failed", std::int64_t(ours.errors))
      .num("lws_connections_per_s", ref.per_s, 0)
      .num("lws_server_cpu", ref.cpu.server_cpu, 2)
      .num("lws_client_cpu", ref.cpu.client_cpu, 2)
      .num("target", target, 0);
  std::string error = !ours.error.empty() ? ours.error : ref.error;
  if (!error.empty()) {
    ctx.any_error = true;
    j.str("error", error);
  }
  j.boolean("ok", ours.error.empty() && ours.per_s >= target);
  j.print();
}

}  // namespace bench
