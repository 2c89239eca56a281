// Splits the server's byte stream into frames without judging them.
// resock::wire::frame_parser stops at the first violation, by design; the
// fuzzer must not: Autobahn answers a violation with a close frame and
// keeps reading (it needs the server's close reply to judge the closing
// handshake), so this reader decodes any header, reserved opcodes, RSV
// bits, masks and non-minimal lengths included, and the fuzzer applies
// Autobahn's checks itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "resock/wire/frame.h"

namespace resock::conformance::engine_detail {

struct raw_header {
  bool fin = true;
  std::uint8_t rsv = 0;
  std::uint8_t opcode = 0;
  bool masked = false;
  wire::mask_key mask{};
  std::uint8_t len7 = 0;     // the 7-bit length field as sent (126/127: extended)
  std::uint64_t length = 0;  // the decoded payload length
};

enum class read_event : std::uint8_t { need_more, header, payload, frame_end };

struct read_step {
  read_event event = read_event::need_more;
  std::size_t consumed = 0;
  std::span<const std::uint8_t> payload{};  // still masked if the frame is
};

class frame_reader {
 public:
  // Advances by one event; drop `consumed` bytes from the input after each
  // call. A frame_end follows the last payload event (or the header of an
  // empty frame), even with empty input.
  [[nodiscard]] read_step next(std::span<const std::uint8_t> input) noexcept;

  [[nodiscard]] const raw_header& header() const noexcept { return header_; }
  // Payload bytes of the current frame delivered before the last payload
  // event's bytes (their mask phase).
  [[nodiscard]] std::uint64_t payload_offset() const noexcept { return phase_; }

 private:
  enum class state : std::uint8_t { head, payload, end };

  raw_header header_{};
  std::uint64_t offset_ = 0;  // of the bytes delivered next
  std::uint64_t phase_ = 0;   // of the bytes delivered last
  state state_ = state::head;
  std::uint8_t have_ = 0;
  std::uint8_t head_[wire::max_header_size]{};
};

}  // namespace resock::conformance::engine_detail
