// The attacks that run on the driver's loop, beside the well-behaved
// sessions and against the same server:
// - malformed_flood: a few sessions send, over and over, an envelope that
//   is not JSON, one of an unknown type and a msg for an unknown route;
//   each must be answered by exactly one `error` of the right code on a
//   connection that stays open. Now and then one sends an envelope larger
//   than max_message: `error` too_big, then close 1009; it reconnects.
// - reconnect_storm: `storm` clients connect at once, hello, welcome, and
//   leave (half with a close envelope, half by dropping the connection, so
//   that detached sessions expire too). Refusals with 429 (the per-IP
//   rate) are expected; anything else counts as a failure.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "options.h"
#include "ticker.h"
#include "ws_client.h"

namespace load {

class malformed_flood final : public bench::conn_handler {
 public:
  // The kinds of bad input, in the order of `counts` below.
  enum kind : std::uint8_t { not_json, unknown_type, unknown_route, too_big, kinds };

  malformed_flood(const options& o, bench::conn_pool& pool, bench::connect_target target);
  void start();  // opens the sessions; a round every 20 ms from then on
  void stop();   // no more rounds (answers still arrive)
  // True when every envelope sent was answered (or its connection closed).
  [[nodiscard]] bool settled() const;
  void close_all();  // ends the sessions (close envelope)

  [[nodiscard]] std::uint64_t sent(kind k) const { return sent_[k]; }
  [[nodiscard]] std::uint64_t answered(kind k) const { return answered_[k]; }
  [[nodiscard]] std::uint64_t closes_1009() const { return closes_1009_; }
  [[nodiscard]] std::uint64_t wrong() const { return wrong_; }
  [[nodiscard]] std::uint64_t errors_total() const;
  [[nodiscard]] const std::string& first_problem() const { return problem_; }

  void on_open(bench::ws_conn& c) override;
  void on_message(bench::ws_conn& c, std::string_view data, std::size_t size) override;
  void on_closed(bench::ws_conn& c, std::string_view why) override;

 private:
  struct flooder {
    bench::ws_conn* conn = nullptr;
    bool welcomed = false;
    bool oversized_sent = false;
    std::uint64_t next_c = 1;
    std::uint64_t rounds = 0;
    std::vector<kind> pending;  // kinds sent, answers expected in this order
    std::size_t answered = 0;   // of pending
    std::uint64_t retry_at_ns = 0;
  };
  void round();
  void problem(std::string what);

  const options& o_;
  bench::conn_pool& pool_;
  bench::connect_target target_;
  std::vector<flooder> flooders_;
  std::unique_ptr<ticker> ticker_;
  bool running_ = false, ending_ = false;
  std::array<std::uint64_t, kinds> sent_{}, answered_{};
  std::uint64_t closes_1009_ = 0, wrong_ = 0;
  std::string oversized_, scratch_, problem_;
};

struct storm_figures {
  std::uint64_t clients = 0, welcomed = 0, refused_429 = 0, failed = 0;
  int rounds = 0;
  double slowest_round_s = 0;
};

class reconnect_storm final : public bench::conn_handler {
 public:
  reconnect_storm(const options& o, bench::conn_pool& pool, bench::connect_target target);
  // Starts one round: `storm` connections in this loop turn.
  void round();
  [[nodiscard]] bool round_done() const { return live_ == 0; }
  [[nodiscard]] const storm_figures& figures() const { return f_; }
  [[nodiscard]] const std::string& first_problem() const { return problem_; }

  void on_open(bench::ws_conn& c) override;
  void on_message(bench::ws_conn& c, std::string_view data, std::size_t size) override;
  void on_closed(bench::ws_conn& c, std::string_view why) override;

 private:
  const options& o_;
  bench::conn_pool& pool_;
  bench::connect_target target_;
  std::vector<std::uint8_t> welcomed_;  // per client of the current round
  std::size_t live_ = 0;
  std::uint64_t round_start_ns_ = 0;
  storm_figures f_;
  std::string problem_;
};

}  // namespace load
