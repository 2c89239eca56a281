// Everything the engine observed while running one case against one
// server: what the reports (report/) render and the CLI summarises.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compliance/test_case.h"

namespace resock::conformance {

// One wire-log entry, Autobahn's codes: RO/TO (octets), RF/TF (frames),
// CT/CTE (continue_later), KL/KLE (kill_after), TI/TIE (close_after),
// WLM (wire log on/off). `time_ms` (since the case started) is ours.
struct wire_entry {
  std::string code;
  double time_ms = 0;
  std::uint64_t length = 0;  // octets: bytes; frames: payload length (TF: pattern length)
  std::string data;          // first bytes (at most 64) of the octets / payload
  // Frames.
  int opcode = 0;
  bool fin = false;
  int rsv = 0;
  bool masked = false;
  std::string mask_hex;                   // empty: no mask
  std::optional<std::uint64_t> repeat_to; // TF: payload_len
  std::size_t chopsize = 0;               // TF
  bool sync = false;                      // TO / TF
  // Timers.
  double delay_s = 0;
  std::optional<std::string> tag;
  bool flag = false;  // WLM
};

struct case_result {
  std::string agent;
  std::string id;
  int index = 0;  // Autobahn's "case"
  std::string description;
  std::string expectation;

  verdict behavior = verdict::failed;
  verdict behavior_close = verdict::failed;
  std::string result;
  std::string result_close;

  std::string started;       // ISO-8601 UTC with milliseconds, e.g. 2026-11-23T19:30:00.123Z
  double duration_ms = 0;    // open (or connect, for raw cases) to TCP closed
  close_state close;
  std::vector<std::pair<verdict, event_list>> expected;
  expected_close expect_close;
  event_list received;
  std::string http_request;
  std::string http_response;  // the response head as received, "?" if none
  bool report_time = false;
  bool create_wirelog = true;

  std::map<int, std::uint64_t> rx_frame_stats, tx_frame_stats;                 // opcode -> count
  std::map<std::uint64_t, std::uint64_t> rx_octet_stats, tx_octet_stats;      // read/write size -> count
  std::vector<wire_entry> wirelog;

  // Set when the engine itself could not run the case as intended
  // (connection refused, DNS, TLS, hard timeout). The case is then FAILED
  // and this says why, e.g. "connect: connection refused (ECONNREFUSED)".
  std::string engine_error;
};

}  // namespace resock::conformance
