// native_conn, the sending half: everything a loop turn produced for one
// connection leaves in one write; the close frame is the last thing sent.
#include "websocket/native_conn.h"

#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>

#include "core/server_core.h"
#include "resock/wire/close.h"
#include "resock/wire/frame_writer.h"

namespace resock::ws {
namespace {

// Server frames carry no mask: 2 bytes + at most 8 of extended length.
constexpr std::size_t k_max_server_header = 10;

std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

// A write in flight owns its bytes until libuv is done with them.
struct native_conn::write_req {
  uv_write_t req{};
  native_conn* conn = nullptr;
  std::string data;
};

// --- writing ----------------------------------------------------------------

void native_conn::answer_and_close(std::string response) {
  head_.reset();
  phase_ = phase::answering;
  input_done_ = true;
  out_ = std::move(response);
  set_deadline(k_close_timeout_ms);
  schedule();
}

void native_conn::send_frame(wire::opcode op, std::span<const std::uint8_t> payload) {
  if (close_sent_ || phase_ == phase::closed) return;
  if (deflate_bits_ != 0 && !wire::is_control(op) &&
      payload.size() >= host_->options().deflate_min_size) {
    // Copied first: `payload` may be the inflated message in the host's
    // scratch buffer, which compressing reuses.
    const std::size_t at = out_.size();
    out_.reserve(at + k_max_server_header + payload.size());
    out_.append(k_max_server_header, '\0').append(as_text(payload));
    frame_at(at, op, maybe_compress(at));
    schedule();
    return;
  }
  std::uint8_t head[wire::max_header_size];
  const std::size_t n =
      wire::write_header(head, wire::make_header(wire::peer::server, op, payload.size()));
  out_.reserve(out_.size() + n + payload.size());
  out_.append(reinterpret_cast<const char*>(head), n).append(as_text(payload));
  schedule();
}

void native_conn::send_close(std::uint16_t code, std::string_view reason) {
  if (close_sent_ || phase_ == phase::closed) return;
  std::uint8_t payload[wire::max_control_payload];
  const std::size_t n = wire::write_close_payload(payload, code, reason);
  send_frame(wire::opcode::close, {payload, n});
  close_sent_ = true;
  close_code_ = code;
  phase_ = phase::closing;
  set_deadline(k_close_timeout_ms);
}

void native_conn::flush() noexcept {
  if (phase_ == phase::closed) return;
  try {
    if (phase_ == phase::open && conn_ != nullptr) pull_envelopes();
    if (close_requested_ && !close_sent_ && !more_from_core_)
      send_close(close_code_, close_reason_);
    write_out();
  } catch (const std::exception& e) {
    if (host_) host_->log(std::string("resock: event=error where=write reason=") + e.what());
    abort();
  } catch (...) {
    abort();
  }
}

void native_conn::pull_envelopes() {
  more_from_core_ = false;
  core::server_core& core = host_->core();
  if (slow_watch_ && queued() < k_queue_limit) {  // the peer reads again
    slow_watch_ = false;
    clear_deadline();
  }
  // Also after a close was asked for: its frame follows what the core had queued.
  while (conn_ != nullptr && !close_sent_) {
    if (queued() >= k_queue_limit) {
      more_from_core_ = true;  // resumed when the write completes
      const std::uint64_t limit = host_->options().slow_consumer_ms;
      if (!slow_watch_ && limit != 0 && phase_ == phase::open) {
        slow_watch_ = true;
        set_deadline(limit);
      }
      return;
    }
    // The core appends the envelope; its frame header goes in front once
    // the length is known (room reserved, the unused part erased).
    const std::size_t at = out_.size();
    out_.append(k_max_server_header, '\0');
    session::payload_ptr body;
    if (!core.writable(conn_, out_, deflate_bits_ != 0 ? &body : nullptr)) {
      out_.resize(at);
      return;
    }
    frame_at(at, wire::opcode::text, body ? compress_shared(at, body) : maybe_compress(at));
  }
}

void native_conn::frame_at(std::size_t at, wire::opcode op, std::uint8_t rsv) {
  const std::size_t len = out_.size() - at - k_max_server_header;
  wire::frame_header h = wire::make_header(wire::peer::server, op, len);
  h.rsv = rsv;
  std::uint8_t head[wire::max_header_size];
  const std::size_t n = wire::write_header(head, h);
  std::memcpy(out_.data() + at + k_max_server_header - n, head, n);
  out_.erase(at, k_max_server_header - n);
}

std::uint8_t native_conn::maybe_compress(std::size_t at) {
  const std::size_t begin = at + k_max_server_header;
  const std::size_t len = out_.size() - begin;
  if (deflate_bits_ == 0 || len < host_->options().deflate_min_size) return 0;
  std::string& z = host_->scratch();
  z.clear();
  const std::span<const std::uint8_t> plain(
      reinterpret_cast<const std::uint8_t*>(out_.data()) + begin, len);
  // A message may always go out uncompressed (RFC 7692 6): when zlib
  // fails, or when compressing would not make it smaller.
  if (!host_->deflater(deflate_bits_).compress(plain, z) || z.size() >= len) return 0;
  out_.resize(begin);
  out_.append(z);
  return wire::rsv::rsv1;
}

std::string& native_conn::wire_bytes() {
  if (!tls_) return out_;
  if (!out_.empty()) {
    if (!tls_->write({reinterpret_cast<const std::uint8_t*>(out_.data()), out_.size()}))
      throw std::runtime_error(tls_->error());
    out_.clear();  // its capacity serves the next turn
  }
  return tls_->output();
}

void native_conn::output_done() {
  if (tls_ && !tls_->shutdown_sent()) {
    // close_notify first: without it a TLS client cannot tell our end of
    // the stream from a truncation attack (OpenSSL 3 reports an error).
    tls_->shutdown();
    if (tls_->has_output()) {
      schedule();  // written at this turn's flush; then we come back here
      return;
    }
  }
  start_shutdown();
}

std::uint8_t native_conn::compress_shared(std::size_t at, const session::payload_ptr& body) {
  const std::size_t begin = at + k_max_server_header;
  const std::size_t len = out_.size() - begin;
  const std::size_t head_len = len - body->size();
  constexpr std::size_t k_max_head = 64;  // {"t":"msg","s":<seq>, is ~30 bytes
  if (len < host_->options().deflate_min_size || head_len > k_max_head) return maybe_compress(at);
  const std::string* z = host_->deflated_body(body, deflate_bits_);
  // Stored head (5 bytes of block header) + shared compressed body; sent
  // uncompressed when that is not smaller (RFC 7692 6 allows either).
  if (z == nullptr || 5 + head_len + z->size() >= len) return 0;
  std::uint8_t head[k_max_head];
  std::memcpy(head, out_.data() + begin, head_len);
  out_.resize(begin);
  wire::append_stored_block(out_, {head, head_len});
  out_.append(*z);
  return wire::rsv::rsv1;
}

void native_conn::write_out() {
  if (writing_ != nullptr || phase_ == phase::closed) return;  // the callback resumes
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  std::string& bytes = wire_bytes();
  const bool finishing = close_sent_ || phase_ == phase::answering;
  if (bytes.empty()) {
    if (finishing) output_done();
    return;
  }
  // Most turns' output fits the socket buffer: written at once, no request
  // allocated and the buffer released right away.
  uv_buf_t all = uv_buf_init(bytes.data(), static_cast<unsigned>(bytes.size()));
  int n = uv_try_write(stream, &all, 1);
  if (n == UV_EAGAIN) n = 0;
  if (n < 0) {
    close_socket();
    return;
  }
  if (n > 0) host_->count_bytes(0, static_cast<std::size_t>(n));
  if (static_cast<std::size_t>(n) == bytes.size()) {
    std::string().swap(bytes);
    if (tls_) std::string().swap(out_);  // idle: no buffer held
    if (finishing) output_done();
    if (more_from_core_) schedule();
    update_reading();  // input paused on a full queue resumes now
    return;
  }
  auto* w = new write_req;
  w->conn = this;
  w->req.data = w;
  w->data.swap(bytes);
  uv_buf_t rest = uv_buf_init(w->data.data() + n, static_cast<unsigned>(w->data.size() - n));
  writing_ = w;
  writing_bytes_ = rest.len;
  if (uv_write(&w->req, stream, &rest, 1, &native_conn::on_write) != 0) {
    writing_ = nullptr;
    writing_bytes_ = 0;
    delete w;
    close_socket();
  }
}

void native_conn::on_write(uv_write_t* req, int status) noexcept {
  auto* w = static_cast<write_req*>(req->data);
  native_conn* c = w->conn;  // alive: it is deleted only after its close callback
  delete w;
  c->writing_ = nullptr;
  if (status >= 0 && c->host_) c->host_->count_bytes(0, c->writing_bytes_);
  c->writing_bytes_ = 0;
  if (c->phase_ == phase::closed) return;
  if (status < 0) {
    c->close_socket();
    return;
  }
  // What accumulated meanwhile, more envelopes, or the shutdown after the
  // close frame: all at this turn's flush.
  c->schedule();
  c->update_reading();
}

void native_conn::start_shutdown() {
  if (shutdown_started_ || phase_ == phase::closed) return;
  shutdown_started_ = true;
  // Our FIN goes first (RFC 6455 7.1.1: the server closes TCP first); the
  // socket is closed when the peer's FIN arrives or at the deadline, so
  // that unread input never turns the close into a reset that could
  // destroy the answer or close frame before the peer read it.
  // The request lives only for the close: an open connection does not
  // carry its 80 bytes.
  auto* req = new (std::nothrow) uv_shutdown_t;
  if (req == nullptr) return close_socket();
  req->data = this;
  if (uv_shutdown(req, reinterpret_cast<uv_stream_t*>(&tcp_), &native_conn::on_shutdown) != 0) {
    delete req;
    close_socket();
  }
}

void native_conn::on_shutdown(uv_shutdown_t* req, int status) noexcept {
  // Also called (UV_ECANCELED) when the handle closes first, before the
  // close callback that deletes the connection: `c` is alive here.
  auto* c = static_cast<native_conn*>(req->data);
  delete req;
  if (c->phase_ == phase::closed) return;
  c->shutdown_done_ = true;
  // Both directions are finished once our FIN is out and the peer's came.
  if (status < 0 || c->peer_eof_) c->close_socket();
}

}  // namespace resock::ws
