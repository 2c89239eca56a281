#include "websocket/ws_client.h"

#include <openssl/x509.h>

#include <libwebsockets.h>

#include <deque>
#include <span>
#include <string>

#include "core/client_core.h"
#include "http/url.h"
#include "websocket/ws_lws.h"

namespace resock::ws {
namespace {

constexpr std::size_t k_rx_buffer = 64u << 10;
constexpr std::size_t k_keep_capacity = 64u << 10;

void recycle(std::string& b) noexcept {
  if (b.capacity() > k_keep_capacity) std::string().swap(b);
}

}  // namespace

struct ws_client::impl {
  impl(uv_loop_s* l, core::client_core& c, ws_client_options o, ws_client_events e)
      : loop(l), core(c), opt(std::move(o)), events(std::move(e)) {}
  ~impl() { destroy(); }

  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  int on_event(lws* wsi, lws_callback_reasons reason, void* in, std::size_t len);
  int on_receive(const void* in, std::size_t len, bool first, bool final);
  int on_writeable();
  void ended(std::string_view why);
  void destroy() {
    if (!context) return;
    lws_context* c = context;
    context = nullptr;
    quiet = true;  // the owner is tearing down: no events to it any more
    if (attempting) ended("client destroyed");  // the core hears disconnected()
    ws::destroy_context(c, owner, loop);
    owner = nullptr;
  }

  uv_loop_s* loop;
  core::client_core& core;
  ws_client_options opt;
  ws_client_events events;
  http::url target;
  std::string host_header;
  lws_context* context = nullptr;
  context_owner* owner = nullptr;  // lws' user pointer; outlives us during teardown
  void* foreign_loops[1] = {nullptr};
  lws_protocols protocols[2]{};

  lws* wsi = nullptr;  // the current attempt / connection
  bool attempting = false;
  bool established = false;
  bool dropping = false;  // drop(): end without a close frame
  bool closing = false;   // close(): flush, then close frame 1000
  bool quiet = false;
  std::string rx;
  bool rx_oversize = false;
  std::string out;
  std::string peer_close;  // "1000 bye" when the server closed
  std::uint16_t last_close_code = 0;
  std::deque<std::string> raw;  // send_raw(), LWS_PRE headroom included
  bool hold = false;            // hold_output(): the core's envelopes wait
  std::string cert_error;       // why OpenSSL refused the server's certificate
};

int ws_client::impl::callback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                              std::size_t len) {
  lws_context* ctx = wsi ? lws_get_context(wsi) : nullptr;
  auto* owner = ctx ? static_cast<context_owner*>(lws_context_user(ctx)) : nullptr;
  auto* self = owner ? static_cast<impl*>(owner->self) : nullptr;
  if (!self) return lws_callback_http_dummy(wsi, reason, user, in, len);
  if (reason == LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION) {
    // lws' own error text for a refused certificate is "SSL err 1"; the
    // reason OpenSSL found is kept here for the connection error. 0 keeps
    // lws' decision (and --insecure's allowances).
    if (len == 0 && user != nullptr && self->cert_error.empty()) {
      const long e = X509_STORE_CTX_get_error(static_cast<X509_STORE_CTX*>(user));
      self->cert_error = X509_verify_cert_error_string(e);
    }
    return 0;
  }
  try {
    return self->on_event(wsi, reason, in, len);
  } catch (...) {
    return -1;  // never unwind through lws (STYLE.md 7); the connection ends
  }
}

int ws_client::impl::on_event(lws* w, lws_callback_reasons reason, void* in, std::size_t len) {
  switch (reason) {
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
      if (w == wsi || (attempting && !established)) {
        if (!cert_error.empty() && !opt.insecure)
          ended("tls: the server's certificate is not trusted: " + cert_error);
        else
          ended(in ? std::string_view(static_cast<const char*>(in), len) : "connection failed");
      }
      return 0;

    case LWS_CALLBACK_CLIENT_ESTABLISHED:
      if (w != wsi) return -1;
      established = true;
      core.connected(transport_kind::websocket);
      if (core.has_output()) lws_callback_on_writable(wsi);
      if (events.up && !quiet) events.up();
      return 0;

    case LWS_CALLBACK_CLIENT_RECEIVE:
      if (w != wsi) return -1;
      return on_receive(in, len, lws_is_first_fragment(w),
                        lws_is_final_fragment(w) && !lws_remaining_packet_payload(w));

    case LWS_CALLBACK_CLIENT_WRITEABLE:
      if (w != wsi) return -1;
      return on_writeable();

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
      if (w == wsi) {
        auto f = parse_close_payload(in, len);
        last_close_code = f.code;
        peer_close = std::to_string(f.code) + (f.reason.empty() ? "" : " " + f.reason);
      }
      return 0;

    case LWS_CALLBACK_CLIENT_CLOSED:
      if (w == wsi && peer_close.empty() && lws_get_close_length(w) >= 2) {
        // lws 4.1 does not always raise PEER_INITIATED_CLOSE on the client
        // side; the close payload is still kept on the wsi.
        auto f = parse_close_payload(lws_get_close_payload(w),
                                     static_cast<std::size_t>(lws_get_close_length(w)));
        last_close_code = f.code;
        peer_close = std::to_string(f.code) + (f.reason.empty() ? "" : " " + f.reason);
      }
      if (w == wsi) ended(peer_close.empty() ? std::string_view("connection closed") : peer_close);
      return 0;

    case LWS_CALLBACK_WSI_DESTROY:
      // Some failures end the wsi without CONNECTION_ERROR or CLOSED.
      if (w == wsi) ended("connection destroyed");
      return lws_callback_http_dummy(w, reason, nullptr, in, len);

    default:
      return lws_callback_http_dummy(w, reason, nullptr, in, len);
  }
}

int ws_client::impl::on_receive(const void* in, std::size_t len, bool first, bool final) {
  const auto* bytes = static_cast<const std::uint8_t*>(in);
  if (first) {
    rx.clear();
    rx_oversize = false;
  }
  if (rx_oversize) return 0;
  if (first && final) {
    if (events.inbound) events.inbound(std::string_view(static_cast<const char*>(in), len));
    core.receive(std::span<const std::uint8_t>(bytes, len));
  } else {
    if (rx.size() + len > opt.max_message) {
      // Not an envelope we can take: end this connection, resume on the next.
      rx_oversize = true;
      set_close_reason(wsi, 1009, "message too big");
      return -1;
    }
    rx.append(reinterpret_cast<const char*>(bytes), len);
    if (!final) return 0;
    if (events.inbound) events.inbound(rx);
    core.receive(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(rx.data()), rx.size()));
    rx.clear();
    recycle(rx);
  }
  if (core.has_output() || dropping || closing) lws_callback_on_writable(wsi);
  return 0;
}

int ws_client::impl::on_writeable() {
  if (dropping) return -1;  // no close reason set: lws sends no close frame
  out.resize(LWS_PRE);
  bool have = !raw.empty();
  if (have) {
    out = std::move(raw.front());
    raw.pop_front();
  } else if (!hold) {
    have = core.writable(out);
  }
  if (have) {
    auto* p = reinterpret_cast<unsigned char*>(out.data()) + LWS_PRE;
    int n = lws_write(wsi, p, out.size() - LWS_PRE, LWS_WRITE_TEXT);
    recycle(out);
    if (n < 0) return -1;
    if ((core.has_output() && !hold) || closing || !raw.empty()) lws_callback_on_writable(wsi);
    return 0;
  }
  if (closing) {
    set_close_reason(wsi, 1000, "bye");
    return -1;
  }
  return 0;
}

void ws_client::impl::ended(std::string_view why) {
  if (!attempting) return;
  const bool was_up = established;
  attempting = established = dropping = false;
  wsi = nullptr;
  raw.clear();  // injected test envelopes die with the connection, like any in flight
  rx.clear();
  recycle(rx);
  std::string reason(why);
  peer_close.clear();
  if (was_up) core.disconnected();
  if (events.down && !quiet) events.down(reason);
}

ws_client::ws_client(uv_loop_s* loop, core::client_core& core, ws_client_options options,
                     ws_client_events events)
    : impl_(std::make_unique<impl>(loop, core, std::move(options), std::move(events))) {}

ws_client::~ws_client() = default;

std::error_code ws_client::init(std::string* detail) {
  impl& s = *impl_;
  if (s.context) return {};
  auto u = http::parse_url(s.opt.url);
  if (!u) {
    if (detail) *detail = "not a ws:// or wss:// URL: " + s.opt.url;
    return std::make_error_code(std::errc::invalid_argument);
  }
  s.target = *u;
  const bool default_port = s.target.port == (s.target.tls ? 443 : 80);
  s.host_header =
      s.target.host.find(':') != std::string::npos ? "[" + s.target.host + "]" : s.target.host;
  if (!default_port) s.host_header += ":" + std::to_string(s.target.port);

  s.protocols[0] = {};
  s.protocols[0].name = "resock.v1";
  s.protocols[0].callback = &impl::callback;
  s.protocols[0].rx_buffer_size = k_rx_buffer;
  s.protocols[1] = {};
  s.foreign_loops[0] = s.loop;

  lws_context_creation_info info{};
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = s.protocols;
  // No permessage-deflate offer: lws 4.1.6's client never delivers a
  // compressed message from our server as complete (the resockd side is
  // checked against python-websockets and raw zlib frames instead; see
  // docs/decisions.md).
  info.options = LWS_SERVER_OPTION_LIBUV;
  if (s.target.tls) info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  if (!s.opt.ca_file.empty()) info.client_ssl_ca_filepath = s.opt.ca_file.c_str();
  info.foreign_loops = s.foreign_loops;
  s.owner = new context_owner{&s};
  info.user = s.owner;

  lws_log_capture capture;
  s.context = lws_create_context(&info);
  if (!s.context) {
    delete s.owner;
    s.owner = nullptr;
    if (detail) *detail = "lws_create_context: " + capture.text();
    return std::make_error_code(std::errc::io_error);
  }
  s.quiet = false;
  return {};
}

void ws_client::connect() {
  impl& s = *impl_;
  if (!s.context || s.attempting) return;
  s.attempting = true;
  s.established = s.dropping = s.closing = false;
  s.peer_close.clear();
  s.cert_error.clear();

  lws_client_connect_info ci{};
  ci.context = s.context;
  ci.address = s.target.host.c_str();
  ci.port = s.target.port;
  ci.path = s.target.path.c_str();
  ci.host = s.host_header.c_str();
  ci.protocol = "resock.v1";
  ci.pwsi = &s.wsi;  // known before any callback of this attempt
  if (s.target.tls) {
    ci.ssl_connection = LCCSCF_USE_SSL;
    if (s.opt.insecure)
      ci.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
                           LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
  }
  lws_log_capture capture;
  if (!lws_client_connect_via_info(&ci)) {
    // Failed inside the call; its CONNECTION_ERROR (if any) already ended
    // the attempt, otherwise end it here so the owner always hears once.
    s.wsi = nullptr;
    s.ended("connect failed: " + capture.text());
  }
}

void ws_client::want_write() {
  impl& s = *impl_;
  if (s.wsi && s.established) lws_callback_on_writable(s.wsi);
}

void ws_client::drop() {
  impl& s = *impl_;
  if (!s.wsi || !s.attempting) return;
  s.dropping = true;
  if (s.established) {
    // WRITEABLE returns -1 without a close reason: the TCP connection just
    // ends, as in a network failure. Prompt, since an idle socket is writable.
    lws_callback_on_writable(s.wsi);
  } else {
    // Still connecting: no WRITEABLE will come; lws kills it at its next
    // timeout check.
    lws_set_timeout(s.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  }
}

void ws_client::close() {
  impl& s = *impl_;
  if (!s.wsi || !s.attempting) return;
  if (!s.established) {
    drop();
    return;
  }
  s.closing = true;
  lws_callback_on_writable(s.wsi);
}

void ws_client::send_raw(std::string text) {
  impl& s = *impl_;
  s.raw.push_back(std::string(LWS_PRE, '\0') + text);
  if (s.wsi && s.established) lws_callback_on_writable(s.wsi);
}

void ws_client::hold_output(bool on) {
  impl& s = *impl_;
  s.hold = on;
  if (!on && s.wsi && s.established && s.core.has_output()) lws_callback_on_writable(s.wsi);
}

std::uint16_t ws_client::last_close_code() const noexcept {
  return impl_->last_close_code;
}

void ws_client::destroy() {
  impl_->destroy();
}

bool ws_client::connected() const noexcept {
  return impl_->established;
}
bool ws_client::busy() const noexcept {
  return impl_->attempting;
}

}  // namespace resock::ws
