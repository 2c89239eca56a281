// Building blocks shared by the case sections: frame shorthands, the
// standard close expectations of Autobahn (NC, FAIL, FAILU), and
// `scripted_case`, the common shape "run a script at open, arm one timer,
// compare events" that most cases of sections 1-7 reduce to. Internal to
// compliance/cases/.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compliance/test_case.h"

namespace resock::conformance::cases {

// Opcodes, named as RFC 6455 5.2 does.
inline constexpr std::uint8_t op_continuation = 0;
inline constexpr std::uint8_t op_text = 1;
inline constexpr std::uint8_t op_binary = 2;
inline constexpr std::uint8_t op_close = 8;
inline constexpr std::uint8_t op_ping = 9;
inline constexpr std::uint8_t op_pong = 10;

// One frame of a case script. Any opcode and RSV value is allowed: the
// point of most cases is to send what a correct client never would.
struct frame {
  std::uint8_t opcode = op_text;
  std::string payload;
  bool fin = true;
  std::uint8_t rsv = 0;
};

// How a list of frames goes onto the wire: as the engine pleases, each frame
// as its own write (sync), or each frame cut into one-byte writes.
enum class pacing : std::uint8_t { normal, sync, chop1 };

void send_frames(connection& c, const std::vector<frame>& frames, pacing p = pacing::normal);

// The timer a case arms after its script (Autobahn closeAfter / killAfter).
struct timer {
  enum class kind : std::uint8_t { none, close_after, kill_after };
  kind type = kind::none;
  double seconds = 0;
};
[[nodiscard]] inline timer close_after(double s) {
  return {timer::kind::close_after, s};
}
[[nodiscard]] inline timer kill_after(double s) {
  return {timer::kind::kill_after, s};
}
void arm(connection& c, const timer& t);

// Standard close expectations (spec §3 notation).
// NC: the fuzzer closes with 1000 once it has what it expected, cleanly.
[[nodiscard]] expected_close normal_close();
// FAIL(codes): the server fails the connection first; clean not required.
[[nodiscard]] expected_close server_fails(std::vector<std::uint32_t> codes = {1002});
// FAILU: as FAIL(1007), and a fuzzer-side close also fails the behaviour.
[[nodiscard]] expected_close server_fails_utf8();
// The fuzzer closes first with a code from `codes`.
[[nodiscard]] expected_close fuzzer_closes(std::vector<std::uint32_t> codes, bool clean);

using outcome_lists = std::vector<std::pair<verdict, event_list>>;
[[nodiscard]] outcome_lists ok(event_list events);
[[nodiscard]] outcome_lists ok_or_non_strict(event_list strict, event_list lenient);

[[nodiscard]] inline event echo(std::string p) {
  return event::message(std::move(p), false);
}
[[nodiscard]] inline event echo_binary(std::string p) {
  return event::message(std::move(p), true);
}
[[nodiscard]] inline event pong(std::string p) {
  return event::pong(std::move(p));
}

// Decodes a hex string ("cebae1"); the case tables are written in hex.
[[nodiscard]] std::string from_hex(std::string_view hex);
// Lower-case hex of `bytes`, at most `limit` bytes (0 = all).
[[nodiscard]] std::string to_hex(std::string_view bytes, std::size_t limit = 0);

// The data behind a scripted case.
struct script {
  std::function<void(connection&)> run;  // sends the frames
  outcome_lists expected;
  expected_close close = normal_close();
  timer after;  // armed after `run`
  bool suppress_close = false;
};

// Runs a `script`. Expectations are installed at open, not at construction:
// a case whose WebSocket never opens must keep an empty `expected` so that
// it stays FAILED (an OK [] list would otherwise match the empty
// `received`).
class scripted_case : public test_case {
 public:
  explicit scripted_case(std::shared_ptr<const script> s) : script_(std::move(s)) {}
  void on_open(connection& c) override;

 protected:
  std::shared_ptr<const script> script_;
};

// Autobahn's section 7 rule: a WRONG CODE close verdict makes the
// behaviour FAILED too (the wrong code is the behaviour under test).
class close_case : public scripted_case {
 public:
  using scripted_case::scripted_case;
  void on_connection_lost(const close_state& s) override;
};

// The engine's own bound for a case whose timers add up to `longest_s`.
[[nodiscard]] double hard_timeout_for(double longest_s);

// Builds the registry entry of a scripted case. `longest_s` is the total
// time the script may take by itself (waits plus its timer); the hard
// timeout adds a margin to it for the close handshake and slow servers.
template <class Case = scripted_case>
[[nodiscard]] case_info make_scripted(std::string id, std::string description,
                                      std::string expectation, script s, double longest_s) {
  auto shared = std::make_shared<const script>(std::move(s));
  case_info info;
  info.id = std::move(id);
  info.description = std::move(description);
  info.expectation = std::move(expectation);
  info.make = [shared]() -> std::unique_ptr<test_case> { return std::make_unique<Case>(shared); };
  info.hard_timeout_s = hard_timeout_for(longest_s);
  return info;
}

// Escapes &, < and > for the HTML of descriptions.
[[nodiscard]] std::string html_escape(std::string_view text);

}  // namespace resock::conformance::cases
