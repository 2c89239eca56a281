// Section 5 — Fragmentation (RFC 6455 5.4): control frames must not be
// fragmented, may be interleaved with the fragments of a message, and
// continuation frames are only valid inside a fragmented message.
#include <string>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"

namespace resock::conformance::cases {
namespace {

const std::string kHello = "Hello, world!";
const std::string kNonContinuation = "non-continuation payload";

std::string fragment(int n) {
  return "fragment" + std::to_string(n);
}

std::string pacing_note(pacing p) {
  switch (p) {
    case pacing::sync:
      return " Each frame goes out in its own write.";
    case pacing::chop1:
      return " Every frame goes out one byte per TCP write.";
    case pacing::normal:
      break;
  }
  return "";
}

// A case the server must fail with 1002.
case_info must_fail(std::string id, std::vector<frame> frames, pacing p, std::string description,
                    outcome_lists expected = ok({})) {
  script s;
  s.expected = std::move(expected);
  s.close = server_fails({1002});
  s.after = kill_after(1);
  s.run = [frames = std::move(frames), p](connection& c) { send_frames(c, frames, p); };
  return make_scripted(std::move(id), description + pacing_note(p),
                       "The server fails the connection; nothing is echoed.", std::move(s), 1);
}

// A valid fragmented message (optionally with a ping in the middle).
case_info must_echo(std::string id, bool with_ping, pacing p) {
  std::vector<frame> frames{{op_text, fragment(1), false}};
  event_list expected;
  if (with_ping) {
    frames.push_back({op_ping, "ping payload"});
    expected.push_back(pong("ping payload"));
  }
  frames.push_back({op_continuation, fragment(2)});
  expected.push_back(echo(fragment(1) + fragment(2)));
  script s;
  s.expected = ok(std::move(expected));
  s.after = close_after(1);
  s.run = [frames = std::move(frames), p](connection& c) { send_frames(c, frames, p); };
  std::string description = with_ping
                                ? "Send a text message in two fragments with a ping between them."
                                : "Send a text message in two fragments.";
  std::string expectation =
      with_ping ? "A pong for the ping, then the reassembled message \"fragment1fragment2\"; "
                  "normal close."
                : "The reassembled message \"fragment1fragment2\" is echoed; normal close.";
  return make_scripted(std::move(id), description + pacing_note(p), std::move(expectation),
                       std::move(s), 1);
}

// 5.19 / 5.20: the message stays open across a 1 s pause during which a
// ping must still be answered.
case_info paused_message(std::string id, pacing p) {
  script s;
  s.expected = ok({pong("pongme 1!"), pong("pongme 2!"),
                   echo(fragment(1) + fragment(2) + fragment(3) + fragment(4) + fragment(5))});
  s.run = [p](connection& c) {
    send_frames(c,
                {{op_text, fragment(1), false},
                 {op_continuation, fragment(2), false},
                 {op_ping, "pongme 1!"}},
                p);
    c.continue_later(1, [&c, p] {
      send_frames(c,
                  {{op_continuation, fragment(3), false},
                   {op_continuation, fragment(4), false},
                   {op_ping, "pongme 2!"},
                   {op_continuation, fragment(5)}},
                  p);
      c.close_after(1);
    });
  };
  return make_scripted(
      std::move(id),
      "Send a text message in five fragments: two fragments and a ping, a 1 second pause, "
      "then two more fragments, a second ping and the last fragment." +
          pacing_note(p),
      "The first pong arrives during the pause, while the message is still incomplete; then "
      "the second pong and the whole message (45 bytes); normal close.",
      std::move(s), 2);
}

}  // namespace

void add_section5_fragmentation(std::vector<case_info>& out) {
  out.push_back(must_fail("5.1", {{op_ping, fragment(1), false}, {op_continuation, fragment(2)}},
                          pacing::normal, "Send a ping in two fragments."));
  out.push_back(must_fail("5.2", {{op_pong, fragment(1), false}, {op_continuation, fragment(2)}},
                          pacing::normal, "Send a pong in two fragments."));
  out.push_back(must_echo("5.3", false, pacing::normal));
  out.push_back(must_echo("5.4", false, pacing::sync));
  out.push_back(must_echo("5.5", false, pacing::chop1));
  out.push_back(must_echo("5.6", true, pacing::normal));
  out.push_back(must_echo("5.7", true, pacing::sync));
  out.push_back(must_echo("5.8", true, pacing::chop1));
  const pacing paces[] = {pacing::normal, pacing::sync, pacing::chop1};
  int n = 9;
  for (pacing p : paces)
    out.push_back(must_fail("5." + std::to_string(n++),
                            {{op_continuation, kNonContinuation}, {op_text, kHello}}, p,
                            "Send a final continuation frame with no message to continue, then "
                            "a text message."));
  for (pacing p : paces)
    out.push_back(must_fail("5." + std::to_string(n++),
                            {{op_continuation, kNonContinuation, false}, {op_text, kHello}}, p,
                            "Send a non-final continuation frame with no message to continue, "
                            "then a text message."));
  {
    // The first message is valid; the stray continuation after it is not.
    std::vector<frame> frames{{op_text, fragment(1), false},
                              {op_continuation, fragment(2)},
                              {op_continuation, fragment(3), false},
                              {op_text, fragment(4)}};
    case_info info = must_fail("5.15", std::move(frames), pacing::normal,
                               "Send a valid two-fragment text message, then a continuation "
                               "frame with no message to continue and a text frame.",
                               ok_or_non_strict({echo(fragment(1) + fragment(2))}, {}));
    info.expectation =
        "The first message is echoed, then the server fails the connection at the stray "
        "continuation. Failing before echoing is accepted as non-strict.";
    out.push_back(std::move(info));
  }
  {
    std::vector<frame> once{{op_continuation, fragment(1), false},
                            {op_text, fragment(2), false},
                            {op_continuation, fragment(3)}};
    std::vector<frame> twice = once;
    twice.insert(twice.end(), once.begin(), once.end());
    out.push_back(must_fail("5.16", std::move(twice), pacing::normal,
                            "Twice: a non-final continuation with no message to continue, then "
                            "a two-fragment text message."));
  }
  {
    std::vector<frame> once{{op_continuation, fragment(1)},
                            {op_text, fragment(2), false},
                            {op_continuation, fragment(3)}};
    std::vector<frame> twice = once;
    twice.insert(twice.end(), once.begin(), once.end());
    out.push_back(must_fail("5.17", std::move(twice), pacing::normal,
                            "Twice: a final continuation with no message to continue, then a "
                            "two-fragment text message."));
  }
  out.push_back(must_fail("5.18", {{op_text, fragment(1), false}, {op_text, fragment(2)}},
                          pacing::normal,
                          "Send a text message in two fragments whose second fragment is a "
                          "new text frame instead of a continuation."));
  out.push_back(paused_message("5.19", pacing::normal));
  out.push_back(paused_message("5.20", pacing::sync));
}

}  // namespace resock::conformance::cases
