// frame_parser + message_assembler behind one pull call: bytes in, message
// events out. This is what transports and clients use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "resock/config.h"
#include "resock/wire/frame_parser.h"
#include "resock/wire/message_assembler.h"

namespace resock::wire {

struct reader_options {
  frame_parser_options frame{};
  assembler_options message{};
};

struct read_step {
  message_event event = message_event::none;  // none here means "need more input"
  std::size_t consumed = 0;
  std::span<const std::uint8_t> data{};
};

class RESOCK_API message_reader {
 public:
  explicit message_reader(const reader_options& options = {}) noexcept;

  // Returns the next application-visible event. `none` with consumed equal
  // to input.size() means all input was used and more is needed. Drop
  // `consumed` bytes from the input before calling again.
  [[nodiscard]] read_step next(std::span<std::uint8_t> input) noexcept;

  [[nodiscard]] opcode message_opcode() const noexcept { return assembler_.message_opcode(); }
  [[nodiscard]] const close_payload& close() const noexcept { return assembler_.close(); }
  [[nodiscard]] const frame_header& frame() const noexcept { return parser_.header(); }
  // The first error of either layer.
  [[nodiscard]] const wire_error& error() const noexcept;

  [[nodiscard]] frame_parser& parser() noexcept { return parser_; }
  [[nodiscard]] message_assembler& assembler() noexcept { return assembler_; }

  void reset() noexcept;

 private:
  frame_parser parser_;
  message_assembler assembler_;
};

}  // namespace resock::wire
