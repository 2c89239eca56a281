#include "resock/wire/message_reader.h"

namespace resock::wire {

message_reader::message_reader(const reader_options& options) noexcept
    : parser_(options.frame), assembler_(options.message) {}

const wire_error& message_reader::error() const noexcept {
  // Only one layer can fail: next() stops feeding the assembler once the
  // parser failed and stops driving the parser once the assembler failed.
  return parser_.error() ? parser_.error() : assembler_.error();
}

void message_reader::reset() noexcept {
  parser_.reset();
  assembler_.reset();
}

read_step message_reader::next(std::span<std::uint8_t> input) noexcept {
  if (assembler_.error()) return {message_event::error, 0, {}};
  std::size_t used = 0;
  for (;;) {
    const frame_step f = parser_.next(input.subspan(used));
    used += f.consumed;
    message_step m;
    switch (f.event) {
      case frame_event::need_more:
        return {message_event::none, used, {}};
      case frame_event::error:
        return {message_event::error, used, {}};
      case frame_event::header:
        m = assembler_.on_header(parser_.header());
        break;
      case frame_event::payload:
        m = assembler_.on_payload(f.payload);
        break;
      case frame_event::frame_end:
        m = assembler_.on_frame_end();
        break;
    }
    if (m.event != message_event::none) return {m.event, used, m.data};
  }
}

}  // namespace resock::wire
