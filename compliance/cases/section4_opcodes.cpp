// Section 4 — Opcodes: the reserved non-control (3-7) and control (11-15)
// opcodes must fail the connection (RFC 6455 5.2).
#include <string>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"

namespace resock::conformance::cases {
namespace {

const std::string kHello = "Hello, world!";
const std::string kReserved = "reserved opcode payload";

// The five shapes of 4.1 repeat in 4.2 with the opcode shifted by 8.
case_info opcode_case(int sub, int n) {
  const auto opcode = static_cast<std::uint8_t>((sub == 1 ? 2 : 10) + n);
  std::string op = std::to_string(opcode);
  std::vector<frame> frames;
  pacing how = pacing::normal;
  std::string description;
  bool echo_first = n >= 3;
  switch (n) {
    case 1:
      frames = {{opcode, ""}};
      description = "Send a frame with reserved opcode " + op + " and no payload.";
      break;
    case 2:
      frames = {{opcode, kReserved}};
      description = "Send a frame with reserved opcode " + op + " and a payload.";
      break;
    case 3:
      frames = {{op_text, kHello}, {opcode, ""}, {op_ping, ""}};
      description = "Send a short text message, a frame with reserved opcode " + op +
                    " and no payload, then a ping.";
      break;
    case 4:
      frames = {{op_text, kHello}, {opcode, kHello}, {op_ping, ""}};
      description = "Send a short text message, a frame with reserved opcode " + op +
                    " and a payload, then a ping.";
      break;
    default:
      frames = {{op_text, kHello}, {opcode, kHello}, {op_ping, ""}};
      how = pacing::chop1;
      description = "Send a short text message, a frame with reserved opcode " + op +
                    " and a payload, then a ping; every frame one byte per TCP write.";
      break;
  }
  script s;
  s.expected = echo_first ? ok_or_non_strict({echo(kHello)}, {}) : ok({});
  s.close = server_fails({1002});
  s.after = kill_after(1);
  s.run = [frames = std::move(frames), how](connection& c) { send_frames(c, frames, how); };
  std::string expectation =
      echo_first ? "The text message is echoed, then the server fails the connection at the "
                   "reserved opcode (no pong). Failing before echoing is accepted as non-strict."
                 : "The server fails the connection.";
  return make_scripted("4." + std::to_string(sub) + "." + std::to_string(n), std::move(description),
                       std::move(expectation), std::move(s), 1);
}

}  // namespace

void add_section4_opcodes(std::vector<case_info>& out) {
  for (int sub = 1; sub <= 2; ++sub)
    for (int n = 1; n <= 5; ++n)
      out.push_back(opcode_case(sub, n));
}

}  // namespace resock::conformance::cases
