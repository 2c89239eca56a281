#include "websocket/native_conn.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include "core/server_core.h"
#include "resock/wire/close.h"
#include "resock/wire/utf8.h"

namespace resock::ws {
namespace {

constexpr wire::http_head_limits k_head_limits{.max_head_size = 8192, .max_headers = 64};

std::string peer_name(const uv_tcp_t& tcp) {
  sockaddr_storage sa{};
  int len = sizeof(sa);
  if (uv_tcp_getpeername(&tcp, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return "unknown";
  char ip[64] = "";
  if (sa.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    uv_ip6_name(in6, ip, sizeof(ip));
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  const auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
  uv_ip4_name(in, ip, sizeof(ip));
  return std::string(ip) + ":" + std::to_string(ntohs(in->sin_port));
}

std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

native_conn::native_conn(conn_host& host) noexcept : host_(&host) {}

native_conn::~native_conn() = default;

int native_conn::accept(uv_stream_t* server) noexcept {
  int rc = uv_tcp_init(server->loop, &tcp_);
  if (rc != 0) return rc;  // not in the loop: the host deletes us
  tcp_.data = this;
  rc = uv_accept(server, reinterpret_cast<uv_stream_t*>(&tcp_));
  if (rc == 0) {
    uv_tcp_nodelay(&tcp_, 1);
    try {
      peer_ = peer_name(tcp_);
      head_ = std::make_unique<wire::http_head_parser>(wire::head_kind::request, k_head_limits);
      if (const tls::server_context* t = host_->tls()) tls_ = std::make_unique<tls::channel>(*t);
    } catch (...) {
      rc = UV_ENOMEM;
    }
  }
  if (rc != 0) {
    close_socket();  // the close callback retires us
    return rc;
  }
  // Slowloris: the whole request (head, and an API body) within this.
  set_deadline(host_->options().handshake_timeout_ms);
  update_reading();
  return 0;
}

void native_conn::refuse(int status) noexcept {
  refused_ = static_cast<std::uint16_t>(status);
  if (!tls_) return;
  host_->count_reject(status);
  host_->log("resock: event=reject peer=" + peer_ + " status=" + std::to_string(status) +
             " reason=\"over a connection limit; TLS: closed before the handshake\"");
  close_socket();
}

// --- core::link -------------------------------------------------------------

void native_conn::want_write() noexcept {
  if (phase_ == phase::open && !close_sent_) schedule();
}

void native_conn::close(std::uint16_t code, std::string_view reason) noexcept {
  if (phase_ != phase::open || close_requested_ || close_sent_) return;
  close_requested_ = true;
  close_code_ = code;
  try {
    close_reason_.assign(reason);
  } catch (...) {
    close_reason_.clear();  // the code alone still closes correctly
  }
  // The frame goes out at the next flush, after the envelopes queued so far.
  schedule();
}

// --- reading ----------------------------------------------------------------

void native_conn::on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) noexcept {
  auto* c = static_cast<native_conn*>(h->data);
  *buf = c->host_ ? c->host_->read_buffer() : uv_buf_init(nullptr, 0);
}

void native_conn::on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) noexcept {
  auto* c = static_cast<native_conn*>(s->data);
  if (n == 0 || c->phase_ == phase::closed) return;
  if (n < 0) {
    if (n == UV_EOF)
      c->on_eof();
    else
      c->close_socket();
    return;
  }
  c->host_->count_bytes(static_cast<std::size_t>(n), 0);
  try {
    const std::span<std::uint8_t> in(reinterpret_cast<std::uint8_t*>(buf->base),
                                     static_cast<std::size_t>(n));
    if (c->tls_) {
      c->read_tls(in);
    } else {
      c->read(in);
      c->keep_leftover();
    }
    c->update_reading();
  } catch (const std::exception& e) {
    // Nothing may unwind through libuv (STYLE.md 7).
    if (c->host_) c->host_->log(std::string("resock: event=error where=read reason=") + e.what());
    c->abort();
  } catch (...) {
    c->abort();
  }
}

void native_conn::on_eof() noexcept {
  const bool finishing = phase_ == phase::closing || phase_ == phase::answering;
  if (finishing && !shutdown_done_) {
    // The peer half-closed right after its close frame or request (as
    // `nc -N` does): our reply is still owed, the socket closes after it.
    peer_eof_ = true;
    update_reading();
    return;
  }
  // Otherwise this is the normal end after our close or answer, or, on an
  // open WebSocket, a peer that vanished (1006).
  close_socket();
}

void native_conn::read_tls(std::span<std::uint8_t> in) {
  if (!tls_checked_) {
    tls_checked_ = true;
    if (!tls::looks_like_tls(in[0])) {
      // Plain HTTP to the TLS port: answered in plain text, so that the
      // user sees why (curl http:// against an https:// server).
      tls_.reset();
      host_->count_reject(400);
      host_->log("resock: event=reject peer=" + peer_ +
                 " status=400 reason=\"plain HTTP sent to the TLS port\"");
      head_.reset();
      answer_and_close(answer_plain_to_tls());
      return;
    }
  }
  const uv_buf_t buf = host_->plain_buffer();
  const std::span<std::uint8_t> plain(reinterpret_cast<std::uint8_t*>(buf.base), buf.len);
  std::span<const std::uint8_t> cipher = in;
  while (phase_ != phase::closed && tls_) {
    const tls::read_result r = tls_->read(cipher, plain);
    cipher = cipher.subspan(r.used);
    if (r.bytes > 0) {
      // Each piece is read like a socket read (what a message still needs
      // is kept by keep_leftover(): the buffer serves the next piece).
      read(plain.first(r.bytes));
      keep_leftover();
      continue;
    }
    if (r.status == tls::read_status::closed) {
      if (tls_->has_output()) schedule();
      on_eof();
      return;
    }
    if (r.status == tls::read_status::failed) {
      host_->log("resock: event=reject peer=" + peer_ + " reason=\"" + tls_->error() + "\"");
      // The alert, if any, goes out before the socket closes; a failed
      // handshake never reached the request, so nothing else is owed.
      std::string alert;
      tls_->take_output(alert);
      uv_buf_t b = uv_buf_init(alert.data(), static_cast<unsigned>(alert.size()));
      if (!alert.empty()) (void)uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1);
      close_socket();
      return;
    }
    if (r.used == 0) break;  // every socket byte is with OpenSSL: wait for more
  }
  // Handshake records (and post-handshake messages) go out at the flush.
  if (tls_ && tls_->has_output()) schedule();
}

void native_conn::read(std::span<std::uint8_t> in) {
  switch (phase_) {
    case phase::head:
      read_head(in);
      return;
    case phase::body:
      read_body(in);
      return;
    case phase::open:
    case phase::closing:
      if (!input_done_) read_frames(in);
      return;
    case phase::answering:
    case phase::closed:
      return;  // what follows an answered request is not read
  }
}

void native_conn::read_head(std::span<std::uint8_t> in) {
  const wire::head_step step = head_->feed(in);
  if (step.status == wire::head_status::need_more) return;
  head_answer answer;
  std::string where;
  if (refused_ != 0) {
    answer = answer_refused(refused_);
  } else if (step.status == wire::head_status::error) {
    answer = answer_bad_head(head_->error());
  } else {
    const wire::http_head& h = head_->head();
    answer = answer_request(h, host_->routes());
    if (answer.upgrade != endpoint::none) {
      out_ += answer.response;
      start_websocket(answer.upgrade, in.subspan(step.consumed), answer.deflate);
      return;
    }
    if (answer.api) {
      // The head's views stay valid in head_ while the body arrives.
      phase_ = phase::body;
      body_left_ = answer.api_body_length;
      rx_.reserve(body_left_);
      read_body(in.subspan(step.consumed));
      return;
    }
    where = " method=" + std::string(h.method.substr(0, 16)) +
            " path=" + std::string(path_of(h.target).substr(0, 200));
  }
  if (answer.status >= 400) host_->count_reject(answer.status);
  if (answer.status >= 400)
    host_->log("resock: event=reject peer=" + peer_ + " status=" + std::to_string(answer.status) +
               where + " reason=\"" + std::string(answer.reason) + "\"");
  answer_and_close(std::move(answer.response));
}

void native_conn::read_body(std::span<std::uint8_t> in) {
  const std::size_t take = std::min(body_left_, in.size());
  rx_.append(as_text(in.first(take)));
  body_left_ -= take;
  if (body_left_ == 0) answer_api();  // what follows the body is not read
}

void native_conn::answer_api() {
  const wire::http_head& h = head_->head();
  const std::string_view target = h.target;
  const std::size_t q = target.find('?');
  api_request req{.method = h.method,
                  .path = path_of(target),
                  .query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1),
                  .authorization = h.find("Authorization"),
                  .body = rx_};
  api_response res = host_->options().api(req);
  if (res.status >= 400) {
    host_->count_reject(res.status);
    host_->log("resock: event=api peer=" + peer_ + " status=" + std::to_string(res.status) +
               " method=" + std::string(h.method.substr(0, 16)) +
               " path=" + std::string(req.path.substr(0, 200)));
  }
  std::string().swap(rx_);
  answer_and_close(api_answer(res));
}

void native_conn::start_websocket(endpoint e, std::span<std::uint8_t> rest,
                                  const std::optional<wire::deflate_agreement>& deflate) {
  endpoint_ = e;
  deflate_bits_ = deflate ? deflate->server_max_window_bits : 0;
  phase_ = phase::open;
  clear_deadline();
  const ws_server_options& o = host_->options();
  if (e == endpoint::echo) {
    reader_.emplace(wire::reader_options{
        .frame = {.sender = wire::peer::client, .max_frame_size = o.echo_max_message},
        .message = {.max_message_size = o.echo_max_message}});
  } else {
    // Sessions: the size limit is applied in on_data, where an oversized
    // envelope is handed to the core up to max + 1 bytes, so that the core
    // answers it (error too_big, then close 1009) as on every transport.
    reader_.emplace(
        wire::reader_options{.frame = {.sender = wire::peer::client, .max_frame_size = 0},
                             .message = {.max_message_size = 0}});
    const wire::http_head& h = head_->head();
    core::link_info info{.origin = h.find("Origin"),
                         .authorization = bearer_token(h.find("Authorization"))};
    conn_ = host_->core().open(*this, info);
  }
  if (deflate_bits_ != 0) reader_->parser().set_allowed_rsv(wire::rsv::rsv1);
  head_.reset();
  schedule();
  if (!rest.empty() && phase_ != phase::closed) read_frames(rest);
}

void native_conn::read_frames(std::span<std::uint8_t> in) {
  while (phase_ != phase::closed && !input_done_) {
    const wire::read_step s = reader_->next(in);
    in = in.subspan(s.consumed);
    switch (s.event) {
      case wire::message_event::none:
        return;  // all input used
      case wire::message_event::data:
        on_data(s.data);
        break;
      case wire::message_event::message_end:
        on_message_end();
        break;
      case wire::message_event::ping:
        // Each ping its own pong, in order (RFC 6455 5.5.2; Autobahn 2.10).
        send_frame(wire::opcode::pong, s.data);
        break;
      case wire::message_event::pong:
        break;  // unsolicited pongs need no answer (RFC 6455 5.5.3)
      case wire::message_event::close:
        on_peer_close();
        return;
      case wire::message_event::error:
        on_protocol_error(reader_->error());
        return;
    }
  }
}

void native_conn::on_data(std::span<const std::uint8_t> bytes) {
  if (discarding_ || close_sent_ || bytes.empty()) return;
  if (endpoint_ == endpoint::session) {
    if (reader_->message_opcode() == wire::opcode::binary) {
      discarding_ = true;
      drop_message();
      close(wire::close_code::unsupported_data, "binary messages are not supported");
      return;
    }
    if (view_.size() + rx_.size() + bytes.size() > host_->options().max_message_size) {
      session_too_big(bytes);
      return;
    }
  }
  if (view_.empty() && rx_.empty()) {
    view_ = bytes;  // zero copy while the message stays inside this read
    return;
  }
  if (rx_.empty()) {
    // The message outgrows one read or one frame: copy, sized once for the
    // rest of the current frame (a 16 MiB frame is not grown by doubling).
    const wire::frame_header& f = reader_->frame();
    const std::uint64_t left = f.length - std::min(f.length, reader_->parser().payload_offset());
    const std::uint64_t want = view_.size() + bytes.size() + left;
    const ws_server_options& o = host_->options();
    const std::uint64_t cap =
        endpoint_ == endpoint::echo ? o.echo_max_message : o.max_message_size + 1;
    rx_.reserve(static_cast<std::size_t>(std::min(want, cap)));
  }
  rx_.append(as_text(view_));
  view_ = {};
  rx_.append(as_text(bytes));
}

void native_conn::keep_leftover() {
  // The shared read buffer is reused by the next read of any connection.
  if (view_.empty()) return;
  rx_.assign(as_text(view_));
  view_ = {};
}

void native_conn::drop_message() noexcept {
  view_ = {};
  std::string().swap(rx_);  // an idle connection holds no buffer
}

void native_conn::session_too_big(std::span<const std::uint8_t> more) {
  // The core decides "too big" by size: max + 1 bytes are enough for it.
  const std::size_t cap = host_->options().max_message_size + 1;
  std::string first;
  first.reserve(cap);
  first.append(rx_).append(as_text(view_));
  first.append(as_text(more.first(std::min(more.size(), cap - first.size()))));
  drop_message();
  discarding_ = true;
  deliver({reinterpret_cast<const std::uint8_t*>(first.data()), first.size()});
  // After the core's error envelope (a no-op when the core closed already).
  close(wire::close_code::message_too_big, "message too big");
}

void native_conn::on_message_end() {
  if (discarding_ || close_sent_) {
    discarding_ = false;
    drop_message();
    return;
  }
  std::span<const std::uint8_t> msg =
      !view_.empty() ? view_
                     : std::span<const std::uint8_t>(
                           reinterpret_cast<const std::uint8_t*>(rx_.data()), rx_.size());
  if (reader_->assembler().message_compressed()) {
    const ws_server_options& o = host_->options();
    // Sessions: up to max + 1 bytes reach the core, which answers "too big"
    // as for an uncompressed envelope; more fails while inflating (1009).
    const std::size_t limit =
        endpoint_ == endpoint::echo ? o.echo_max_message : o.max_message_size + 1;
    if (!inflate(msg, limit)) {
      drop_message();
      return;
    }
    const std::string& plain = host_->scratch();
    msg = {reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()};
    // The assembler could not check compressed text (RFC 6455 8.1 applies
    // to the inflated message).
    if (endpoint_ == endpoint::echo && reader_->message_opcode() == wire::opcode::text &&
        !wire::is_valid_utf8(msg)) {
      drop_message();
      close(wire::close_code::invalid_payload, "invalid UTF-8 in a compressed message");
      return;
    }
  }
  if (endpoint_ == endpoint::echo) {
    send_frame(reader_->message_opcode(), msg);
  } else if (reader_->message_opcode() == wire::opcode::binary) {
    close(wire::close_code::unsupported_data, "binary messages are not supported");
  } else {
    deliver(msg);
  }
  drop_message();
}

bool native_conn::inflate(std::span<const std::uint8_t> compressed, std::size_t limit) {
  std::string& out = host_->scratch();
  out.clear();
  switch (host_->inflater().decompress(compressed, out, limit)) {
    case wire::inflate_status::ok:
      return true;
    case wire::inflate_status::too_big:
      close(wire::close_code::message_too_big, "message too big");
      return false;
    case wire::inflate_status::corrupt:
      close(wire::close_code::invalid_payload, "invalid compressed data");
      return false;
    case wire::inflate_status::no_memory:
      break;
  }
  close(wire::close_code::internal_error, "out of memory");
  return false;
}

void native_conn::deliver(std::span<const std::uint8_t> envelope) {
  if (conn_ == nullptr) return;
  const auto& tap = host_->options().inbound_tap;
  if (tap) tap(as_text(envelope));
  host_->core().receive(conn_, envelope);
}

void native_conn::on_peer_close() {
  input_done_ = true;
  drop_message();
  const wire::close_payload& cp = reader_->close();
  report_closed(cp.code, cp.reason, true);
  // Our reply echoes the code (1000 for an empty close); when we closed
  // first, this was the reply and the handshake is complete.
  send_close(cp.code == wire::close_code::no_status ? wire::close_code::normal : cp.code, {});
}

void native_conn::on_protocol_error(const wire::wire_error& e) {
  // RFC 6455 7.1.7: fail the connection — close frame, then the socket.
  input_done_ = true;
  drop_message();
  report_closed(e.close_code, e.reason, false);
  send_close(e.close_code, e.reason);
}

// --- lifetime ---------------------------------------------------------------

std::size_t native_conn::queued() const noexcept {
  return out_.size() + writing_bytes_;
}

void native_conn::update_reading() noexcept {
  if (phase_ == phase::closed) return;
  // Closing and answering connections always read: they wait for the FIN.
  const bool want = !peer_eof_ && (phase_ != phase::open || queued() < k_queue_limit);
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (want && !reading_) {
    if (uv_read_start(stream, &native_conn::on_alloc, &native_conn::on_read) == 0) reading_ = true;
  } else if (!want && reading_) {
    uv_read_stop(stream);
    reading_ = false;
  }
}

void native_conn::schedule() noexcept {
  if (host_ != nullptr && !scheduled && phase_ != phase::closed) host_->schedule_flush(*this);
}

void native_conn::set_deadline(std::uint64_t ms_from_now) noexcept {
  if (host_ == nullptr) return;
  deadline = uv_now(tcp_.loop) + ms_from_now;
  host_->watch_deadline(*this);
}

void native_conn::clear_deadline() noexcept {
  deadline = 0;
  if (host_ != nullptr) host_->unwatch_deadline(*this);
}

void native_conn::on_deadline() noexcept {
  if (phase_ == phase::head && host_)
    host_->log("resock: event=reject peer=" + peer_ + " reason=\"handshake timeout\"");
  if (slow_watch_ && phase_ == phase::open && host_) {
    // It does not read: a close frame would never get through. The core
    // hears 4004 and keeps the session for a resume.
    host_->log("resock: event=slow_consumer peer=" + peer_ + " queued=" + std::to_string(queued()) +
               " reason=\"not reading\"");
    report_closed(k_close_slow_consumer, "slow consumer", false);
  }
  close_socket();
}

void native_conn::on_server_stop() noexcept {
  if (phase_ == phase::head) {
    close_socket();
  } else if (phase_ == phase::open && endpoint_ == endpoint::echo) {
    close(wire::close_code::going_away, "server stopping");
  }
}

void native_conn::abort() noexcept {
  close_socket();
}

void native_conn::detach() noexcept {
  close_socket();
  host_ = nullptr;
}

void native_conn::report_closed(std::uint16_t code, std::string_view reason, bool clean) noexcept {
  if (conn_ == nullptr || host_ == nullptr) return;
  core::connection* c = conn_;
  conn_ = nullptr;
  try {
    host_->core().closed(c, core::link_closed{.code = code, .reason = reason, .clean = clean});
  } catch (...) {
    // The core is gone from this connection either way.
  }
}

void native_conn::close_socket() noexcept {
  if (phase_ == phase::closed) return;
  // Not reported yet: our close got no reply (its code), or the peer vanished.
  report_closed(close_sent_ ? close_code_ : wire::close_code::abnormal, {}, false);
  phase_ = phase::closed;
  clear_deadline();
  head_.reset();
  view_ = {};
  std::string().swap(rx_);
  std::string().swap(out_);
  tls_.reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &native_conn::on_closed);
}

void native_conn::on_closed(uv_handle_t* h) noexcept {
  auto* c = static_cast<native_conn*>(h->data);
  if (c->host_ != nullptr)
    c->host_->retire(*c);
  else
    delete c;
}

}  // namespace resock::ws