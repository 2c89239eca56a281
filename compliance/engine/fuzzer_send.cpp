// The fuzzer's sending side: raw frames, messages, closes, the streaming
// API, and Autobahn's send queue (chops and sync frames leave one per loop
// turn, each as its own socket write).
#include <cstring>

#include "compliance/engine/fuzzer.h"
#include "resock/wire/frame_writer.h"
#include "resock/wire/mask.h"
#include "resock/wire/utf8.h"

namespace resock::conformance::engine_detail {

namespace {

// `pattern` repeated and truncated to `n` bytes, by doubling copies.
void fill_pattern(std::uint8_t* out, std::uint64_t n, std::string_view pattern) {
  if (n == 0 || pattern.empty()) return;
  std::uint64_t have = std::min<std::uint64_t>(pattern.size(), n);
  std::memcpy(out, pattern.data(), static_cast<std::size_t>(have));
  while (have < n) {
    const std::uint64_t take = std::min(have, n - have);
    std::memcpy(out + have, out, static_cast<std::size_t>(take));
    have += take;
  }
}

}  // namespace

void fuzzer::send_frame(std::uint8_t opcode, std::string_view payload,
                        const frame_options& options) {
  if (state_ == state::closed) return;
  std::uint64_t length = options.repeat_to ? *options.repeat_to : payload.size();
  if (payload.empty()) length = 0;  // nothing to repeat
  wire::frame_header h;
  h.fin = options.fin;
  h.rsv = options.rsv & 0x7;
  h.op = static_cast<wire::opcode>(opcode & 0x0F);
  h.masked = true;
  h.mask = wire::random_mask_key();
  h.length = length;
  std::string out(wire::header_size(length, true) + length, '\0');
  auto* p = reinterpret_cast<std::uint8_t*>(out.data());
  const std::size_t n = wire::write_header(p, h);
  if (options.repeat_to) {
    fill_pattern(p + n, length, payload);
    wire::mask_inplace({p + n, static_cast<std::size_t>(length)}, h.mask);
  } else if (length != 0) {
    wire::mask_copy(p + n, reinterpret_cast<const std::uint8_t*>(payload.data()),
                    static_cast<std::size_t>(length), h.mask);
  }
  rec_.tx_frame(opcode, h.fin, h.rsv, h.mask, payload, options.repeat_to, options.chopsize,
                options.sync);
  send_data(std::move(out), options.sync, options.chopsize);
}

void fuzzer::send_message(std::string_view payload, bool binary, std::size_t fragment_size,
                          bool sync) {
  const std::uint8_t opcode = binary ? 2 : 1;
  const std::size_t size = fragment_size > 0 ? fragment_size : auto_fragment_;
  frame_options o;
  o.sync = sync;
  if (size == 0 || payload.size() <= size) {
    send_frame(opcode, payload, o);
    return;
  }
  // Autobahn's rule: a frame is final only when it would reach past the
  // end, so an exact multiple ends with an empty final continuation.
  bool first = true;
  for (std::size_t i = 0;; i += size) {
    const bool done = i + size > payload.size();
    o.fin = done;
    send_frame(first ? opcode : 0, payload.substr(i, done ? payload.size() - i : size), o);
    first = false;
    if (done) break;
  }
}

void fuzzer::send_close(std::optional<std::uint16_t> code, std::string_view reason) {
  // Autobahn's sendClose refuses what a well-behaved endpoint must not send.
  if (code) {
    if (*code != 1000 && (*code < 3000 || *code > 4999)) return;
    if (reason.size() > 123 ||
        !wire::is_valid_utf8({reinterpret_cast<const std::uint8_t*>(reason.data()), reason.size()}))
      return;
  } else if (!reason.empty()) {
    return;
  }
  send_close_internal(code ? std::optional<std::uint32_t>(*code) : std::nullopt,
                      reason.empty() ? std::nullopt : std::optional<std::string_view>(reason),
                      false);
}

void fuzzer::send_close_frame(std::optional<std::uint32_t> code,
                              std::optional<std::string_view> reason_bytes) {
  send_close_internal(code, reason_bytes, false);
}

void fuzzer::begin_message(bool binary) {
  stream_opcode_ = binary ? 2 : 1;
  stream_first_ = true;
}

void fuzzer::begin_message_frame(std::uint64_t length) {
  wire::frame_header h;
  h.fin = false;
  h.op = static_cast<wire::opcode>(stream_first_ ? stream_opcode_ : 0);
  h.masked = true;
  h.mask = wire::random_mask_key();
  h.length = length;
  stream_first_ = false;
  stream_mask_ = h.mask;
  stream_offset_ = 0;
  std::string head(wire::max_header_size, '\0');
  head.resize(wire::write_header(reinterpret_cast<std::uint8_t*>(head.data()), h));
  // Only the header: Autobahn logs no TF entry for it.
  send_data(std::move(head), false, 0);
}

void fuzzer::send_message_frame_data(std::string_view bytes) {
  std::string out(bytes);
  wire::mask_inplace({reinterpret_cast<std::uint8_t*>(out.data()), out.size()}, stream_mask_,
                     static_cast<std::size_t>(stream_offset_ & 3));
  stream_offset_ += out.size();
  send_data(std::move(out), false, 0);
}

void fuzzer::end_message() {
  frame_options o;
  o.fin = true;
  send_frame(0, {}, o);
}

void fuzzer::send_raw(std::string_view bytes, std::size_t chopsize) {
  // Before the server answered, raw bytes are the case's own request.
  if (phase_ == phase::raw_head) result_.http_request.append(bytes);
  send_data(std::string(bytes), false, chopsize);
}

std::uint64_t fuzzer::tx_frames(std::uint8_t opcode) const {
  const auto it = result_.tx_frame_stats.find(opcode);
  return it == result_.tx_frame_stats.end() ? 0 : it->second;
}

// ---------------------------------------------------------------- queue

void fuzzer::send_data(std::string bytes, bool sync, std::size_t chopsize) {
  if (chopsize > 0) {
    for (std::size_t i = 0; i < bytes.size(); i += chopsize)
      queue_.push_back({bytes.substr(i, chopsize), true});
  } else if (sync || !queue_.empty()) {
    // Behind anything already queued, so the byte order is kept.
    queue_.push_back({std::move(bytes), sync});
  } else {
    write_now(std::move(bytes), false);
    return;
  }
  if (!triggered_) {
    triggered_ = true;
    pump_queue();
  }
}

void fuzzer::write_now(std::string bytes, bool sync) {
  if (state_ == state::closed) return;
  rec_.tx_octets(bytes, sync);
  link_.write(std::move(bytes));
}

// One element now, the next on a later loop turn (uv_idle runs once per
// iteration, and each uv_write is its own write() with TCP_NODELAY on).
void fuzzer::pump_queue() {
  if (queue_.empty() || finished_) {
    triggered_ = false;
    if (!finished_) uv_idle_stop(&idle_);
    return;
  }
  queued e = std::move(queue_.front());
  queue_.pop_front();
  write_now(std::move(e.bytes), e.sync);
  if (!finished_) uv_idle_start(&idle_, &fuzzer::on_idle);
}

void fuzzer::on_idle(uv_idle_t* handle) {
  static_cast<fuzzer*>(handle->data)->pump_queue();
}

}  // namespace resock::conformance::engine_detail
