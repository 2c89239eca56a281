#include "load.h"

#include <vector>

#include "envelope.h"

namespace bench {
namespace {

constexpr std::uint64_t k_ack_every = 64;
constexpr int k_max_windows = 3;

// Per-connection state. Replies come back in order on one connection
// (echo and route handlers are synchronous), so a FIFO of send times is
// enough to match each reply with its request.
struct conn_state {
  ws_conn* conn = nullptr;
  std::vector<std::uint64_t> sent_ns;  // ring of in_flight send times
  std::vector<std::uint64_t> sent_c;   // matching client seqs (session)
  std::size_t head = 0, used = 0;
  std::uint64_t next_c = 1;
  std::uint64_t last_s = 0, acked_s = 0;
  bool ready = false;  // open (echo) or welcomed (session)
};

class load_driver final : public conn_handler {
 public:
  load_driver(const load_spec& spec, conn_pool& pool)
      : spec_(spec), pool_(pool), payload_(padded_object(spec.size)), states_(spec.connections) {
    for (auto& s : states_) {
      s.sent_ns.resize(spec.in_flight);
      s.sent_c.resize(spec.in_flight);
    }
  }

  void on_open(ws_conn& c) override {
    c.collect = spec_.session;  // echo replies are only counted
    auto& s = states_[c.index()];
    s.conn = &c;
    if (spec_.session) {
      c.send_text(hello_envelope);
    } else {
      s.ready = true;
      ++ready_;
    }
  }

  void on_message(ws_conn& c, std::string_view data, std::size_t size) override {
    auto& s = states_[c.index()];
    if (!spec_.session) {
      complete(c, s, size, 0);
      return;
    }
    switch (envelope_type(data)) {
      case env_type::msg: {
        auto seq = find_uint(data, "s");
        if (seq) s.last_s = *seq;
        if (s.last_s - s.acked_s >= k_ack_every) {
          s.acked_s = s.last_s;
          c.send_text(ack_envelope(s.acked_s));
        }
        auto cseq = find_in_data(data, "c");
        complete(c, s, spec_.size, cseq ? *cseq : 0);
        break;
      }
      case env_type::welcome:
        if (!s.ready) {
          s.ready = true;
          ++ready_;
        }
        break;
      case env_type::error:
        set_error("server error envelope: " + error_text(data));
        break;
      default:  // acks of our messages, pongs
        break;
    }
  }

  void on_closed(ws_conn& c, std::string_view why) override {
    auto& s = states_[c.index()];
    s.conn = nullptr;
    if (!stopping_)
      set_error("connection " + std::to_string(c.index()) +
                " closed: " + (why.empty() ? std::string("by us") : std::string(why)));
  }

  // Fills every connection's window (the load starts).
  void start() {
    pool_.refresh_now();
    for (auto& s : states_)
      for (std::size_t i = 0; i < spec_.in_flight && s.conn; ++i)
        send_one(*s.conn, s);
  }

  void begin_window() {
    measuring_ = true;
    messages_ = 0;
    hist_.clear();
  }
  void end_window() { measuring_ = false; }
  void stop() { stopping_ = true; }

  [[nodiscard]] std::size_t ready() const { return ready_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::uint64_t messages() const { return messages_; }
  [[nodiscard]] const latency_histogram& histogram() const { return hist_; }

 private:
  void set_error(std::string e) {
    if (error_.empty()) error_ = std::move(e);
  }

  void send_one(ws_conn& c, conn_state& s) {
    std::size_t slot = (s.head + s.used) % spec_.in_flight;
    s.sent_ns[slot] = pool_.now_ns();
    s.sent_c[slot] = s.next_c;
    ++s.used;
    if (spec_.session) {
      build_msg(scratch_, s.next_c, "count", false, payload_);
      c.send_text(scratch_);
    } else {
      c.send_text(payload_);
    }
    ++s.next_c;
  }

  void complete(ws_conn& c, conn_state& s, std::size_t size, std::uint64_t cseq) {
    if (s.used == 0) {
      set_error("reply without a request in flight");
      return;
    }
    if (spec_.session && cseq != s.sent_c[s.head])
      set_error("reply for c=" + std::to_string(cseq) + ", expected " +
                std::to_string(s.sent_c[s.head]));
    std::uint64_t sent = s.sent_ns[s.head];
    s.head = (s.head + 1) % spec_.in_flight;
    --s.used;
    if (size != spec_.size)
      set_error("reply of " + std::to_string(size) + " bytes, expected " +
                std::to_string(spec_.size));
    if (measuring_) {
      ++messages_;
      hist_.record_ns(pool_.now_ns() - sent);
    }
    if (!stopping_) send_one(c, s);
  }

  const load_spec& spec_;
  conn_pool& pool_;
  std::string payload_;
  std::string scratch_;
  std::vector<conn_state> states_;
  std::size_t ready_ = 0;
  bool measuring_ = false;
  bool stopping_ = false;
  std::uint64_t messages_ = 0;
  latency_histogram hist_;
  std::string error_;
};

}  // namespace

std::string load_name(const load_spec& spec) {
  return "c" + std::to_string(spec.connections) + "_w" + std::to_string(spec.in_flight) + "_s" +
         std::to_string(spec.size);
}

load_result run_load(const load_spec& spec, const child_server& server) {
  load_result r;
  // Every connection is closed (close_all) before the driver goes, so no
  // callback reaches a destroyed driver.
  conn_pool pool;
  load_driver driver(spec, pool);
  for (std::size_t i = 0; i < spec.connections; ++i)
    pool.connect(spec.target, driver, i);
  bool opened = pool.run_until(
      [&] { return driver.ready() == spec.connections || !driver.error().empty(); }, 30);
  if (!opened || !driver.error().empty()) {
    r.error = !driver.error().empty()
                  ? driver.error()
                  : "only " + std::to_string(driver.ready()) + " of " +
                        std::to_string(spec.connections) + " connections ready within 30 s";
    driver.stop();
    pool.close_all();
    return r;
  }
  driver.start();
  pool.run_for(spec.warmup_s);
  // On this shared 2-core machine another process can take a core for a
  // while; a window where neither side was near a full core measures that,
  // so it is measured again (at most k_max_windows in all).
  cpu_window a, b;
  for (r.windows = 1;; ++r.windows) {
    driver.begin_window();
    a = cpu_window::now(server);
    pool.run_for(spec.measure_s);
    b = cpu_window::now(server);
    driver.end_window();
    if (usage_between(a, b).saturated || r.windows == k_max_windows || !driver.error().empty())
      break;
  }
  driver.stop();
  pool.close_all();

  double wall = b.wall - a.wall;
  r.messages = driver.messages();
  r.msgs_per_s = wall > 0 ? double(r.messages) / wall : 0;
  r.mb_per_s = r.msgs_per_s * double(spec.size) / 1e6;
  r.p50_us = driver.histogram().percentile_us(0.50);
  r.p99_us = driver.histogram().percentile_us(0.99);
  r.cpu = usage_between(a, b);
  r.error = driver.error();
  if (r.error.empty() && r.messages == 0) r.error = "no replies inside the measured window";
  if (r.error.empty() && !server.alive()) r.error = server.name() + " died during the run";
  r.ok = r.error.empty();
  return r;
}

json_line load_json(const load_result& r) {
  json_line j;
  j.num("msgs_per_s", r.msgs_per_s, 0)
      .num("mb_per_s", r.mb_per_s, 2)
      .num("p50_us", r.p50_us, 0)
      .num("p99_us", r.p99_us, 0)
      .num("server_cpu", r.cpu.server_cpu, 2)
      .num("client_cpu", r.cpu.client_cpu, 2)
      .str("bottleneck", r.cpu.bottleneck)
      .boolean("saturated", r.cpu.saturated)
      .integer("windows", r.windows);
  if (!r.ok) j.str("error", r.error);
  return j;
}

}  // namespace bench
