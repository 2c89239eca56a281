// Fuzzes frame_parser in one role (RESOCK_FUZZ_SENDER) and checks that the
// events do not depend on how the bytes are split: the input is parsed whole
// and again in chunks whose sizes come from the input itself.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "resock/wire/frame_parser.h"

namespace {

using namespace resock::wire;

struct trace {
  std::vector<std::uint8_t> events;  // event kinds and header fields
  std::vector<std::uint8_t> payload;
  resock::errc error = resock::errc::ok;
};

frame_parser_options options() {
  frame_parser_options o;
  o.sender = RESOCK_FUZZ_SENDER;
  o.max_frame_size = 1 << 20;
  return o;
}

void record(trace& t, const frame_parser& p, const frame_step& s) {
  // Payload may come in any number of pieces; only its bytes must match.
  if (s.event != frame_event::payload) t.events.push_back(static_cast<std::uint8_t>(s.event));
  if (s.event == frame_event::header) {
    const frame_header& h = p.header();
    t.events.push_back(static_cast<std::uint8_t>((h.fin << 7) | (h.rsv << 4) |
                                                 static_cast<std::uint8_t>(h.op)));
    for (int i = 0; i < 8; ++i) t.events.push_back(static_cast<std::uint8_t>(h.length >> (8 * i)));
    // The whole point of the parser is role rules: re-check them here.
    if ((RESOCK_FUZZ_SENDER == peer::client) != h.masked) abort();
    if (is_control(h.op) && (!h.fin || h.length > max_control_payload)) abort();
  }
  if (s.event == frame_event::payload) {
    t.payload.insert(t.payload.end(), s.payload.begin(), s.payload.end());
  }
}

// Feeds `data` in chunks; sizes cycle through `sizes` (0 = whole input).
trace run(std::vector<std::uint8_t> data, const std::uint8_t* sizes, std::size_t nsizes) {
  trace t;
  frame_parser p(options());
  std::size_t pos = 0, k = 0;
  bool done = false;
  while (!done) {
    std::size_t n = data.size() - pos;
    if (nsizes) n = std::min<std::size_t>(n, 1 + sizes[k++ % nsizes] % 64);
    std::span<std::uint8_t> in(data.data() + pos, n);
    pos += n;
    for (;;) {
      frame_step s = p.next(in);
      if (s.consumed > in.size()) abort();
      in = in.subspan(s.consumed);
      if (s.event == frame_event::need_more) {
        if (!in.empty()) abort();  // need_more must consume everything
        break;
      }
      record(t, p, s);
      if (s.event == frame_event::error) {
        if (p.error().close_code != 1002 && p.error().close_code != 1009) abort();
        t.error = p.error().code;
        done = true;
        break;
      }
    }
    if (pos == data.size()) done = true;
  }
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t nsizes = std::min<std::size_t>(data[0] % 8, size - 1);
  const std::uint8_t* sizes = data + 1;
  std::vector<std::uint8_t> frames(data + 1 + nsizes, data + size);
  trace whole = run(frames, nullptr, 0);
  // No sizes given: byte at a time (a chunk size of 1 + 0 % 64).
  static const std::uint8_t one_byte[1] = {0};
  trace split = nsizes == 0 ? run(frames, one_byte, 1) : run(frames, sizes, nsizes);
  if (whole.events != split.events || whole.payload != split.payload || whole.error != split.error)
    abort();
  return 0;
}
