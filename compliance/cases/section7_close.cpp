// Section 7 — Close handling (RFC 6455 5.5.1, 7.1.5, 7.4): the fuzzer
// starts the closing handshake in various ways; the server must answer a
// valid close, ignore what follows it, and fail on malformed close frames
// or codes that may not be sent. In every 7.x case a wrong close code in
// the answer also fails the behaviour.
#include <cstdint>
#include <string>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"

namespace resock::conformance::cases {
namespace {

const std::string kHelloWorld = "Hello World!";

// 7.1.6: both verdicts are informational; the result says which ordering
// the server chose.
class close_race_case : public close_case {
 public:
  using close_case::close_case;
  void on_connection_lost(const close_state& s) override {
    close_case::on_connection_lost(s);
    if (received == script_->expected[0].second)
      result = "Text message was processed before close.";
    else if (received == script_->expected[1].second)
      result = "Close was processed before text message could be returned.";
    behavior = verdict::informational;
    behavior_close = verdict::informational;
  }
};

// 7.13: codes 5000+ are undefined by RFC 6455; anything goes.
class undefined_code_case : public close_case {
 public:
  using close_case::close_case;
  void on_connection_lost(const close_state& s) override {
    close_case::on_connection_lost(s);
    behavior = verdict::informational;
    behavior_close = verdict::informational;
    result = "Actual events are undefined by the spec.";
  }
};

template <class Case = close_case>
case_info close_entry(std::string id, std::string description, std::string expectation,
                      std::function<void(connection&)> run, expected_close close, bool suppress,
                      outcome_lists expected = ok({})) {
  script s;
  s.run = std::move(run);
  s.expected = std::move(expected);
  s.close = std::move(close);
  s.after = kill_after(1);
  s.suppress_close = suppress;
  return make_scripted<Case>(std::move(id), std::move(description), std::move(expectation),
                             std::move(s), 1);
}

const char* kCleanClose = "The server answers the close (with 1000) and closes TCP.";
const char* kMustFail =
    "The server fails the connection: close with 1002, or just TCP close. Any other code fails "
    "the case.";

void add_basic(std::vector<case_info>& out) {
  out.push_back(close_entry(
      "7.1.1", "Send a short text message, then a normal close once it is echoed.",
      "The message is echoed, then a clean close.",
      [](connection& c) { c.send_frame(op_text, kHelloWorld); }, normal_close(), false,
      ok({echo(kHelloWorld)})));
  out.push_back(close_entry(
      "7.1.2", "Send a close (1000), then a second close frame.",
      "The second close is ignored; the closing handshake completes cleanly.",
      [](connection& c) {
        c.send_close(1000);
        c.send_frame(op_close, "");
      },
      normal_close(), true));
  out.push_back(close_entry(
      "7.1.3", "Send a close (1000), then a ping.",
      "The ping after the close is ignored (no pong); clean close.",
      [](connection& c) {
        c.send_close(1000);
        c.send_frame(op_ping, "");
      },
      normal_close(), true));
  out.push_back(close_entry(
      "7.1.4", "Send a close (1000), then a text message.",
      "The message after the close is ignored (no echo); clean close.",
      [](connection& c) {
        c.send_close(1000);
        c.send_frame(op_text, kHelloWorld);
      },
      normal_close(), true));
  out.push_back(close_entry(
      "7.1.5", "Send the first fragment of a text message, a close (1000), then the last fragment.",
      "The fragment after the close is ignored (no echo); clean close.",
      [](connection& c) {
        connection::frame_options first;
        first.fin = false;
        c.send_frame(op_text, "fragment1", first);
        c.send_close(1000);
        c.send_frame(op_continuation, "fragment2");
      },
      normal_close(), true));
  out.push_back(close_entry<close_race_case>(
      "7.1.6", "Send a 256 KiB text message, then a short text message, a close (1000) and a ping.",
      "Informational: the server may answer the short message before closing, or close first. "
      "The result says which happened.",
      [](connection& c) {
        connection::frame_options big;
        big.repeat_to = 262144;
        c.send_frame(op_text, "BAsd7&jh23", big);
        c.send_frame(op_text, kHelloWorld);
        c.send_close(1000);
        c.send_frame(op_ping, "");
      },
      normal_close(), true, ok_or_non_strict({echo(kHelloWorld)}, {})));
}

// 7.3 / 7.5: close payloads of unusual length or content, sent without
// the validation of send_close.
void add_payloads(std::vector<case_info>& out) {
  struct row {
    const char* id;
    std::optional<std::uint32_t> code;
    std::optional<std::string> reason;
    bool valid;
    const char* description;
  };
  const row rows[] = {
      {"7.3.1", std::nullopt, std::nullopt, true, "Send a close frame with an empty payload."},
      {"7.3.2", std::nullopt, std::string("a"), false,
       "Send a close frame with a 1-byte payload (too short to hold a code)."},
      {"7.3.3", 1000, std::nullopt, true, "Send a close frame with code 1000 and no reason."},
      {"7.3.4", 1000, kHelloWorld, true, "Send a close frame with code 1000 and a short reason."},
      {"7.3.5", 1000, std::string(123, '*'), true,
       "Send a close frame with code 1000 and a 123-byte reason (125-byte payload, the "
       "maximum)."},
      {"7.3.6", 1000, std::string(124, '*'), false,
       "Send a close frame with code 1000 and a 124-byte reason (126-byte payload, over the "
       "control-frame limit)."},
  };
  for (const row& r : rows) {
    auto run = [code = r.code, reason = r.reason](connection& c) {
      std::optional<std::string_view> bytes;
      if (reason) bytes = *reason;
      c.send_close_frame(code, bytes);
    };
    out.push_back(close_entry(
        r.id, r.description,
        r.valid ? std::string(kCleanClose) + (r.code ? "" : " An empty close in reply is fine too.")
                : std::string(kMustFail),
        run, r.valid ? normal_close() : fuzzer_closes({1002}, false), true));
  }
  const std::string bad_reason = from_hex("cebae1bdb9cf83cebcceb5eda080656469746564");
  out.push_back(close_entry(
      "7.5.1", "Send a close frame with code 1000 and a reason that is not valid UTF-8.",
      "The server fails the connection: close with 1002 or 1007, or just TCP close.",
      [bad_reason](connection& c) { c.send_close_frame(1000, bad_reason); },
      fuzzer_closes({1002, 1007}, false), true));
}

std::string code_text(std::uint32_t code) {
  return std::to_string(code);
}

void add_codes(std::vector<case_info>& out) {
  const std::uint32_t valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                                 1010, 1011, 3000, 3999, 4000, 4999};
  int n = 0;
  for (std::uint32_t code : valid) {
    out.push_back(close_entry(
        "7.7." + std::to_string(++n), "Send a close frame with code " + code_text(code) + ".",
        "A valid code: the server answers with 1000 or " + code_text(code) + " and closes cleanly.",
        [code](connection& c) { c.send_close_frame(code, std::nullopt); },
        fuzzer_closes({1000, code}, true), false));
  }
  // Codes an endpoint must never send (RFC 6455 7.4.1, 7.4.2): below 1000,
  // reserved for the protocol but unassigned, or never sent on the wire.
  const std::uint32_t invalid[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
  n = 0;
  for (std::uint32_t code : invalid) {
    out.push_back(close_entry(
        "7.9." + std::to_string(++n),
        "Send a close frame with code " + code_text(code) + ", which may not be sent.", kMustFail,
        [code](connection& c) { c.send_close_frame(code, std::nullopt); },
        fuzzer_closes({1002}, false), false));
  }
  out.push_back(close_entry<undefined_code_case>(
      "7.13.1", "Send a close frame with code 5000 (outside the ranges of RFC 6455 7.4).",
      "Informational: RFC 6455 does not define what happens; the server may answer with 1000, "
      "5000 or 1002.",
      [](connection& c) { c.send_close_frame(5000, std::nullopt); },
      fuzzer_closes({1000, 5000, 1002}, false), true));
  out.push_back(close_entry<undefined_code_case>(
      "7.13.2", "Send a close frame with code 65535 (outside the ranges of RFC 6455 7.4).",
      "Informational: RFC 6455 does not define what happens; the server may answer with 1000, "
      "65535 or 1002.",
      [](connection& c) { c.send_close_frame(65535, std::nullopt); },
      fuzzer_closes({1000, 65535, 1002}, false), true));
}

}  // namespace

void add_section7_close(std::vector<case_info>& out) {
  add_basic(out);
  add_payloads(out);
  add_codes(out);
}

}  // namespace resock::conformance::cases
