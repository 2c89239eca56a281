// Incremental RFC 6455 frame parser. Bytes may arrive in any split (one at a
// time included) and the events do not depend on the split. It does no I/O
// and never allocates: payload bytes are unmasked in place in the caller's
// buffer and handed back as spans into it.
//
// Typical loop:
//   for (;;) {
//     auto s = parser.next(in);
//     in = in.subspan(s.consumed);
//     if (s.event == frame_event::need_more) break;   // all input consumed
//     if (s.event == frame_event::error) { close with parser.error(); break; }
//     ... header / payload / frame_end ...
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "resock/config.h"
#include "resock/wire/frame.h"
#include "resock/wire/wire_error.h"

namespace resock::wire {

struct frame_parser_options {
  // Who sent the bytes being parsed: a server parses peer::client input.
  peer sender = peer::client;
  // RSV bits claimed by negotiated extensions (rsv::rsv1 for deflate).
  std::uint8_t allowed_rsv = 0;
  // Largest payload of one frame; larger gives errc::frame_too_big (1009).
  // 0 means no limit beyond the 2^63-1 of the protocol.
  std::uint64_t max_frame_size = 16u << 20;
  // Unmask payload in place (the normal case). The conformance suite turns
  // this off only to log raw bytes.
  bool unmask = true;
  // Report errc::length_not_minimal for lengths not in the shortest form.
  bool require_minimal_length = true;
};

enum class frame_event : std::uint8_t {
  need_more,  // all input consumed, frame incomplete; call again with more bytes
  header,     // a full, valid header was read; see header()
  payload,    // step.payload holds the next (unmasked) payload bytes
  frame_end,  // the current frame's payload is complete (also for length 0)
  error,      // protocol violation; see error(). The parser stays failed.
};

struct frame_step {
  frame_event event = frame_event::need_more;
  std::size_t consumed = 0;            // input bytes used by this step
  std::span<std::uint8_t> payload{};   // for payload events: inside the input
};

class RESOCK_API frame_parser {
 public:
  explicit frame_parser(const frame_parser_options& options = {}) noexcept;

  // Advances by one event. `input` is the unconsumed input; the caller drops
  // `consumed` bytes from its front before the next call. A frame_end is
  // reported on the call after its last payload byte, even with empty input.
  [[nodiscard]] frame_step next(std::span<std::uint8_t> input) noexcept;

  // The current frame's header: valid from its header event to the next one.
  [[nodiscard]] const frame_header& header() const noexcept { return header_; }
  // Payload bytes of the current frame delivered so far.
  [[nodiscard]] std::uint64_t payload_offset() const noexcept { return offset_; }
  [[nodiscard]] const wire_error& error() const noexcept { return error_; }
  [[nodiscard]] const frame_parser_options& options() const noexcept { return options_; }

  // Changes the extension-claimed RSV bits (after a handshake negotiated one).
  void set_allowed_rsv(std::uint8_t bits) noexcept { options_.allowed_rsv = bits; }

  // Back to the start state (between frames, no error).
  void reset() noexcept;

 private:
  enum class state : std::uint8_t { head, payload, end, failed };

  frame_step fail_with(errc e) noexcept;
  frame_step parse_head(std::span<std::uint8_t> input) noexcept;

  frame_parser_options options_;
  frame_header header_{};
  std::uint64_t offset_ = 0;
  wire_error error_{};
  state state_ = state::head;
  std::uint8_t head_len_ = 0;   // bytes of the header buffered so far
  std::uint8_t head_need_ = 2;  // bytes the header needs in total
  std::uint8_t head_[max_header_size]{};
};

}  // namespace resock::wire
