// The driver's settings (load_test.sh passes them; --help lists them).
// The server-side limits are repeated here because the checks depend on
// them: a slowloris must be dropped after --handshake-timeout, not before.
#pragma once

#include <cstdint>
#include <string>

namespace load {

struct options {
  std::uint16_t port = 0;
  int pid = 0;      // resockd's, for VmRSS and liveness
  std::string log;  // resockd's stderr (its connection events)
  std::size_t sessions = 2000;
  std::size_t rooms = 40;            // channels "room:0".. ; session i is in room i % rooms
  double rate = 500;                 // room publishes per second, all publishers together
  std::size_t busy_subscribers = 8;  // sessions 0..n-1 also subscribe to "busy"
  double busy_rate = 100;            // publishes per second to "busy" (by session 0)
  std::size_t busy_size = 16384;     // payload bytes of each of them
  double duration_s = 30;            // the window in which load and attacks run
  double setup_rate = 400;           // new well-behaved sessions per second at the start
  std::size_t storm = 1000;          // clients per reconnect storm
  int storm_rounds = 4;
  std::size_t malformed = 4;  // sessions flooding malformed envelopes
  std::size_t slowloris = 8;  // slowloris connections open at once
  // resockd's flags, for the checks.
  std::uint64_t handshake_timeout_ms = 2000;
  std::uint64_t slow_consumer_ms = 2000;
  std::uint64_t session_ttl_ms = 5000;
  std::size_t max_message = 65536;
  double settle_s = 3;    // after every session ended and the TTL passed, before "after" RSS
  bool check_rss = true;  // false for a warm-up run (load_test.sh --warmup-run)
};

// Parses argv; prints a message and returns false on a bad or missing flag.
bool parse_options(int argc, char** argv, options& o);

}  // namespace load
