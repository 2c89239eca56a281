#include "compliance/engine/tcp_link.h"

#include <netinet/in.h>

#include <cstring>

namespace resock::conformance::engine_detail {

struct tcp_link::socket {
  uv_tcp_t tcp{};
  uv_connect_t connect{};
  tcp_link* owner = nullptr;
};

namespace {

struct write_request {
  uv_write_t req{};
  std::string bytes;
};

// "connection refused (ECONNREFUSED)": libuv's text plus the errno name,
// which is what people search for.
std::string uv_error_text(int status) {
  return std::string(uv_strerror(status)) + " (" + uv_err_name(status) + ")";
}

std::string host_port(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string address_text(const sockaddr* sa) {
  char ip[64] = "?";
  int port = 0;
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    uv_ip6_name(in6, ip, sizeof ip);
    port = ntohs(in6->sin6_port);
  } else {
    const auto* in4 = reinterpret_cast<const sockaddr_in*>(sa);
    uv_ip4_name(in4, ip, sizeof ip);
    port = ntohs(in4->sin_port);
  }
  return host_port(ip, port);
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

}  // namespace

void tcp_link::connect(const parsed_url& url, const engine_options& options) {
  url_ = url;
  options_ = options;
  peer_name_ = host_port(url.host, url.port);
  state_ = state::resolving;
  connect_timer_ = timers_.start(options.connect_timeout_s, [this] {
    connect_timer_ = 0;
    fail("connect to " + peer_name_ + ": timed out after " +
         seconds_text(options_.connect_timeout_s) + " s (ETIMEDOUT)");
  });
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  resolve_.data = this;
  const std::string port = std::to_string(url.port);
  const int rc = uv_getaddrinfo(loop_, &resolve_, &tcp_link::on_resolved, url.host.c_str(),
                                port.c_str(), &hints);
  if (rc < 0) {
    fail("resolve " + url.host + ": " + uv_error_text(rc));
    return;
  }
  resolving_ = true;
}

void tcp_link::on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res) {
  auto* self = static_cast<tcp_link*>(req->data);
  self->resolving_ = false;
  if (self->state_ != state::resolving) {  // timed out or aborted meanwhile
    if (res != nullptr) uv_freeaddrinfo(res);
    self->maybe_finish();
    return;
  }
  if (status < 0) {
    self->fail("resolve " + self->url_.host + ": " + uv_error_text(status));
    return;
  }
  self->addresses_ = res;
  self->next_address_ = res;
  self->state_ = state::connecting;
  self->try_next_address();
}

void tcp_link::try_next_address() {
  while (next_address_ != nullptr) {
    const addrinfo* ai = next_address_;
    next_address_ = next_address_->ai_next;
    peer_name_ = address_text(ai->ai_addr);
    auto* s = new socket;
    s->owner = this;
    uv_tcp_init(loop_, &s->tcp);
    s->tcp.data = s;
    s->connect.data = s;
    ++open_sockets_;
    socket_ = s;
    // Autobahn's tcpNoDelay: every write leaves as its own segment.
    uv_tcp_nodelay(&s->tcp, 1);
    const int rc = uv_tcp_connect(&s->connect, &s->tcp, ai->ai_addr, &tcp_link::on_connect);
    if (rc == 0) return;
    attempt_error_ = "connect to " + peer_name_ + ": " + uv_error_text(rc);
    close_socket();
  }
  fail(attempt_error_.empty() ? "connect to " + peer_name_ + ": no address" : attempt_error_);
}

void tcp_link::on_connect(uv_connect_t* req, int status) {
  auto* s = static_cast<socket*>(req->data);
  tcp_link* self = s->owner;
  if (status == UV_ECANCELED || self->socket_ != s) return;  // closed under us
  if (status < 0) {
    self->attempt_error_ = "connect to " + self->peer_name_ + ": " + uv_error_text(status);
    self->close_socket();
    self->try_next_address();
    return;
  }
  self->connected_tcp();
}

void tcp_link::connected_tcp() {
  uv_read_start(reinterpret_cast<uv_stream_t*>(&socket_->tcp), &tcp_link::on_alloc,
                &tcp_link::on_read);
  if (!url_.tls) {
    up();
    return;
  }
  state_ = state::tls;
  tls_ = std::make_unique<tls_client>();
  std::string error;
  if (!tls_->start({url_.host, options_.ca_file, options_.insecure}, error)) {
    fail("TLS handshake with " + peer_name_ + ": " + error);
    return;
  }
  flush_tls();
}

void tcp_link::up() {
  timers_.cancel(connect_timer_);
  connect_timer_ = 0;
  state_ = state::connected;
  listener_.on_connected();
}

void tcp_link::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  tcp_link* self = static_cast<socket*>(handle->data)->owner;
  *buf = uv_buf_init(self->read_buffer_, sizeof self->read_buffer_);
}

void tcp_link::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* s = static_cast<socket*>(stream->data);
  tcp_link* self = s->owner;
  if (self->socket_ != s || nread == 0) return;
  if (nread < 0) {
    if (self->state_ == state::tls) {
      self->fail(
          "TLS handshake with " + self->peer_name_ + ": connection closed by peer" +
          (nread == UV_EOF ? std::string() : " (" + uv_error_text(static_cast<int>(nread)) + ")"));
      return;
    }
    self->state_ = state::closing;
    self->close_socket();
    return;
  }
  const std::string_view bytes(buf->base, static_cast<std::size_t>(nread));
  if (!self->tls_) {
    self->listener_.on_data(bytes);
    return;
  }
  self->plain_.clear();
  const tls_client::status st = self->tls_->feed(bytes, self->plain_);
  self->flush_tls();
  if (st == tls_client::status::failed) {
    if (self->state_ == state::tls) {
      self->fail("TLS handshake with " + self->peer_name_ + ": " + self->tls_->error());
    } else {
      self->state_ = state::closing;
      self->close_socket();
    }
    return;
  }
  if (st == tls_client::status::handshake_done) self->up();
  if (!self->plain_.empty() && self->state_ == state::connected) {
    // on_data may write, which does not touch plain_; copy anyway so a
    // nested read can never invalidate the view.
    const std::string plain = std::move(self->plain_);
    self->listener_.on_data(plain);
  }
}

void tcp_link::write(std::string bytes) {
  if (state_ != state::connected) return;
  if (!tls_) {
    raw_write(std::move(bytes));
    return;
  }
  if (!tls_->write(bytes)) {
    state_ = state::closing;
    close_socket();
    return;
  }
  flush_tls();
}

void tcp_link::flush_tls() {
  std::string out = tls_->take_output();
  if (!out.empty()) raw_write(std::move(out));
}

void tcp_link::raw_write(std::string bytes) {
  if (socket_ == nullptr || bytes.empty()) return;
  auto* w = new write_request;
  w->bytes = std::move(bytes);
  w->req.data = this;
  uv_buf_t buf = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
  const int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&socket_->tcp), &buf, 1,
                          &tcp_link::on_write);
  if (rc < 0) {
    delete w;
    if (state_ == state::connected) state_ = state::closing;
    close_socket();
  }
}

void tcp_link::on_write(uv_write_t* req, int status) {
  auto* w = reinterpret_cast<write_request*>(req);
  auto* self = static_cast<tcp_link*>(req->data);
  delete w;
  // A failed write means the peer is gone; the read side reports the same
  // soon, but closing here keeps a write-only case from hanging.
  if (status < 0 && status != UV_ECANCELED && self->socket_ != nullptr &&
      (self->state_ == state::connected || self->state_ == state::closing)) {
    self->state_ = state::closing;
    self->close_socket();
  }
}

void tcp_link::close(bool abort) {
  switch (state_) {
    case state::idle:
    case state::resolving:
    case state::connecting:
    case state::tls:
      fail("connect to " + peer_name_ + ": aborted");
      return;
    case state::connected:
      break;
    case state::closing:
      // A graceful close may still be flushing; an abort cuts it short.
      if (abort) close_socket();
      return;
    case state::finished:
      return;
  }
  state_ = state::closing;
  if (abort || socket_ == nullptr) {
    close_socket();
    return;
  }
  if (tls_) {
    tls_->shutdown();
    flush_tls();
  }
  // uv_shutdown waits for queued writes, as Twisted's loseConnection does.
  auto* req = new uv_shutdown_t;
  req->data = this;
  if (uv_shutdown(req, reinterpret_cast<uv_stream_t*>(&socket_->tcp), &tcp_link::on_shutdown) < 0) {
    delete req;
    close_socket();
  }
}

void tcp_link::on_shutdown(uv_shutdown_t* req, int) {
  auto* self = static_cast<tcp_link*>(req->data);
  delete req;
  self->close_socket();
}

void tcp_link::fail(std::string error) {
  if (state_ == state::finished || (state_ == state::closing && !error_.empty())) return;
  if (error_.empty()) error_ = std::move(error);
  state_ = state::closing;
  timers_.cancel(connect_timer_);
  connect_timer_ = 0;
  if (resolving_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_));
  close_socket();
  maybe_finish();
}

void tcp_link::close_socket() {
  socket* s = socket_;
  socket_ = nullptr;
  if (s != nullptr) uv_close(reinterpret_cast<uv_handle_t*>(&s->tcp), &tcp_link::on_socket_closed);
}

void tcp_link::on_socket_closed(uv_handle_t* handle) {
  auto* s = static_cast<socket*>(handle->data);
  tcp_link* self = s->owner;
  delete s;
  --self->open_sockets_;
  self->maybe_finish();
}

void tcp_link::maybe_finish() {
  if (state_ != state::closing || open_sockets_ != 0 || resolving_ || socket_ != nullptr) return;
  state_ = state::finished;
  timers_.cancel(connect_timer_);
  connect_timer_ = 0;
  if (addresses_ != nullptr) {
    uv_freeaddrinfo(addresses_);
    addresses_ = nullptr;
  }
  listener_.on_finished(error_);
}

}  // namespace resock::conformance::engine_detail
