// Writes frames for either role. It encodes exactly what the header says,
// reserved opcodes and RSV bits included, so the conformance suite can send
// what a broken peer sends; role rules are the caller's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "resock/config.h"
#include "resock/wire/frame.h"

namespace resock::wire {

// Writes the header (minimal length form) into `out`, which has room for
// max_header_size bytes. Returns the number of bytes written.
RESOCK_API std::size_t write_header(std::uint8_t* out, const frame_header& h) noexcept;

// Appends header + payload to `out`; the payload is masked with h.mask when
// h.masked. h.length is taken from payload.size().
RESOCK_API void append_frame(std::vector<std::uint8_t>& out, frame_header h,
                             std::span<const std::uint8_t> payload);

// A header for a frame sent by `sender`: client frames get a fresh random
// mask (random_mask_key), server frames none.
[[nodiscard]] RESOCK_API frame_header make_header(peer sender, opcode op, std::uint64_t length,
                                                  bool fin = true) noexcept;

// Convenience: appends one complete unfragmented frame from `sender`.
RESOCK_API void append_message(std::vector<std::uint8_t>& out, peer sender, opcode op,
                               std::span<const std::uint8_t> payload);

// Appends a close frame with `code` and `reason` (see write_close_payload).
RESOCK_API void append_close(std::vector<std::uint8_t>& out, peer sender, std::uint16_t code,
                             std::string_view reason = {});

}  // namespace resock::wire
