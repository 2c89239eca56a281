#include "resock/wire/frame_writer.h"

#include <cstring>

#include "resock/wire/close.h"
#include "resock/wire/mask.h"

namespace resock::wire {

std::size_t write_header(std::uint8_t* out, const frame_header& h) noexcept {
  out[0] = static_cast<std::uint8_t>((h.fin ? 0x80 : 0) | ((h.rsv & 0x7) << 4) |
                                     (static_cast<std::uint8_t>(h.op) & 0x0F));
  const std::uint8_t mask_bit = h.masked ? 0x80 : 0;
  std::size_t n = 2;
  if (h.length <= 125) {
    out[1] = static_cast<std::uint8_t>(mask_bit | h.length);
  } else if (h.length <= 0xFFFF) {
    out[1] = mask_bit | 126;
    out[2] = static_cast<std::uint8_t>(h.length >> 8);
    out[3] = static_cast<std::uint8_t>(h.length);
    n = 4;
  } else {
    out[1] = mask_bit | 127;
    for (int i = 0; i < 8; ++i)
      out[2 + i] = static_cast<std::uint8_t>(h.length >> (56 - 8 * i));
    n = 10;
  }
  if (h.masked) {
    std::memcpy(out + n, h.mask.data(), 4);
    n += 4;
  }
  return n;
}

void append_frame(std::vector<std::uint8_t>& out, frame_header h,
                  std::span<const std::uint8_t> payload) {
  h.length = payload.size();
  std::uint8_t head[max_header_size];
  const std::size_t n = write_header(head, h);
  const std::size_t at = out.size();
  out.resize(at + n + payload.size());
  std::memcpy(out.data() + at, head, n);
  if (payload.empty()) return;
  if (h.masked)
    mask_copy(out.data() + at + n, payload.data(), payload.size(), h.mask);
  else
    std::memcpy(out.data() + at + n, payload.data(), payload.size());
}

frame_header make_header(peer sender, opcode op, std::uint64_t length, bool fin) noexcept {
  frame_header h;
  h.fin = fin;
  h.op = op;
  h.length = length;
  // RFC 6455 5.3: every client frame gets a fresh unpredictable key.
  if (sender == peer::client) {
    h.masked = true;
    h.mask = random_mask_key();
  }
  return h;
}

void append_message(std::vector<std::uint8_t>& out, peer sender, opcode op,
                    std::span<const std::uint8_t> payload) {
  append_frame(out, make_header(sender, op, payload.size()), payload);
}

void append_close(std::vector<std::uint8_t>& out, peer sender, std::uint16_t code,
                  std::string_view reason) {
  std::uint8_t body[max_control_payload];
  const std::size_t n = write_close_payload(body, code, reason);
  append_message(out, sender, opcode::close, {body, n});
}

}  // namespace resock::wire
