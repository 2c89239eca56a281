// The request/response load shared by the echo and session figures: C
// connections, each keeping W messages of S bytes in flight, a warm-up,
// then a measured window (throughput, latency, both sides' CPU).
#pragma once

#include <cstddef>
#include <string>

#include "process.h"
#include "report.h"
#include "ws_client.h"

namespace bench {

struct load_spec {
  std::size_t connections = 100;
  std::size_t in_flight = 16;
  std::size_t size = 64;  // payload bytes of each request
  double warmup_s = 1;
  double measure_s = 3;
  // false: plain WebSocket echo (the reply is the message itself).
  // true: session envelopes through <prefix>/ws: hello/welcome first, then
  // msg envelopes to route "count", whose reply is a server msg; acks every
  // 64 server messages.
  bool session = false;
  connect_target target;
};

struct load_result {
  bool ok = false;
  std::string error;  // first failure, when !ok
  double msgs_per_s = 0;
  double mb_per_s = 0;  // request payload MB (1e6 bytes) per second
  double p50_us = 0;
  double p99_us = 0;
  std::uint64_t messages = 0;  // replies inside the window
  int windows = 0;             // windows measured (more when one was not saturated)
  cpu_usage cpu;
};

// Runs one load against `server` (already listening). Every phase has a
// deadline; a failure gives ok=false and an error, never a hang.
[[nodiscard]] load_result run_load(const load_spec& spec, const child_server& server);

// "c100_w16_s64": the load's name in the figures.
[[nodiscard]] std::string load_name(const load_spec& spec);

// The members of a result, for a figure's JSON line.
[[nodiscard]] json_line load_json(const load_result& r);

}  // namespace bench
