#include "resock/wire/message_assembler.h"

#include <cstring>

namespace resock::wire {

namespace {

// parse_close_payload without the reason's UTF-8 check, for when an
// extension has taken over validation (validate_utf8 off).
errc parse_close_unchecked(std::span<const std::uint8_t> payload, close_payload& out) noexcept {
  if (payload.size() < 2) return errc::invalid_close_payload;
  const auto code = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
  if (!is_valid_close_code(code)) return errc::invalid_close_code;
  out.code = code;
  out.reason = {reinterpret_cast<const char*>(payload.data() + 2), payload.size() - 2};
  return errc::ok;
}

}  // namespace

message_assembler::message_assembler(const assembler_options& options) noexcept
    : options_(options) {}

void message_assembler::reset() noexcept {
  utf8_.reset();
  error_ = {};
  close_ = {};
  message_size_ = 0;
  frame_op_ = opcode::continuation;
  message_op_ = opcode::text;
  frame_fin_ = true;
  in_message_ = false;
  compressed_ = false;
  failed_ = false;
  control_len_ = 0;
}

message_step message_assembler::fail_with(errc e) noexcept {
  failed_ = true;
  error_ = make_wire_error(e);
  return {message_event::error, {}};
}

message_step message_assembler::on_header(const frame_header& h) noexcept {
  if (failed_) return {message_event::error, {}};
  frame_op_ = h.op;
  frame_fin_ = h.fin;
  // RSV1 (permessage-deflate, once negotiated) marks the first frame of a
  // compressed message and nothing else (RFC 7692 6.1).
  const bool rsv1 = (h.rsv & rsv::rsv1) != 0;
  if (rsv1 && (is_control(h.op) || h.op == opcode::continuation))
    return fail_with(errc::reserved_bits_set);
  if (is_control(h.op)) {
    // The parser already enforces these; repeated here because the fuzzer
    // and tests feed headers directly and control_ is a fixed array.
    if (!is_known(h.op)) return fail_with(errc::unknown_opcode);
    if (!h.fin) return fail_with(errc::fragmented_control);
    if (h.length > max_control_payload) return fail_with(errc::control_too_long);
    control_len_ = 0;
    return {};
  }
  switch (h.op) {
    case opcode::continuation:
      if (!in_message_) return fail_with(errc::unexpected_continuation);
      break;
    case opcode::text:
    case opcode::binary:
      if (in_message_) return fail_with(errc::expected_continuation);
      in_message_ = true;
      message_op_ = h.op;
      message_size_ = 0;
      compressed_ = rsv1;
      utf8_.reset();
      break;
    default:
      return fail_with(errc::unknown_opcode);
  }
  // Checked against the announced length so an oversized message fails
  // before any of its payload has to be received.
  const std::uint64_t max = options_.max_message_size;
  if (max != 0 && h.length > max - message_size_) return fail_with(errc::message_too_big);
  return {};
}

message_step message_assembler::on_payload(std::span<const std::uint8_t> bytes) noexcept {
  if (failed_) return {message_event::error, {}};
  if (is_control(frame_op_)) {
    if (bytes.size() > max_control_payload - control_len_) return fail_with(errc::control_too_long);
    if (!bytes.empty()) std::memcpy(control_ + control_len_, bytes.data(), bytes.size());
    control_len_ = static_cast<std::uint8_t>(control_len_ + bytes.size());
    return {};
  }
  // Headers are checked, but a direct caller may deliver more than it
  // announced; the limit must hold regardless.
  const std::uint64_t max = options_.max_message_size;
  if (max != 0 && bytes.size() > max - message_size_) return fail_with(errc::message_too_big);
  message_size_ += bytes.size();
  // A compressed message is checked by whoever inflates it.
  if (message_op_ == opcode::text && options_.validate_utf8 && !compressed_ && !utf8_.feed(bytes))
    return fail_with(errc::invalid_utf8);
  return {message_event::data, bytes};
}

message_step message_assembler::on_frame_end() noexcept {
  if (failed_) return {message_event::error, {}};
  const std::span<const std::uint8_t> control{control_, control_len_};
  switch (frame_op_) {
    case opcode::ping:
      return {message_event::ping, control};
    case opcode::pong:
      return {message_event::pong, control};
    case opcode::close: {
      errc e = parse_close_payload(control, close_);
      if (e == errc::invalid_utf8 && !options_.validate_utf8)
        e = parse_close_unchecked(control, close_);
      if (e != errc::ok) return fail_with(e);
      return {message_event::close, control};
    }
    default:
      break;
  }
  if (!frame_fin_ || !in_message_) return {};
  // A sequence still open at the end of the last fragment can never finish.
  if (message_op_ == opcode::text && options_.validate_utf8 && !compressed_ && !utf8_.complete())
    return fail_with(errc::invalid_utf8);
  in_message_ = false;
  return {message_event::message_end, {}};
}

}  // namespace resock::wire
