// Section 6 — UTF-8 handling (RFC 6455 5.6 and 8.1): text messages must be
// valid UTF-8 as a whole, however they are fragmented, and an endpoint must
// fail the connection (1007) on invalid data — as early as possible
// (6.4, fail-fast) and for every vector of Kuhn's stress test (6.5-6.23).
#include <string>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"
#include "compliance/cases/utf8_vectors.h"

namespace resock::conformance::cases {
namespace {

// "Hello-µ@ßöäüàá-UTF-8!!" (29 bytes) and Greek "kosme" (11 bytes).
const std::string kHelloUtf8 =
    from_hex("48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121");
const std::string kKosme = from_hex("cebae1bdb9cf83cebcceb5");

const char* kEchoExpectation = "The message is echoed unchanged; normal close.";
const char* kFailExpectation =
    "The payload is not valid UTF-8: the server fails the connection (close 1007, or just "
    "TCP close) and echoes nothing. If the fuzzer has to close, the case fails.";

case_info valid_case(std::string id, std::string description, std::vector<frame> frames,
                     std::string whole) {
  script s;
  s.expected = ok({echo(std::move(whole))});
  s.after = close_after(1);
  s.run = [frames = std::move(frames)](connection& c) { send_frames(c, frames); };
  return make_scripted(std::move(id), std::move(description), kEchoExpectation, std::move(s), 1);
}

// Sent with the connection's message API (fragment_size 0 = one frame).
case_info message_case(std::string id, std::string description, std::string payload,
                       std::size_t fragment_size, bool valid, timer after) {
  script s;
  if (valid) {
    s.expected = ok({echo(payload)});
  } else {
    s.expected = ok({});
    s.close = server_fails_utf8();
  }
  s.after = after;
  s.run = [payload = std::move(payload), fragment_size](connection& c) {
    c.send_message(payload, false, fragment_size);
  };
  return make_scripted(std::move(id), std::move(description),
                       valid ? kEchoExpectation : kFailExpectation, std::move(s), after.seconds);
}

// 6.4: the payload is sent in three parts one second apart. The server
// should fail right after the part that makes it invalid (part 2).
class fail_fast_case : public test_case {
 public:
  struct split {
    std::size_t first;   // bytes in part 1
    std::size_t second;  // bytes in part 2; part 3 is the rest
    bool streamed;       // one frame written in pieces, not three frames
  };
  explicit fail_fast_case(split s) : split_(s) {}

  void on_open(connection& c) override {
    expected = ok_or_non_strict({event::timeout("A")}, {event::timeout("A"), event::timeout("B")});
    expect_close = server_fails_utf8();
    send_part(c, 1);
    c.continue_later(
        1,
        [this, &c] {
          if (!c.is_open()) return;
          received.push_back(event::timeout("A"));
          send_part(c, 2);
          c.continue_later(
              1,
              [this, &c] {
                if (!c.is_open()) return;
                received.push_back(event::timeout("B"));
                send_part(c, 3);
                c.kill_after(1);
              },
              "B");
        },
        "A");
  }

  // "kosme", then f4 90 80 80 (would be U+110000), then "edited".
  static std::string payload() { return kKosme + from_hex("f4908080") + "edited"; }

 private:
  void send_part(connection& c, int part) {
    const std::string all = payload();
    std::string bytes;
    if (part == 1) bytes = all.substr(0, split_.first);
    if (part == 2) bytes = all.substr(split_.first, split_.second);
    if (part == 3) bytes = all.substr(split_.first + split_.second);
    if (split_.streamed) {
      if (part == 1) {
        c.begin_message(false);
        c.begin_message_frame(all.size());
      }
      c.send_message_frame_data(bytes);
      if (part == 3) c.end_message();
      return;
    }
    connection::frame_options o;
    o.fin = part == 3;
    c.send_frame(part == 1 ? op_text : op_continuation, bytes, o);
  }

  split split_;
};

case_info fail_fast(std::string id, fail_fast_case::split sp, std::string description) {
  case_info info;
  info.id = std::move(id);
  info.description = std::move(description);
  info.expectation =
      "The first part is valid and must be accepted. Strict: the server fails the connection "
      "(1007) right after the second part, where the data becomes invalid. Non-strict: it "
      "fails only after the whole message. Failing after the first part, or never, fails the "
      "case.";
  info.make = [sp]() -> std::unique_ptr<test_case> { return std::make_unique<fail_fast_case>(sp); };
  info.hard_timeout_s = hard_timeout_for(3);
  return info;
}

std::string kuhn_description(const utf8_vector& v) {
  return "Send a text message in one frame with the payload 0x" + to_hex(v.payload) + ", " +
         (v.valid ? "which is valid UTF-8." : "which is <b>not</b> valid UTF-8.");
}

}  // namespace

void add_section6_utf8(std::vector<case_info>& out) {
  // 6.1 — zero-length fragments.
  out.push_back(
      valid_case("6.1.1", "Send a text message with an empty payload.", {{op_text, ""}}, ""));
  out.push_back(
      valid_case("6.1.2", "Send an empty text message in three empty fragments.",
                 {{op_text, "", false}, {op_continuation, "", false}, {op_continuation, ""}}, ""));
  out.push_back(valid_case("6.1.3",
                           "Send a text message in three fragments: empty, 20 bytes, empty.",
                           {{op_text, "", false},
                            {op_continuation, "middle frame payload", false},
                            {op_continuation, ""}},
                           "middle frame payload"));
  // 6.2 — valid UTF-8, fragmented in various places.
  out.push_back(message_case("6.2.1", "Send a valid UTF-8 text message in one frame.", kHelloUtf8,
                             0, true, close_after(1)));
  out.push_back(valid_case(
      "6.2.2",
      "Send a valid UTF-8 text message in two fragments split on a code "
      "point boundary.",
      {{op_text, kHelloUtf8.substr(0, 15), false}, {op_continuation, kHelloUtf8.substr(15)}},
      kHelloUtf8));
  out.push_back(message_case("6.2.3",
                             "Send a valid UTF-8 text message in one-byte fragments, which split "
                             "multi-byte code points.",
                             kHelloUtf8, 1, true, close_after(1)));
  out.push_back(message_case("6.2.4",
                             "Send the Greek word 'kosme' (valid UTF-8, all code points "
                             "multi-byte) in one-byte fragments.",
                             kKosme, 1, true, close_after(1)));
  // 6.3 — invalid UTF-8 (a UTF-16 surrogate in the middle).
  const std::string surrogate = kKosme + from_hex("eda080") + "edited";
  out.push_back(message_case("6.3.1",
                             "Send a text message in one frame whose payload contains an "
                             "encoded UTF-16 surrogate (invalid UTF-8).",
                             surrogate, 0, false, kill_after(1)));
  out.push_back(message_case("6.3.2",
                             "Send the same invalid text message as 6.3.1 in one-byte fragments.",
                             surrogate, 1, false, kill_after(1)));
  // 6.4 — fail-fast.
  out.push_back(fail_fast("6.4.1", {11, 4, false},
                          "Send a text message in three fragments one second apart; the second "
                          "fragment (f4 90 80 80) makes it invalid UTF-8."));
  out.push_back(fail_fast("6.4.2", {12, 1, false},
                          "Send a text message in three fragments one second apart; the second "
                          "fragment is the single byte 0x90 that makes it invalid UTF-8."));
  out.push_back(fail_fast("6.4.3", {11, 4, true},
                          "Send one 21-byte text frame in three pieces one second apart; the "
                          "second piece (f4 90 80 80) makes it invalid UTF-8. Tests validation "
                          "of partial frames."));
  out.push_back(fail_fast("6.4.4", {12, 1, true},
                          "Send one 21-byte text frame in three pieces one second apart; the "
                          "second piece is the single byte 0x90 that makes it invalid UTF-8. "
                          "Tests validation of partial frames."));
  // 6.5 - 6.23 — Kuhn's stress test, one frame each.
  for (const utf8_subsection& sub : utf8_vector_table()) {
    int n = 0;
    for (const utf8_vector& v : sub.vectors) {
      std::string id = "6." + std::to_string(sub.number) + "." + std::to_string(++n);
      out.push_back(
          message_case(std::move(id), kuhn_description(v), v.payload, 0, v.valid, kill_after(0.5)));
    }
  }
}

}  // namespace resock::conformance::cases
