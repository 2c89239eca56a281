// The fuzzing client's engine: runs one case against one server on its own
// libuv loop — TCP (and TLS for wss://, through OpenSSL), the opening
// handshake, the case script, the fuzzer's reactions (auto pong, close
// handshake, timers) and the hard time bound — and returns what it saw.
#pragma once

#include <string>
#include <vector>

#include "compliance/case_result.h"
#include "compliance/test_case.h"

namespace resock::conformance {

struct server_target {
  std::string agent;  // report name of the server under test
  std::string url;    // ws://host:port/path?query or wss://...
  std::string origin; // sent as Origin when non-empty
  std::vector<std::string> protocols;  // offered subprotocols
};

struct engine_options {
  double connect_timeout_s = 5;         // TCP connect (+ TLS) bound
  double open_handshake_timeout_s = 5;  // Autobahn openHandshakeTimeout
  double close_handshake_timeout_s = 1; // Autobahn closeHandshakeTimeout
  double server_drop_timeout_s = 1;     // Autobahn serverConnectionDropTimeout
  double hard_timeout_scale = 1;        // multiplies case_info::hard_timeout_s
  std::string ca_file;                  // wss: trust this CA (PEM) instead of the system's
  bool insecure = false;                // wss: do not verify the certificate
};

// Runs `info` against `target`. Never throws; engine failures end up in
// result.engine_error with the case FAILED. Blocking; thread-compatible
// (one call at a time per thread).
[[nodiscard]] case_result run_case(const server_target& target, const case_info& info,
                                   const engine_options& options);

// Parses a ws:// or wss:// URL. Returns false with `error` set on a bad URL.
struct parsed_url {
  bool tls = false;
  std::string host;
  int port = 0;
  std::string resource;  // path + query, "/" when empty
};
[[nodiscard]] bool parse_ws_url(const std::string& url, parsed_url& out, std::string& error);

}  // namespace resock::conformance
