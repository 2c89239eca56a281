// Section 3 — Reserved bits: with no extension negotiated, a frame with any
// RSV bit set must fail the connection (RFC 6455 5.2).
#include <string>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"

namespace resock::conformance::cases {
namespace {

const std::string kHello = "Hello, world!";

struct rsv_row {
  const char* id;
  std::vector<frame> frames;
  pacing how;
  bool echo_first;  // a valid text message precedes the bad frame
  const char* description;
};

case_info rsv_case(const rsv_row& row) {
  script s;
  s.expected = row.echo_first ? ok_or_non_strict({echo(kHello)}, {}) : ok({});
  s.close = server_fails({1002});
  s.after = kill_after(1);
  s.run = [frames = row.frames, how = row.how](connection& c) { send_frames(c, frames, how); };
  std::string expectation =
      row.echo_first
          ? "The first message is echoed, then the server fails the connection at the frame "
            "with RSV set (no pong for the ping). Failing before echoing is accepted as "
            "non-strict."
          : "The server fails the connection; nothing is echoed.";
  return make_scripted(row.id, row.description, std::move(expectation), std::move(s), 1);
}

}  // namespace

void add_section3_reserved_bits(std::vector<case_info>& out) {
  const std::string bytes8 = from_hex("00fffefdfcfb00ff");
  const rsv_row rows[] = {
      {"3.1",
       {{op_text, kHello, true, 1}},
       pacing::normal,
       false,
       "Send a short text message with RSV = 1."},
      {"3.2",
       {{op_text, kHello}, {op_text, kHello, true, 2}, {op_ping, ""}},
       pacing::normal,
       true,
       "Send a short text message, then the same with RSV = 2, then a ping."},
      {"3.3",
       {{op_text, kHello}, {op_text, kHello, true, 3}, {op_ping, ""}},
       pacing::sync,
       true,
       "Send a short text message, then the same with RSV = 3, then a ping; each frame in "
       "its own write."},
      {"3.4",
       {{op_text, kHello}, {op_text, kHello, true, 4}, {op_ping, ""}},
       pacing::chop1,
       true,
       "Send a short text message, then the same with RSV = 4, then a ping; every frame one "
       "byte per TCP write."},
      {"3.5",
       {{op_binary, bytes8, true, 5}},
       pacing::normal,
       false,
       "Send a small binary message with RSV = 5."},
      {"3.6",
       {{op_binary, kHello, true, 6}},
       pacing::normal,
       false,
       "Send a binary message with RSV = 6 (Autobahn's text calls it a ping, but it sends "
       "opcode 2)."},
      {"3.7",
       {{op_close, "", true, 7}},
       pacing::normal,
       false,
       "Send a close frame with an empty payload and RSV = 7."},
  };
  for (const rsv_row& row : rows)
    out.push_back(rsv_case(row));
}

}  // namespace resock::conformance::cases
