#include "websocket/ws_server.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>

#include "core/server_core.h"
#include "http/url.h"
#include "loop_timer.h"
#include "websocket/ws_http.h"
#include "websocket/ws_link.h"
#include "websocket/ws_lws.h"

namespace resock::ws {
namespace {

// lws' per-session data of our one protocol: plain pointers, since lws
// allocates it zeroed and frees it without running destructors.
struct per_session {
  ws_link* link;
  http_state http;
};

constexpr std::size_t k_rx_buffer = 64u << 10;  // tuned value of DESIGN.md's table
constexpr const char* k_protocol = "resock.v1";

// "ip:port" of the remote end (lws_get_peer_simple() has no port).
std::string peer_of(lws* wsi) {
  sockaddr_storage sa{};
  socklen_t len = sizeof(sa);
  int fd = lws_get_socket_fd(wsi);
  if (fd < 0 || getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return "unknown";
  char ip[INET6_ADDRSTRLEN] = "";
  unsigned port = 0;
  if (sa.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
    port = ntohs(in->sin_port);
    return std::string(ip) + ":" + std::to_string(port);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&sa);
  inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
  port = ntohs(in6->sin6_port);
  return "[" + std::string(ip) + "]:" + std::to_string(port);
}

std::string header(lws* wsi, lws_token_indexes token) {
  int n = lws_hdr_total_length(wsi, token);
  if (n <= 0) return {};
  std::string out(static_cast<std::size_t>(n) + 1, '\0');
  if (lws_hdr_copy(wsi, out.data(), n + 1, token) < 0) return {};
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Binds a throwaway socket to the listen address so that start() can say
// *why* listening fails (lws only logs it): EADDRINUSE, EADDRNOTAVAIL, EACCES.
std::error_code probe_bind(const http::listen_address& a) {
  sockaddr_storage sa{};
  socklen_t len = 0;
  int family = AF_INET;
  if (a.host.empty()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&sa);
    in->sin_family = AF_INET;
    in->sin_port = htons(a.port);
    in->sin_addr.s_addr = htonl(INADDR_ANY);
    len = sizeof(*in);
  } else if (auto* in = reinterpret_cast<sockaddr_in*>(&sa);
             inet_pton(AF_INET, a.host.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(a.port);
    len = sizeof(*in);
  } else if (auto* in6 = reinterpret_cast<sockaddr_in6*>(&sa);
             inet_pton(AF_INET6, a.host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a.port);
    len = sizeof(*in6);
    family = AF_INET6;
  } else {
    return {};  // an interface name: lws resolves it, nothing to probe
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {errno, std::generic_category()};
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));  // as lws does
  std::error_code ec;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), len) != 0 || ::listen(fd, 1) != 0)
    ec = {errno, std::generic_category()};
  ::close(fd);
  return ec;
}

}  // namespace

struct ws_server::impl {
  impl(uv_loop_s* l, core::server_core& c, ws_server_options o)
      : loop(l), core(c), opt(std::move(o)), ws_path(opt.prefix + "/ws") {}
  ~impl() { destroy_context(); }

  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);
  int on_event(lws* wsi, lws_callback_reasons reason, per_session* ps, void* in, std::size_t len);
  int on_established(lws* wsi, per_session* ps);
  void release(per_session* ps);
  bool accept_uri(std::string_view uri) const {
    return uri == ws_path || (opt.echo && uri == "/echo");
  }
  void log(const std::string& line) const {
    if (opt.log) opt.log(line);
  }
  void destroy_context() {
    teardown.close();
    if (!context) return;
    lws_context* c = context;
    context = nullptr;
    // The core hears about every connection still open now (normally none:
    // stop() waits for them), since lws will not call back any more.
    while (!live.empty()) {
      ws_link* l = *live.begin();
      live.erase(live.begin());
      l->on_closed();
      delete l;
    }
    links = 0;
    ws::destroy_context(c, owner, loop);
    owner = nullptr;
  }

  uv_loop_s* loop;
  core::server_core& core;
  ws_server_options opt;
  std::string ws_path;
  lws_context* context = nullptr;
  context_owner* owner = nullptr;  // lws' user pointer; outlives us during teardown
  std::set<ws_link*> live;         // links lws has not reported closed yet
  void* foreign_loops[1] = {nullptr};
  lws_protocols protocols[2]{};
  std::uint16_t port = 0;
  std::size_t links = 0;  // open WebSocket connections
  bool stopping = false;
  loop_timer teardown;  // destroys the context from the loop, never inside an lws callback
};

int ws_server::impl::callback(lws* wsi, lws_callback_reasons reason, void* user, void* in,
                              std::size_t len) {
  lws_context* ctx = wsi ? lws_get_context(wsi) : nullptr;
  auto* owner = ctx ? static_cast<context_owner*>(lws_context_user(ctx)) : nullptr;
  auto* self = owner ? static_cast<impl*>(owner->self) : nullptr;
  if (!self) return lws_callback_http_dummy(wsi, reason, user, in, len);
  // Nothing may unwind through lws' C frames (STYLE.md 7).
  try {
    return self->on_event(wsi, reason, static_cast<per_session*>(user), in, len);
  } catch (const std::exception& e) {
    self->log(std::string("resock: event=error where=websocket reason=") + e.what());
  } catch (...) {
    self->log("resock: event=error where=websocket reason=unknown exception");
  }
  return -1;
}

int ws_server::impl::on_event(lws* wsi, lws_callback_reasons reason, per_session* ps, void* in,
                              std::size_t len) {
  switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
      // Refuse the upgrade itself (not open-then-close) for unknown paths.
      return stopping || !accept_uri(header(wsi, WSI_TOKEN_GET_URI)) ? 1 : 0;

    case LWS_CALLBACK_ESTABLISHED:
      return ps ? on_established(wsi, ps) : -1;

    case LWS_CALLBACK_RECEIVE:
      if (!ps || !ps->link) return -1;
      return ps->link->on_receive(in, len, lws_is_first_fragment(wsi),
                                  lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi),
                                  lws_frame_is_binary(wsi));

    case LWS_CALLBACK_SERVER_WRITEABLE:
      if (!ps || !ps->link) return 0;
      return ps->link->on_writeable();

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
      if (ps && ps->link) ps->link->on_peer_close(in, len);
      return 0;  // lws answers the close frame

    case LWS_CALLBACK_CLOSED:
    case LWS_CALLBACK_WSI_DESTROY:
      if (ps) release(ps);
      return reason == LWS_CALLBACK_WSI_DESTROY ? lws_callback_http_dummy(wsi, reason, ps, in, len)
                                                : 0;

    case LWS_CALLBACK_HTTP:
      if (!ps) return -1;
      return http_request(wsi, ps->http, in ? static_cast<const char*>(in) : "", opt.resources,
                          stopping);

    case LWS_CALLBACK_HTTP_WRITEABLE:
      return ps ? http_writeable(wsi, ps->http) : 0;

    case LWS_CALLBACK_CLOSED_HTTP:
      if (ps) ps->http.pending = nullptr;
      return 0;

    default:
      return lws_callback_http_dummy(wsi, reason, ps, in, len);
  }
}

int ws_server::impl::on_established(lws* wsi, per_session* ps) {
  std::string uri = header(wsi, WSI_TOKEN_GET_URI);
  if (stopping || !accept_uri(uri)) {
    set_close_reason(wsi, 1008, "unknown endpoint");
    return -1;
  }
  const bool echo = uri != ws_path;
  ps->http = {};
  ps->link = new ws_link(wsi, echo ? ws_link::role::echo : ws_link::role::session, core,
                         echo ? opt.echo_max_message : opt.max_message_size, peer_of(wsi),
                         &opt.inbound_tap);
  ++links;
  live.insert(ps->link);
  if (echo) return 0;
  std::string origin = header(wsi, WSI_TOKEN_ORIGIN);
  std::string auth = header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
  std::string_view token = auth;
  if (token.size() > 7 && strncasecmp(auth.c_str(), "bearer ", 7) == 0)
    token.remove_prefix(7);
  else
    token = {};
  core::link_info info{.origin = origin, .authorization = token};
  ps->link->conn = core.open(*ps->link, info);
  return 0;
}

void ws_server::impl::release(per_session* ps) {
  ws_link* l = ps->link;
  if (!l) return;
  ps->link = nullptr;
  live.erase(l);
  l->on_closed();
  delete l;
  if (--links == 0 && stopping && context) teardown.start(std::chrono::milliseconds{0});
}

ws_server::ws_server(uv_loop_s* loop, core::server_core& core, ws_server_options options)
    : impl_(std::make_unique<impl>(loop, core, std::move(options))) {}

ws_server::~ws_server() = default;

std::error_code ws_server::start() {
  impl& s = *impl_;
  if (s.context) return std::make_error_code(std::errc::already_connected);
  auto addr = http::parse_listen(s.opt.listen);
  if (!addr) {
    s.log("resock: event=error where=listen reason=\"bad listen address: " + s.opt.listen + "\"");
    return std::make_error_code(std::errc::invalid_argument);
  }
  if (auto ec = probe_bind(*addr)) {
    s.log("resock: event=error where=listen address=" + s.opt.listen + " reason=\"" + ec.message() +
          "\"");
    return ec;
  }
  if (int rc = s.teardown.init(s.loop, [&s] { s.destroy_context(); }); rc != 0)
    return {-rc, std::generic_category()};

  s.protocols[0] = {};
  s.protocols[0].name = k_protocol;
  s.protocols[0].callback = &impl::callback;
  s.protocols[0].per_session_data_size = sizeof(per_session);
  s.protocols[0].rx_buffer_size = k_rx_buffer;
  s.protocols[1] = {};
  s.foreign_loops[0] = s.loop;

  lws_context_creation_info info{};
  info.port = addr->port;
  info.iface = addr->host.empty() ? nullptr : addr->host.c_str();
  info.protocols = s.protocols;
  info.extensions = deflate_extensions();
  info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8;
  if (!addr->host.empty() && !addr->ipv6()) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
  info.foreign_loops = s.foreign_loops;
  s.owner = new context_owner{&s};
  info.user = s.owner;
  info.vhost_name = "default";
  info.max_http_header_data = 4096;  // bearer tokens and cookies exceed lws' 1 KiB default

  lws_log_capture capture;
  s.context = lws_create_context(&info);
  if (!s.context) {
    delete s.owner;
    s.owner = nullptr;
    s.teardown.close();
    s.log("resock: event=error where=lws_create_context reason=\"" + capture.text() + "\"");
    return std::make_error_code(std::errc::io_error);
  }
  lws_vhost* vh = lws_get_vhost_by_name(s.context, "default");
  int p = vh ? lws_get_vhost_listen_port(vh) : -1;
  s.port = p > 0 ? static_cast<std::uint16_t>(p) : addr->port;
  return {};
}

void ws_server::stop(std::chrono::milliseconds grace) {
  impl& s = *impl_;
  if (!s.context || s.stopping) return;
  s.stopping = true;
  s.teardown.start(s.links == 0 ? std::chrono::milliseconds{0} : grace);
}

std::uint16_t ws_server::port() const noexcept {
  return impl_->port;
}

}  // namespace resock::ws
