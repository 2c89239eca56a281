#include "resock/wire/frame_parser.h"

#include <algorithm>
#include <cstring>

#include "resock/wire/mask.h"

namespace resock::wire {

namespace {

// Bytes of the header announced by its second byte.
constexpr std::uint8_t header_need(std::uint8_t b1) noexcept {
  const std::uint8_t len7 = b1 & 0x7F;
  std::uint8_t n = len7 == 127 ? 10 : (len7 == 126 ? 4 : 2);
  return (b1 & 0x80) ? n + 4 : n;
}

// Validates the first `len` bytes of a header (len >= 1) and, when they are
// the whole header, decodes it into `out`. Checking a prefix lets the
// buffered path fail at the byte that makes the header invalid. The checks of
// the extended length use the range [lo, hi] of lengths the prefix still
// allows, so each error fires at the first byte after which no continuation
// could be valid, and a longer prefix never yields a different error than the
// shortest failing one: the fast path (whole header in hand) and the buffered
// path agree on the error for any split.
errc scan_header(const std::uint8_t* p, std::size_t len, const frame_parser_options& o,
                 frame_header& out) noexcept {
  const std::uint8_t b0 = p[0];
  const std::uint8_t rsv = (b0 >> 4) & 0x7;
  if ((rsv & ~o.allowed_rsv) != 0) return errc::reserved_bits_set;
  const auto op = static_cast<opcode>(b0 & 0x0F);
  if (!is_known(op)) return errc::unknown_opcode;
  const bool fin = (b0 & 0x80) != 0;
  const bool control = is_control(op);
  if (control && !fin) return errc::fragmented_control;
  if (len < 2) return errc::ok;

  const std::uint8_t b1 = p[1];
  const bool masked = (b1 & 0x80) != 0;
  if (o.sender == peer::client && !masked) return errc::mask_required;
  if (o.sender == peer::server && masked) return errc::mask_forbidden;

  const std::uint8_t len7 = b1 & 0x7F;
  std::uint64_t length = len7;
  std::size_t at = 2;
  if (len7 < 126) {
    if (o.max_frame_size != 0 && length > o.max_frame_size) return errc::frame_too_big;
  } else {
    // A control frame in an extended form is either longer than 125 or not
    // minimal: with minimal lengths required nothing after this byte helps.
    if (control && o.require_minimal_length) return errc::control_too_long;
    const std::size_t n = len7 == 126 ? 2 : 8;
    const std::size_t k = std::min(len - 2, n);
    if (k == 0) return errc::ok;
    if (n == 8 && (p[2] & 0x80) != 0) return errc::length_msb_set;
    std::uint64_t prefix = 0;
    for (std::size_t i = 0; i < k; ++i)
      prefix = (prefix << 8) | p[2 + i];
    const unsigned rest = static_cast<unsigned>(8 * (n - k));  // < 64 since k >= 1
    const std::uint64_t lo = prefix << rest;
    const std::uint64_t hi = lo | ((std::uint64_t{1} << rest) - 1);
    if (o.require_minimal_length && hi < (n == 2 ? 126u : 0x10000u))
      return errc::length_not_minimal;
    if (control && lo > max_control_payload) return errc::control_too_long;
    if (o.max_frame_size != 0 && lo > o.max_frame_size) return errc::frame_too_big;
    if (k < n) return errc::ok;
    length = prefix;
    at += n;
  }
  if (masked) {
    if (len < at + 4) return errc::ok;
    std::memcpy(out.mask.data(), p + at, 4);
  } else {
    out.mask = {};
  }
  out.fin = fin;
  out.rsv = rsv;
  out.op = op;
  out.masked = masked;
  out.length = length;
  return errc::ok;
}

}  // namespace

frame_parser::frame_parser(const frame_parser_options& options) noexcept : options_(options) {}

void frame_parser::reset() noexcept {
  header_ = {};
  offset_ = 0;
  error_ = {};
  state_ = state::head;
  head_len_ = 0;
  head_need_ = 2;
}

frame_step frame_parser::fail_with(errc e) noexcept {
  state_ = state::failed;
  error_ = make_wire_error(e);
  return {frame_event::error, 0, {}};
}

frame_step frame_parser::parse_head(std::span<std::uint8_t> input) noexcept {
  // Fast path: the whole header is in the input, decode it where it lies.
  if (head_len_ == 0 && input.size() >= 2) {
    const std::uint8_t need = header_need(input[1]);
    if (input.size() >= need) {
      if (const errc e = scan_header(input.data(), need, options_, header_); e != errc::ok)
        return fail_with(e);
      offset_ = 0;
      state_ = header_.length == 0 ? state::end : state::payload;
      return {frame_event::header, need, {}};
    }
  }

  // Slow path: gather the header in head_, validating every prefix so an
  // invalid header fails at its offending byte however the input is split.
  std::size_t used = 0;
  for (;;) {
    const std::size_t take = std::min<std::size_t>(head_need_ - head_len_, input.size() - used);
    if (take != 0) std::memcpy(head_ + head_len_, input.data() + used, take);
    head_len_ = static_cast<std::uint8_t>(head_len_ + take);
    used += take;
    if (head_len_ == 0) return {frame_event::need_more, used, {}};
    if (const errc e = scan_header(head_, head_len_, options_, header_); e != errc::ok)
      return fail_with(e);
    if (head_len_ < head_need_) return {frame_event::need_more, used, {}};
    if (head_need_ == 2) {
      head_need_ = header_need(head_[1]);
      if (head_need_ > 2) continue;
    }
    break;
  }
  head_len_ = 0;
  head_need_ = 2;
  offset_ = 0;
  state_ = header_.length == 0 ? state::end : state::payload;
  return {frame_event::header, used, {}};
}

frame_step frame_parser::next(std::span<std::uint8_t> input) noexcept {
  switch (state_) {
    case state::head:
      return parse_head(input);
    case state::payload: {
      if (input.empty()) return {frame_event::need_more, 0, {}};
      const std::uint64_t left = header_.length - offset_;
      const std::size_t n = left < input.size() ? static_cast<std::size_t>(left) : input.size();
      const auto bytes = input.first(n);
      // The payload offset is the key phase, so any split unmasks identically.
      if (header_.masked && options_.unmask)
        mask_inplace(bytes, header_.mask, static_cast<std::size_t>(offset_ & 3));
      offset_ += n;
      if (offset_ == header_.length) state_ = state::end;
      return {frame_event::payload, n, bytes};
    }
    case state::end:
      state_ = state::head;
      return {frame_event::frame_end, 0, {}};
    case state::failed:
      break;
  }
  return {frame_event::error, 0, {}};
}

}  // namespace resock::wire
