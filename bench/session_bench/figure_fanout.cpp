// Figure 3: fan-out. N WebSocket sessions subscribe to channel "fan"; one
// more session publishes to it P times, one publish at a time, each
// waiting until every subscriber got it. Reports deliveries/s, the time
// until the first and the last subscriber got each publish, and payload
// encodings per publish from resockd's stats line (DESIGN.md: a publish
// is encoded once, not once per subscriber).
#include <algorithm>

#include "envelope.h"
#include "figures.h"
#include "load.h"

namespace bench {
namespace {

constexpr std::uint64_t k_ack_every = 64;

struct publish_record {
  std::uint64_t sent_ns = 0;
  std::uint64_t first_ns = 0;
  std::uint64_t last_ns = 0;
  std::size_t delivered = 0;
};

class fanout_driver final : public conn_handler {
 public:
  fanout_driver(std::size_t subscribers, std::size_t publishes, conn_pool& pool)
      : n_(subscribers), pool_(pool), acks_(subscribers + 1), records_(publishes + 1) {}

  void on_open(ws_conn& c) override {
    c.collect = true;
    c.send_text(hello_envelope);
  }

  void on_message(ws_conn& c, std::string_view data, std::size_t) override {
    switch (envelope_type(data)) {
      case env_type::welcome:
        if (c.index() < n_) {
          c.send_text(sub_envelope("fan"));
        } else {
          publisher_ = &c;
        }
        break;
      case env_type::suback:
        ++subscribed_;
        break;
      case env_type::msg: {
        auto k = find_in_data(data, "k");
        if (!k || *k == 0 || *k >= records_.size()) {
          set_error("unexpected msg: " + error_text(data));
          break;
        }
        auto& r = records_[*k];
        if (r.delivered++ == 0) r.first_ns = pool_.now_ns();
        r.last_ns = pool_.now_ns();
        auto& a = acks_[c.index()];
        if (auto s = find_uint(data, "s")) a.last = *s;
        if (a.last - a.acked >= k_ack_every) {
          a.acked = a.last;
          c.send_text(ack_envelope(a.acked));
        }
        break;
      }
      case env_type::error:
        set_error("server error envelope: " + error_text(data));
        break;
      default:
        break;
    }
  }

  void on_closed(ws_conn& c, std::string_view why) override {
    if (&c == publisher_) publisher_ = nullptr;
    if (!stopping_)
      set_error("connection " + std::to_string(c.index()) +
                " closed: " + (why.empty() ? std::string("by us") : std::string(why)));
  }

  void publish(std::uint64_t k, std::string_view payload) {
    build_msg(scratch_, k, "fan", true, payload);
    records_[k].sent_ns = pool_.refresh_now();
    if (publisher_) publisher_->send_text(scratch_);
  }

  void stop() { stopping_ = true; }
  [[nodiscard]] std::size_t subscribed() const { return subscribed_; }
  [[nodiscard]] bool publisher_ready() const { return publisher_ != nullptr; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] const publish_record& record(std::size_t k) const { return records_[k]; }

 private:
  struct ack_state {
    std::uint64_t last = 0, acked = 0;
  };
  void set_error(std::string e) {
    if (error_.empty()) error_ = std::move(e);
  }

  std::size_t n_;
  conn_pool& pool_;
  ws_conn* publisher_ = nullptr;
  std::size_t subscribed_ = 0;
  bool stopping_ = false;
  std::vector<ack_state> acks_;
  std::vector<publish_record> records_;
  std::string scratch_;
  std::string error_;
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void run_fanout(bench_context& ctx, std::size_t n, std::size_t publishes) {
  json_line j;
  j.str("figure", "fanout").integer("subscribers", std::int64_t(n));
  if (ctx.fd_limit < n + 64) {
    ctx.any_error = true;
    j.integer("fd_limit", std::int64_t(ctx.fd_limit))
        .str("error", "RLIMIT_NOFILE too low for this many sockets")
        .boolean("ok", false)
        .print();
    return;
  }
  // One resockd per N: its exit stats then count this figure's encodings only.
  child_server resockd;
  if (!ctx.start_resockd(resockd)) return ctx.setup_error("fanout", resockd.error());
  std::string error;
  std::vector<double> first_ms, last_ms;
  double total_s = 0;
  cpu_usage cpu;
  {
    conn_pool pool;
    fanout_driver driver(n, publishes, pool);
    connect_target target{.port = resockd.port(), .path = "/rs/ws", .protocol = "resock.v1"};
    for (std::size_t i = 0; i <= n; ++i)
      pool.connect(target, driver, i);
    double open_timeout = 30 + double(n) / 200;
    auto t_open = uv_hrtime();
    bool ready = pool.run_until(
        [&] {
          return (driver.subscribed() == n && driver.publisher_ready()) || !driver.error().empty();
        },
        open_timeout);
    double open_s = double(uv_hrtime() - t_open) / 1e9;
    j.num("subscribe_s", open_s, 2);
    if (!driver.error().empty()) {
      error = driver.error();
    } else if (!ready) {
      error = "only " + std::to_string(driver.subscribed()) + " of " + std::to_string(n) +
              " subscriptions acknowledged within " + std::to_string(int(open_timeout)) + " s";
    }
    std::string pad(48, 'x');
    auto a = cpu_window::now(resockd);
    for (std::size_t k = 1; k <= publishes && error.empty(); ++k) {
      std::string payload = R"({"k":)" + std::to_string(k) + R"(,"p":")" + pad + R"("})";
      driver.publish(k, payload);
      bool all = pool.run_until(
          [&] { return driver.record(k).delivered >= n || !driver.error().empty(); }, 60);
      if (!driver.error().empty()) {
        error = driver.error();
      } else if (!all) {
        error = "publish " + std::to_string(k) + ": " + std::to_string(driver.record(k).delivered) +
                " of " + std::to_string(n) + " deliveries within 60 s";
      } else {
        const auto& r = driver.record(k);
        first_ms.push_back(double(r.first_ns - r.sent_ns) / 1e6);
        last_ms.push_back(double(r.last_ns - r.sent_ns) / 1e6);
        total_s += double(r.last_ns - r.sent_ns) / 1e9;
      }
    }
    auto b = cpu_window::now(resockd);
    cpu = usage_between(a, b);
    driver.stop();
    pool.close_all();
  }
  std::string out = resockd.stop();
  auto encodings = find_counter(out, "encodings");
  std::size_t done = last_ms.size();
  j.integer("publishes", std::int64_t(done))
      .num("deliveries_per_s", total_s > 0 ? double(done * n) / total_s : 0, 0)
      .num("first_delivery_ms_p50", median(first_ms), 2)
      .num("last_delivery_ms_p50", median(last_ms), 2)
      .num("last_delivery_ms_max",
           last_ms.empty() ? 0 : *std::max_element(last_ms.begin(), last_ms.end()), 2)
      .num("server_cpu", cpu.server_cpu, 2)
      .num("client_cpu", cpu.client_cpu, 2)
      .str("bottleneck", cpu.bottleneck)
      .boolean("saturated", cpu.saturated);
  bool encodings_ok = false;
  if (encodings && done > 0) {
    double per = double(*encodings) / double(done);
    encodings_ok = *encodings == done;
    j.integer("encodings", std::int64_t(*encodings)).num("encodings_per_publish", per, 2);
  } else {
    j.null("encodings").null("encodings_per_publish");
    j.str("encodings_note", "resockd's stats line has no encodings=<n>");
  }
  j.integer("encodings_target", 1);
  if (!error.empty()) {
    ctx.any_error = true;
    j.str("error", error);
  }
  j.boolean("ok", error.empty() && encodings_ok);
  j.print();
}

}  // namespace

void figure_fanout(bench_context& ctx) {
  std::size_t publishes = std::size_t(ctx.pick(3, 20));
  for (std::size_t n : {std::size_t(ctx.pick(100, 1000)), std::size_t(ctx.pick(1000, 10000))})
    run_fanout(ctx, n, publishes);
}

}  // namespace bench
