#include "compliance/cases/case_kit.h"

#include <algorithm>

namespace resock::conformance::cases {

void send_frames(connection& c, const std::vector<frame>& frames, pacing p) {
  for (const frame& f : frames) {
    connection::frame_options o;
    o.fin = f.fin;
    o.rsv = f.rsv;
    o.sync = p == pacing::sync;
    o.chopsize = p == pacing::chop1 ? 1 : 0;
    c.send_frame(f.opcode, f.payload, o);
  }
}

void arm(connection& c, const timer& t) {
  switch (t.type) {
    case timer::kind::none:
      break;
    case timer::kind::close_after:
      c.close_after(t.seconds);
      break;
    case timer::kind::kill_after:
      c.kill_after(t.seconds);
      break;
  }
}

expected_close normal_close() {
  return expected_close{true, {1000}, true, false};
}

expected_close server_fails(std::vector<std::uint32_t> codes) {
  return expected_close{false, std::move(codes), false, false};
}

expected_close server_fails_utf8() {
  return expected_close{false, {1007}, false, true};
}

expected_close fuzzer_closes(std::vector<std::uint32_t> codes, bool clean) {
  return expected_close{true, std::move(codes), clean, false};
}

outcome_lists ok(event_list events) {
  return {{verdict::ok, std::move(events)}};
}

outcome_lists ok_or_non_strict(event_list strict, event_list lenient) {
  return {{verdict::ok, std::move(strict)}, {verdict::non_strict, std::move(lenient)}};
}

namespace {
int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return 0;  // the tables are ours; a typo shows up in cases_test
}
}  // namespace

std::string from_hex(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1])));
  return out;
}

std::string to_hex(std::string_view bytes, std::size_t limit) {
  static constexpr char digits[] = "0123456789abcdef";
  std::size_t n = limit == 0 ? bytes.size() : std::min(limit, bytes.size());
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0F]);
  }
  return out;
}

void scripted_case::on_open(connection& c) {
  expected = script_->expected;
  expect_close = script_->close;
  suppress_close = script_->suppress_close;
  if (script_->run) script_->run(c);
  arm(c, script_->after);
}

void close_case::on_connection_lost(const close_state& s) {
  scripted_case::on_connection_lost(s);
  if (behavior_close == verdict::wrong_code) {
    behavior = verdict::failed;
    result = result_close;
  }
}

double hard_timeout_for(double longest_s) {
  // Beyond the case's own timers the engine may still wait for the close
  // handshake (1 s) and the server's TCP close (1 s); the rest is slack for
  // loaded machines.
  return std::max(10.0, longest_s + 9.0);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(ch);
    }
  }
  return out;
}

}  // namespace resock::conformance::cases
