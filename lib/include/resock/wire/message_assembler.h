// Turns frames into messages: the continuation rules (RFC 6455 5.4), control
// frames interleaved with fragments, UTF-8 of text messages checked as the
// bytes arrive (fail-fast), the close payload rules, and the message size
// limit. It is fed frame events (normally by message_reader, directly by
// tests and the fuzzer) and does no I/O. Data payload is passed through
// without copying; control payloads (<= 125 bytes) are collected inside.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "resock/config.h"
#include "resock/wire/close.h"
#include "resock/wire/frame.h"
#include "resock/wire/utf8.h"
#include "resock/wire/wire_error.h"

namespace resock::wire {

struct assembler_options {
  // Largest message (sum of its fragments); larger gives message_too_big.
  // 0 means no limit.
  std::uint64_t max_message_size = 64u << 20;
  // Check text messages and close reasons for UTF-8 (turned off only when an
  // extension such as permessage-deflate must inflate first).
  bool validate_utf8 = true;
};

enum class message_event : std::uint8_t {
  none,         // nothing for the application (e.g. a header was accepted)
  data,         // step.data: next bytes of the current data message
  message_end,  // the current text/binary message is complete
  ping,         // step.data: the whole ping payload
  pong,         // step.data: the whole pong payload
  close,        // close_payload() holds the parsed code and reason
  error,        // see error(); the assembler stays failed
};

struct message_step {
  message_event event = message_event::none;
  std::span<const std::uint8_t> data{};
};

class RESOCK_API message_assembler {
 public:
  explicit message_assembler(const assembler_options& options = {}) noexcept;

  // The three calls mirror frame_parser's header / payload / frame_end events.
  // Frame headers must already be valid frames (the parser checked section 5.2).
  [[nodiscard]] message_step on_header(const frame_header& h) noexcept;
  [[nodiscard]] message_step on_payload(std::span<const std::uint8_t> bytes) noexcept;
  [[nodiscard]] message_step on_frame_end() noexcept;

  // Opcode of the current (or last) data message: text or binary.
  [[nodiscard]] opcode message_opcode() const noexcept { return message_op_; }
  // The current (or last) data message had RSV1 on its first frame: its
  // payload is compressed (permessage-deflate) and its UTF-8 was not
  // checked here; the caller inflates and checks it.
  [[nodiscard]] bool message_compressed() const noexcept { return compressed_; }
  // True while a data message has started and not ended.
  [[nodiscard]] bool in_message() const noexcept { return in_message_; }
  // Bytes of the current data message so far.
  [[nodiscard]] std::uint64_t message_size() const noexcept { return message_size_; }
  [[nodiscard]] const close_payload& close() const noexcept { return close_; }
  [[nodiscard]] const wire_error& error() const noexcept { return error_; }

  void reset() noexcept;

 private:
  message_step fail_with(errc e) noexcept;

  assembler_options options_;
  utf8_validator utf8_{};
  wire_error error_{};
  close_payload close_{};
  std::uint64_t message_size_ = 0;
  opcode frame_op_ = opcode::continuation;  // opcode of the frame being fed
  opcode message_op_ = opcode::text;
  bool frame_fin_ = true;
  bool in_message_ = false;
  bool compressed_ = false;
  bool failed_ = false;
  std::uint8_t control_len_ = 0;
  std::uint8_t control_[max_control_payload]{};
};

}  // namespace resock::wire
