#include "attacks.h"

#include <algorithm>

#include "envelope.h"

namespace load {
namespace {

constexpr std::uint64_t k_round_ms = 20;
constexpr std::uint64_t k_oversized_every = 50;  // rounds: about once a second per flooder
constexpr std::size_t k_max_unanswered = 300;    // do not flood faster than answers come

// The code of an error envelope: `"code":"..."`.
std::string_view error_code(std::string_view json) {
  constexpr std::string_view key = R"("code":")";
  auto at = json.find(key);
  if (at == std::string_view::npos) return {};
  auto start = at + key.size();
  auto end = json.find('"', start);
  return end == std::string_view::npos ? std::string_view() : json.substr(start, end - start);
}

constexpr std::string_view k_codes[] = {"bad_json", "unknown_type", "unknown_route", "too_big"};

}  // namespace

// --- malformed_flood -----------------------------------------------------------

malformed_flood::malformed_flood(const options& o, bench::conn_pool& pool,
                                 bench::connect_target target)
    : o_(o), pool_(pool), target_(std::move(target)), flooders_(o.malformed) {
  bench::build_msg(oversized_, 1, "x", false, "\"" + std::string(o.max_message + 100, 'o') + "\"");
}

void malformed_flood::problem(std::string what) {
  if (problem_.empty()) problem_ = std::move(what);
}

void malformed_flood::start() {
  running_ = true;
  ticker_ = std::make_unique<ticker>(pool_.loop(), k_round_ms, [this] { round(); });
}

void malformed_flood::stop() {
  running_ = false;
  ticker_.reset();
}

void malformed_flood::round() {
  std::uint64_t now = pool_.refresh_now();
  for (std::size_t j = 0; j < flooders_.size(); ++j) {
    flooder& f = flooders_[j];
    if (f.conn == nullptr) {
      if (running_ && now >= f.retry_at_ns) {
        f = flooder{};
        f.conn = pool_.connect(target_, *this, j);
      }
      continue;
    }
    if (!f.welcomed || f.oversized_sent || f.pending.size() - f.answered > k_max_unanswered)
      continue;
    f.conn->send_text("this is not JSON {");
    f.conn->send_text(R"({"t":"no_such_type","x":1})");
    bench::build_msg(scratch_, f.next_c++, "no.such.route", false, R"({"n":1})");
    f.conn->send_text(scratch_);
    for (kind k : {not_json, unknown_type, unknown_route}) {
      f.pending.push_back(k);
      ++sent_[k];
    }
    if (++f.rounds % k_oversized_every == 0) {
      f.conn->send_text(oversized_);
      f.pending.push_back(too_big);
      ++sent_[too_big];
      f.oversized_sent = true;  // nothing more on this connection
    }
  }
}

void malformed_flood::on_open(bench::ws_conn& c) {
  c.collect = true;
  c.send_text(bench::hello_envelope);
}

void malformed_flood::on_message(bench::ws_conn& c, std::string_view data, std::size_t) {
  flooder& f = flooders_[c.index()];
  switch (bench::envelope_type(data)) {
    case bench::env_type::welcome:
      f.welcomed = true;
      break;
    case bench::env_type::error: {
      std::string_view code = error_code(data);
      if (f.answered < f.pending.size() && code == k_codes[f.pending[f.answered]]) {
        ++answered_[f.pending[f.answered]];
        ++f.answered;
      } else {
        ++wrong_;
        problem("malformed: unexpected " + bench::error_text(data) + " (expected " +
                (f.answered < f.pending.size() ? std::string(k_codes[f.pending[f.answered]])
                                               : std::string("nothing")) +
                ")");
      }
      break;
    }
    case bench::env_type::ack:  // of the unknown-route messages: processed
    case bench::env_type::pong:
      break;
    case bench::env_type::ping:
      c.send_text(R"({"t":"pong"})");
      break;
    default:
      ++wrong_;
      problem("malformed: unexpected " + bench::error_text(data));
      break;
  }
}

void malformed_flood::on_closed(bench::ws_conn& c, std::string_view why) {
  flooder& f = flooders_[c.index()];
  bool all_answered = f.answered == f.pending.size();
  if (ending_) {
    // Our own close.
  } else if (f.oversized_sent && why.find("close 1009") != std::string_view::npos && all_answered) {
    ++closes_1009_;
  } else if (!f.welcomed && why.find("HTTP 429") != std::string_view::npos) {
    // A reconnect during a storm second: refused by the per-IP rate; retry.
  } else {
    ++wrong_;
    problem("malformed: connection closed (" + std::string(why) + ") with " +
            std::to_string(f.pending.size() - f.answered) + " envelope(s) unanswered" +
            (f.oversized_sent ? ", after the oversized one" : ""));
  }
  f.conn = nullptr;
  f.welcomed = false;
  f.retry_at_ns = pool_.now_ns() + 100'000'000;
}

bool malformed_flood::settled() const {
  return std::all_of(flooders_.begin(), flooders_.end(), [](const flooder& f) {
    return f.conn == nullptr || f.answered == f.pending.size();
  });
}

void malformed_flood::close_all() {
  ending_ = true;
  stop();
  for (flooder& f : flooders_)
    if (f.conn != nullptr) {
      f.conn->send_text(bench::close_envelope);
      f.conn->close_after_flush(1000);
    }
  (void)pool_.run_until(
      [&] {
        return std::all_of(flooders_.begin(), flooders_.end(),
                           [](const flooder& f) { return f.conn == nullptr; });
      },
      20);
}

std::uint64_t malformed_flood::errors_total() const {
  std::uint64_t n = 0;
  for (auto a : answered_)
    n += a;
  return n;
}

// --- reconnect_storm -----------------------------------------------------------

reconnect_storm::reconnect_storm(const options& o, bench::conn_pool& pool,
                                 bench::connect_target target)
    : o_(o), pool_(pool), target_(std::move(target)) {}

void reconnect_storm::round() {
  round_start_ns_ = pool_.refresh_now();
  welcomed_.assign(o_.storm, 0);
  live_ = o_.storm;
  ++f_.rounds;
  f_.clients += o_.storm;
  for (std::size_t j = 0; j < o_.storm; ++j)
    pool_.connect(target_, *this, j);
}

void reconnect_storm::on_open(bench::ws_conn& c) {
  c.collect = true;
  c.send_text(bench::hello_envelope);
}

void reconnect_storm::on_message(bench::ws_conn& c, std::string_view data, std::size_t) {
  if (bench::envelope_type(data) != bench::env_type::welcome) {
    problem_ = problem_.empty() ? "storm: unexpected " + bench::error_text(data) : problem_;
    return;
  }
  if (welcomed_[c.index()]) return;
  welcomed_[c.index()] = 1;
  ++f_.welcomed;
  if (c.index() % 2 == 0) {
    c.send_text(bench::close_envelope);  // ends the session
    c.close_after_flush(1000);
  } else {
    c.close();  // drops the connection: the session waits for its TTL
  }
}

void reconnect_storm::on_closed(bench::ws_conn& c, std::string_view why) {
  if (!welcomed_[c.index()]) {
    if (why.find("HTTP 429") != std::string_view::npos) {
      ++f_.refused_429;
    } else {
      ++f_.failed;
      if (problem_.empty()) problem_ = "storm client failed: " + std::string(why);
    }
  }
  if (--live_ == 0)
    f_.slowest_round_s =
        std::max(f_.slowest_round_s, double(pool_.refresh_now() - round_start_ns_) / 1e9);
}

}  // namespace load
