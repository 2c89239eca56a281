// RFC 6455 section 5.2 frame vocabulary shared by the parser and the writer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace resock::wire {

// The 4-bit opcode. Kept as a plain enum over uint8_t so that the writer can
// emit reserved values (3-7, 11-15) when the conformance suite asks it to.
enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

[[nodiscard]] constexpr bool is_control(opcode op) noexcept {
  return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}
[[nodiscard]] constexpr bool is_known(opcode op) noexcept {
  switch (op) {
    case opcode::continuation:
    case opcode::text:
    case opcode::binary:
    case opcode::close:
    case opcode::ping:
    case opcode::pong:
      return true;
  }
  return false;
}

// Which endpoint produced the bytes. Clients must mask, servers must not.
enum class peer : std::uint8_t { client, server };

// RSV bits as they sit in the first header byte, shifted down: 4 = RSV1,
// 2 = RSV2, 1 = RSV3. permessage-deflate claims RSV1.
namespace rsv {
inline constexpr std::uint8_t rsv1 = 0x4;
inline constexpr std::uint8_t rsv2 = 0x2;
inline constexpr std::uint8_t rsv3 = 0x1;
}  // namespace rsv

using mask_key = std::array<std::uint8_t, 4>;

struct frame_header {
  bool fin = true;
  std::uint8_t rsv = 0;  // 3 bits, see namespace rsv
  opcode op = opcode::text;
  bool masked = false;
  mask_key mask{};
  std::uint64_t length = 0;
};

// 2 bytes base + 8 bytes extended length + 4 bytes mask.
inline constexpr std::size_t max_header_size = 14;
// Control frames carry at most 125 bytes (RFC 6455 5.5).
inline constexpr std::size_t max_control_payload = 125;

// Size of the header that encodes `length` (minimal form) with or without a mask.
[[nodiscard]] constexpr std::size_t header_size(std::uint64_t length, bool masked) noexcept {
  std::size_t n = 2;
  if (length > 0xFFFF)
    n += 8;
  else if (length > 125)
    n += 2;
  return masked ? n + 4 : n;
}

}  // namespace resock::wire
