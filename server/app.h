// The gateway's application side: the connect / disconnect hooks, the
// routes ("count" always, "chat" and the "counter" ticker for the demo
// page) and the counters printed in the final stats line. Kept apart from
// main.cpp so the process plumbing (flags, signals) stays small.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "resock/server.h"

namespace resockd {

// Auth at connect: with a JWT secret every session needs a valid HS256
// token (hello.auth or Authorization: Bearer); its "sub" is the identity
// and its "channels" claim the channel rights. Without one, everyone is
// admitted (the demo has no accounts).
struct auth_options {
  std::string jwt_secret;
  std::chrono::seconds jwt_skew{30};
};

struct app_stats {
  std::uint64_t routes = 0;       // route handler runs, all routes
  std::uint64_t sessions = 0;     // sessions admitted by the connect hook
  std::uint64_t disconnects = 0;  // disconnect hook runs
};

class app {
 public:
  // `srv` and `loop` must outlive the app. `demo` adds the chat route and
  // the 1 Hz counter channel.
  app(uv_loop_t* loop, resock::server& srv, bool demo, auth_options auth = {});
  app(const app&) = delete;
  app& operator=(const app&) = delete;

  // Registers hooks and routes; call before srv.start().
  void install();
  // Starts the demo ticker (after a successful srv.start()).
  void start();
  // Closes the ticker so the loop can end; the close completes on the loop.
  void stop();

  [[nodiscard]] const app_stats& stats() const { return stats_; }

 private:
  void on_count(const resock::message& m);
  void on_chat(const resock::message& m);
  static void on_tick(uv_timer_t* t);

  uv_loop_t* loop_;
  resock::server& srv_;
  bool demo_;
  auth_options auth_;
  uv_timer_t ticker_{};
  bool ticker_open_ = false;
  std::uint64_t counter_ = 0;
  std::uint64_t guests_ = 0;
  app_stats stats_;
  // Runs of the "count" route per live session: the n of its replies. A
  // handler that ran twice for one client message makes n drift from c,
  // which is what the chaos test looks for.
  // Keyed by sid; looked up by string_view without building a string (the
  // count route runs per message in the benchmarks).
  struct sid_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::uint64_t, sid_hash, std::equal_to<>> count_runs_;
};

}  // namespace resockd
