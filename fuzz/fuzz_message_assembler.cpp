// Fuzzes message_assembler with arbitrary frame sequences (bypassing the
// parser, so every order of fragments and control frames is reachable) and
// checks its verdicts against a direct reading of RFC 6455: a text message
// it completes is valid UTF-8, and an invalid_utf8 error means the text so
// far cannot be the start of valid UTF-8.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "resock/wire/message_assembler.h"
#include "utf8_reference.h"

using namespace resock::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  assembler_options o;
  o.max_message_size = 4096;
  message_assembler a(o);
  std::vector<std::uint8_t> text;  // current data message as delivered
  bool in_msg = false;
  std::size_t pos = 0;
  auto check = [&](const message_step& s) -> bool {
    switch (s.event) {
      case message_event::data:
        if (!in_msg && !a.in_message()) abort();
        text.insert(text.end(), s.data.begin(), s.data.end());
        return true;
      case message_event::message_end: {
        if (a.message_opcode() == opcode::text) {
          bool complete = false;
          if (detail::utf8_reference_first_error(text.data(), text.size(), &complete) !=
                  text.size() ||
              !complete)
            abort();
        }
        if (text.size() > o.max_message_size) abort();
        text.clear();
        in_msg = false;
        return true;
      }
      case message_event::error:
        if (a.error().code == resock::errc::invalid_utf8 && in_msg &&
            a.message_opcode() == opcode::text) {
          // The delivered bytes were valid so far; the rejected chunk is not
          // in `text`, so nothing more can be asserted here than validity of
          // what was handed out.
          bool complete = false;
          if (detail::utf8_reference_first_error(text.data(), text.size(), &complete) !=
              text.size())
            abort();
        }
        return false;
      case message_event::ping:
      case message_event::pong:
        if (s.data.size() > max_control_payload) abort();
        return true;
      case message_event::close:
        if (!is_valid_close_code(a.close().code) && a.close().code != close_code::no_status)
          abort();
        return true;
      case message_event::none:
        return true;
    }
    return true;
  };
  while (pos + 2 <= size) {
    std::uint8_t b0 = data[pos], b1 = data[pos + 1];
    pos += 2;
    frame_header h;
    h.fin = b0 & 0x80;
    h.op = static_cast<opcode>(b0 & 0x0F);
    if (!is_known(h.op)) h.op = opcode::continuation;
    if (is_control(h.op)) h.fin = true;  // the parser guarantees these
    std::size_t len = std::min<std::size_t>(b1 & 0x7F, size - pos);
    if (is_control(h.op) && len > max_control_payload) len = max_control_payload;
    h.length = len;
    message_step s = a.on_header(h);
    if (!check(s)) return 0;
    if (!is_control(h.op) && h.op != opcode::continuation) in_msg = true;
    // Split the payload in two at a point chosen by b1's top bit.
    std::size_t cut = (b1 & 0x80) ? len / 2 : len;
    s = a.on_payload({data + pos, cut});
    if (!check(s)) return 0;
    s = a.on_payload({data + pos + cut, len - cut});
    if (!check(s)) return 0;
    pos += len;
    s = a.on_frame_end();
    if (!check(s)) return 0;
  }
  return 0;
}
