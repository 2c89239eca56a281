// Section 1 — Framing: one unfragmented data message per case, at the
// payload lengths around the 7-bit / 16-bit / 64-bit length encodings of
// RFC 6455 5.2, the last one also cut into odd-sized TCP writes.
#include <cstddef>
#include <string>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"

namespace resock::conformance::cases {
namespace {

struct framing_row {
  std::size_t length;
  std::size_t chopsize;
  double kill_after_s;
};

// The same eight rows serve 1.1 (text) and 1.2 (binary).
constexpr framing_row kRows[] = {
    {0, 0, 1},   {125, 0, 1},    {126, 0, 1},    {127, 0, 1},
    {128, 0, 1}, {65535, 0, 10}, {65536, 0, 10}, {65536, 997, 10},
};

case_info framing_case(int sub, int n, const framing_row& row) {
  const bool binary = sub == 2;
  const char filler = binary ? '\xFE' : '*';
  std::string kind = binary ? "binary" : "text";
  std::string what = row.length == 0 ? "an empty " + kind + " message"
                                     : "a " + kind + " message of " + std::to_string(row.length) +
                                           " bytes (" + (binary ? "0xfe" : "'*'") + " repeated)";
  std::string description = "Send " + what + " in a single frame";
  if (row.chopsize != 0)
    description +=
        ", writing the frame to TCP in pieces of " + std::to_string(row.chopsize) + " bytes";
  description += ".";
  std::string expectation =
      "The server echoes the same " + kind + " message, then the connection is closed normally.";

  script s;
  std::string payload(row.length, filler);
  s.expected = ok({binary ? echo_binary(payload) : echo(payload)});
  s.close = normal_close();
  s.after = kill_after(row.kill_after_s);
  const std::size_t chop = row.chopsize;
  s.run = [payload = std::move(payload), binary, chop](connection& c) {
    connection::frame_options o;
    o.chopsize = chop;
    c.send_frame(binary ? op_binary : op_text, payload, o);
  };
  std::string id = "1." + std::to_string(sub) + "." + std::to_string(n);
  return make_scripted(std::move(id), std::move(description), std::move(expectation), std::move(s),
                       row.kill_after_s);
}

}  // namespace

void add_section1_framing(std::vector<case_info>& out) {
  for (int sub = 1; sub <= 2; ++sub) {
    int n = 0;
    for (const framing_row& row : kRows)
      out.push_back(framing_case(sub, ++n, row));
  }
}

}  // namespace resock::conformance::cases
