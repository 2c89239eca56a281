// The fuzzer's wire log and statistics (Autobahn's logOctets/logFrames):
// every read and write size, every frame by opcode, and, while the wire
// log is on, the entries of the report. Payloads are kept to their first
// 64 bytes, so 16 MiB messages cost nothing here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "compliance/case_result.h"
#include "resock/wire/frame.h"

namespace resock::conformance::engine_detail {

inline constexpr std::size_t logged_bytes = 64;

class recorder {
 public:
  // `start_ns`: uv_hrtime() at the start of the run (time_ms origin).
  recorder(case_result& r, std::uint64_t start_ns) : r_(r), start_ns_(start_ns) {}

  [[nodiscard]] bool wirelog() const noexcept { return on_; }
  void set_wirelog(bool on);  // adds a WLM entry

  void rx_octets(std::string_view bytes);
  void tx_octets(std::string_view bytes, bool sync);
  // `first`: the first bytes (any number) of the payload, already unmasked.
  void rx_frame(int opcode, bool fin, int rsv, bool masked, const wire::mask_key& mask,
                std::uint64_t length, std::string_view first);
  void tx_frame(int opcode, bool fin, int rsv, const wire::mask_key& mask, std::string_view pattern,
                std::optional<std::uint64_t> repeat_to, std::size_t chopsize, bool sync);
  // CT/CTE, KL/KLE, TI/TIE.
  void timer(const char* code, double delay_s, std::optional<std::string> tag = std::nullopt);
  void timer_end(const char* code, std::optional<std::string> tag = std::nullopt);

  [[nodiscard]] double now_ms() const noexcept;

 private:
  wire_entry& add(const char* code);

  case_result& r_;
  std::uint64_t start_ns_;
  bool on_ = true;
};

}  // namespace resock::conformance::engine_detail

namespace resock::conformance::engine_detail {

// The current UTC time as ISO-8601 with milliseconds, e.g.
// "2026-11-23T19:30:00.123Z" (Autobahn's `started`).
[[nodiscard]] std::string iso_utc_now();

}  // namespace resock::conformance::engine_detail
