#include "compliance/engine/recorder.h"

#include <uv.h>

#include <cstdio>
#include <ctime>

namespace resock::conformance::engine_detail {

namespace {

std::string mask_hex(const wire::mask_key& mask) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : mask) {
    out += digits[b >> 4];
    out += digits[b & 0xF];
  }
  return out;
}

std::string head_of(std::string_view bytes) {
  return std::string(bytes.substr(0, logged_bytes));
}

}  // namespace

double recorder::now_ms() const noexcept {
  return static_cast<double>(uv_hrtime() - start_ns_) / 1e6;
}

wire_entry& recorder::add(const char* code) {
  wire_entry& e = r_.wirelog.emplace_back();
  e.code = code;
  e.time_ms = now_ms();
  return e;
}

void recorder::set_wirelog(bool on) {
  on_ = on;
  r_.create_wirelog = on;
  add("WLM").flag = on;
}

void recorder::rx_octets(std::string_view bytes) {
  ++r_.rx_octet_stats[bytes.size()];
  if (!on_) return;
  wire_entry& e = add("RO");
  e.length = bytes.size();
  e.data = head_of(bytes);
}

void recorder::tx_octets(std::string_view bytes, bool sync) {
  ++r_.tx_octet_stats[bytes.size()];
  if (!on_) return;
  wire_entry& e = add("TO");
  e.length = bytes.size();
  e.data = head_of(bytes);
  e.sync = sync;
}

void recorder::rx_frame(int opcode, bool fin, int rsv, bool masked, const wire::mask_key& mask,
                        std::uint64_t length, std::string_view first) {
  ++r_.rx_frame_stats[opcode];
  if (!on_) return;
  wire_entry& e = add("RF");
  e.length = length;
  e.data = head_of(first);
  e.opcode = opcode;
  e.fin = fin;
  e.rsv = rsv;
  e.masked = masked;
  if (masked) e.mask_hex = mask_hex(mask);
}

void recorder::tx_frame(int opcode, bool fin, int rsv, const wire::mask_key& mask,
                        std::string_view pattern, std::optional<std::uint64_t> repeat_to,
                        std::size_t chopsize, bool sync) {
  ++r_.tx_frame_stats[opcode];
  if (!on_) return;
  wire_entry& e = add("TF");
  e.length = pattern.size();
  e.data = head_of(pattern);
  e.opcode = opcode;
  e.fin = fin;
  e.rsv = rsv;
  e.masked = true;
  e.mask_hex = mask_hex(mask);
  e.repeat_to = repeat_to;
  e.chopsize = chopsize;
  e.sync = sync;
}

void recorder::timer(const char* code, double delay_s, std::optional<std::string> tag) {
  wire_entry& e = add(code);
  e.delay_s = delay_s;
  e.tag = std::move(tag);
}

void recorder::timer_end(const char* code, std::optional<std::string> tag) {
  add(code).tag = std::move(tag);
}

}  // namespace resock::conformance::engine_detail

namespace resock::conformance::engine_detail {

std::string iso_utc_now() {
  uv_timeval64_t tv{};
  uv_gettimeofday(&tv);
  const std::time_t secs = static_cast<std::time_t>(tv.tv_sec);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(tv.tv_usec / 1000));
  return buf;
}

}  // namespace resock::conformance::engine_detail
