#include "websocket/native_server.h"

#include <uv.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/server_core.h"
#include "http/url.h"
#include "websocket/native_conn.h"

namespace resock::ws {
namespace {

constexpr int k_backlog = 1024;
// One read buffer for every connection of the loop: reads are parsed in
// place before the next read of any connection, so its size costs nothing
// per connection and bounds the syscalls of big messages.
constexpr std::size_t k_read_buffer = 256u << 10;
// TLS plaintext: SSL_read gives at most one record (16 KiB) per call.
constexpr std::size_t k_plain_buffer = 16u << 10;
constexpr std::uint64_t k_sweep_ms = 250;  // deadline granularity (10 s / 2 s timeouts)

std::error_code uv_error(int rc) {
  return {-rc, std::generic_category()};
}

// The address to bind for a parsed listen string: IP literals directly,
// "" as every interface (IPv6 dual-stack when the host has IPv6), other
// names through the resolver (startup only, so a blocking lookup is fine).
int resolve(uv_loop_t* loop, const http::listen_address& a, sockaddr_storage& out, bool any_v6) {
  if (a.host.empty()) {
    if (any_v6) return uv_ip6_addr("::", a.port, reinterpret_cast<sockaddr_in6*>(&out));
    return uv_ip4_addr("0.0.0.0", a.port, reinterpret_cast<sockaddr_in*>(&out));
  }
  if (uv_ip4_addr(a.host.c_str(), a.port, reinterpret_cast<sockaddr_in*>(&out)) == 0) return 0;
  if (uv_ip6_addr(a.host.c_str(), a.port, reinterpret_cast<sockaddr_in6*>(&out)) == 0) return 0;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  uv_getaddrinfo_t req{};
  int rc = uv_getaddrinfo(loop, &req, nullptr, a.host.c_str(), nullptr, &hints);
  if (rc != 0) return rc;
  rc = UV_EAI_NONAME;
  for (addrinfo* ai = req.addrinfo; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    std::memcpy(&out, ai->ai_addr, ai->ai_addrlen);
    if (ai->ai_family == AF_INET)
      reinterpret_cast<sockaddr_in*>(&out)->sin_port = htons(a.port);
    else
      reinterpret_cast<sockaddr_in6*>(&out)->sin6_port = htons(a.port);
    rc = 0;
    break;
  }
  uv_freeaddrinfo(req.addrinfo);
  return rc;
}

}  // namespace

// The server's libuv handles. Their memory belongs to the loop once they
// are closing: the last close callback frees it, so the server object may
// go away before the loop has run again.
struct server_handles {
  uv_tcp_t listener{};
  uv_check_t check{};  // flushes the connections written to in this turn
  uv_idle_t idle{};    // keeps poll from sleeping while a flush is pending
  uv_timer_t sweep{};  // deadlines: handshake and close timeouts
  uv_timer_t grace{};  // stop(): the end of the grace period
  native_ws_server::impl* owner = nullptr;
  int open = 0;  // handles initialised and not yet closed

  void close_all() noexcept {
    for (auto* h : {reinterpret_cast<uv_handle_t*>(&listener),
                    reinterpret_cast<uv_handle_t*>(&check), reinterpret_cast<uv_handle_t*>(&idle),
                    reinterpret_cast<uv_handle_t*>(&sweep), reinterpret_cast<uv_handle_t*>(&grace)})
      close(h);
  }
  void close(uv_handle_t* h) noexcept {
    if (h->loop == nullptr || uv_is_closing(h)) return;
    uv_close(h, [](uv_handle_t* x) {
      auto* self = static_cast<server_handles*>(x->data);
      if (--self->open == 0) delete self;
    });
  }
};

struct native_ws_server::impl final : conn_host {
  impl(uv_loop_s* l, core::server_core& c, ws_server_options o)
      : loop(l), core_(c), opt(std::move(o)), ws_path(opt.prefix + "/ws") {}
  ~impl() override;

  // conn_host
  uv_buf_t read_buffer() noexcept override {
    return uv_buf_init(reinterpret_cast<char*>(buffer.get()), static_cast<unsigned>(k_read_buffer));
  }
  core::server_core& core() noexcept override { return core_; }
  const ws_server_options& options() const noexcept override { return opt; }
  request_routes routes() const noexcept override {
    return {.ws_path = ws_path,
            .echo = opt.echo,
            .resources = &opt.resources,
            .stopping = stopping,
            .deflate = opt.deflate,
            .origins = &opt.origins,
            .metrics = &opt.metrics,
            .api = static_cast<bool>(opt.api),
            .api_max_body = opt.api_max_body};
  }
  void schedule_flush(native_conn& c) noexcept override;
  void watch_deadline(native_conn& c) noexcept override;
  void unwatch_deadline(native_conn& c) noexcept override { timed.erase(&c); }
  void retire(native_conn& c) noexcept override;
  void log(std::string_view line) const override {
    if (opt.log) opt.log(line);
  }
  wire::message_deflater& deflater(std::uint8_t window_bits) noexcept override {
    // 9..15 (accept_deflate declines 8); one codec per window size used.
    auto& d = deflaters[std::clamp<std::uint8_t>(window_bits, 9, 15) - 9];
    if (!d) d = std::make_unique<wire::message_deflater>(window_bits);
    return *d;
  }
  wire::message_inflater& inflater() noexcept override { return inflater_; }
  std::string& scratch() noexcept override { return scratch_; }
  const std::string* deflated_body(const session::payload_ptr& body,
                                   std::uint8_t window_bits) noexcept override;
  void count_reject(int status) noexcept override {
    try {
      ++counted.rejected[status];
    } catch (...) {
    }
  }
  void count_bytes(std::size_t in, std::size_t out) noexcept override {
    counted.bytes_in += in;
    counted.bytes_out += out;
  }
  const tls::server_context* tls() const noexcept override { return tls_ctx.get(); }
  uv_buf_t plain_buffer() noexcept override {
    return uv_buf_init(reinterpret_cast<char*>(plain.get()), static_cast<unsigned>(k_plain_buffer));
  }
  // 0, or the status a new connection from `peer` must be refused with.
  int admission(std::string_view peer) noexcept;

  std::error_code listen();
  int init_handles();
  void on_connection();
  void flush_pending() noexcept;
  void sweep() noexcept;
  void finish() noexcept;

  uv_loop_s* loop;
  core::server_core& core_;
  ws_server_options opt;
  std::string ws_path;
  server_handles* h = nullptr;
  std::unique_ptr<std::uint8_t[]> buffer;
  std::unordered_set<native_conn*> conns;  // handle open or closing
  std::vector<native_conn*> pending;       // to flush at this turn's check
  std::unordered_set<native_conn*> timed;  // with a deadline
  std::uint16_t port = 0;
  bool stopping = false;
  // permessage-deflate without context takeover: one codec serves every
  // connection (each message is a fresh stream), so a connection holds no
  // zlib state. Allocated on first use.
  std::array<std::unique_ptr<wire::message_deflater>, 7> deflaters;
  wire::message_inflater inflater_;
  std::string scratch_;
  // The last publishes' bodies, compressed (deflated_body()): a publish
  // reaches its subscribers within a few loop turns, so a handful of
  // entries serve a whole fan-out. Each holds its body, so a pointer can
  // not be reused by another body while it is cached.
  struct deflated_entry {
    session::payload_ptr body;
    std::uint8_t bits = 0;
    bool ok = false;
    std::string z;
  };
  std::array<deflated_entry, 8> deflated;
  std::size_t deflated_next = 0;
  transport_counters counted;
  std::unique_ptr<tls::server_context> tls_ctx;  // set by start() when TLS is configured
  std::unique_ptr<std::uint8_t[]> plain;         // plain_buffer(), with TLS only
  // New connections per IP in the current second (a fixed window: cheap,
  // and a storm is refused within the second it starts).
  std::unordered_map<std::string, std::uint32_t> per_ip;
  std::uint64_t per_ip_second = 0;
};

native_ws_server::impl::~impl() {
  if (h == nullptr) return;
  // The loop may never run again: nothing of ours may be reached from it.
  for (native_conn* c : std::vector<native_conn*>(conns.begin(), conns.end()))
    c->detach();
  conns.clear();
  pending.clear();
  timed.clear();
  h->owner = nullptr;
  h->close_all();
  h = nullptr;
}

int native_ws_server::impl::init_handles() {
  h = new server_handles;
  h->owner = nullptr;
  int rc = uv_tcp_init(loop, &h->listener);
  if (rc == 0) ++h->open, rc = uv_check_init(loop, &h->check);
  if (rc == 0) ++h->open, rc = uv_idle_init(loop, &h->idle);
  if (rc == 0) ++h->open, rc = uv_timer_init(loop, &h->sweep);
  if (rc == 0) ++h->open, rc = uv_timer_init(loop, &h->grace);
  if (rc == 0) ++h->open;
  for (auto* x :
       {reinterpret_cast<uv_handle_t*>(&h->listener), reinterpret_cast<uv_handle_t*>(&h->check),
        reinterpret_cast<uv_handle_t*>(&h->idle), reinterpret_cast<uv_handle_t*>(&h->sweep),
        reinterpret_cast<uv_handle_t*>(&h->grace)})
    x->data = h;
  if (rc != 0) {
    if (h->open == 0)
      delete h;
    else
      h->close_all();
    h = nullptr;
    return rc;
  }
  h->owner = this;
  // Helpers of the listener and the connections: they must not keep the
  // loop alive on their own.
  uv_unref(reinterpret_cast<uv_handle_t*>(&h->check));
  uv_unref(reinterpret_cast<uv_handle_t*>(&h->idle));
  uv_unref(reinterpret_cast<uv_handle_t*>(&h->sweep));
  uv_check_start(&h->check, [](uv_check_t* x) {
    auto* self = static_cast<server_handles*>(x->data)->owner;
    if (self) self->flush_pending();
  });
  return 0;
}

std::error_code native_ws_server::impl::listen() {
  auto addr = http::parse_listen(opt.listen);
  if (!addr) return std::make_error_code(std::errc::invalid_argument);
  sockaddr_storage sa{};
  int rc = resolve(loop, *addr, sa, true);
  if (rc != 0) return std::make_error_code(std::errc::invalid_argument);
  rc = uv_tcp_bind(&h->listener, reinterpret_cast<const sockaddr*>(&sa), 0);
  if ((rc == UV_EAFNOSUPPORT || rc == UV_EADDRNOTAVAIL) && addr->host.empty()) {
    // No IPv6 on this host: every IPv4 interface instead.
    sa = {};
    (void)resolve(loop, *addr, sa, false);
    rc = uv_tcp_bind(&h->listener, reinterpret_cast<const sockaddr*>(&sa), 0);
  }
  // libuv reports some bind errors (EADDRINUSE) only at listen().
  if (rc == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&h->listener), k_backlog,
                   [](uv_stream_t* s, int status) {
                     auto* self = static_cast<server_handles*>(s->data)->owner;
                     if (self && status == 0) self->on_connection();
                   });
  if (rc != 0) return uv_error(rc);
  sockaddr_storage bound{};
  int len = sizeof(bound);
  if (uv_tcp_getsockname(&h->listener, reinterpret_cast<sockaddr*>(&bound), &len) == 0)
    port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return {};
}

void native_ws_server::impl::on_connection() {
  auto* c = new (std::nothrow) native_conn(*this);
  if (c == nullptr) return;  // the connection stays in the backlog
  conns.insert(c);
  // On failure a connection whose handle is in the loop retires itself.
  if (c->accept(reinterpret_cast<uv_stream_t*>(&h->listener)) != 0) {
    if (!c->in_loop()) {
      conns.erase(c);
      delete c;
    }
    return;
  }
  // Over a limit, the connection is still read and answered (503/429):
  // a client learns why, instead of seeing a reset it would retry at once.
  if (int status = admission(c->peer())) c->refuse(status);
}

const std::string* native_ws_server::impl::deflated_body(const session::payload_ptr& body,
                                                         std::uint8_t window_bits) noexcept {
  for (deflated_entry& e : deflated)
    if (e.body == body && e.bits == window_bits) return e.ok ? &e.z : nullptr;
  deflated_entry& e = deflated[deflated_next];
  deflated_next = (deflated_next + 1) % deflated.size();
  e.body = body;
  e.bits = window_bits;
  e.z.clear();
  const std::span<const std::uint8_t> plain(reinterpret_cast<const std::uint8_t*>(body->data()),
                                            body->size());
  try {
    e.ok = deflater(window_bits).compress(plain, e.z);
  } catch (...) {
    e.ok = false;  // out of memory: this message goes out uncompressed
  }
  if (e.ok) ++counted.deflated_bodies;
  return e.ok ? &e.z : nullptr;
}

int native_ws_server::impl::admission(std::string_view peer) noexcept {
  if (opt.max_connections != 0 && conns.size() > opt.max_connections) return 503;
  if (opt.conn_rate_per_ip == 0) return 0;
  const std::uint64_t second = uv_now(loop) / 1000;
  try {
    if (second != per_ip_second) {
      per_ip.clear();
      per_ip_second = second;
    }
    // The address without its port: "1.2.3.4:5" -> "1.2.3.4", "[::1]:5" -> "[::1]".
    const std::string ip(peer.substr(0, peer.rfind(':')));
    if (++per_ip[ip] > opt.conn_rate_per_ip) return 429;
  } catch (...) {
    return 503;
  }
  return 0;
}

transport_counters native_ws_server::counters() const {
  transport_counters c = impl_->counted;
  c.open_connections = impl_->conns.size();
  return c;
}

void native_ws_server::impl::schedule_flush(native_conn& c) noexcept {
  if (h == nullptr || c.scheduled) return;
  try {
    pending.push_back(&c);
  } catch (...) {
    return;  // the next write callback or event schedules it again
  }
  c.scheduled = true;
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&h->idle)))
    uv_idle_start(&h->idle, [](uv_idle_t*) {});
}

void native_ws_server::impl::flush_pending() noexcept {
  // One pass per turn: a connection that schedules itself again while
  // flushing (more envelopes than the backpressure limit) waits for the
  // next turn instead of starving the others.
  std::vector<native_conn*> batch;
  batch.swap(pending);
  for (native_conn* c : batch) {
    c->scheduled = false;
    c->flush();
  }
  if (!pending.empty()) return;
  if (h != nullptr) uv_idle_stop(&h->idle);
  batch.clear();
  pending.swap(batch);  // keeps the allocation for the next turn
}

void native_ws_server::impl::watch_deadline(native_conn& c) noexcept {
  try {
    timed.insert(&c);
  } catch (...) {
    return;  // without a deadline the socket still closes on the peer's EOF
  }
  if (h != nullptr && !uv_is_active(reinterpret_cast<uv_handle_t*>(&h->sweep)))
    uv_timer_start(
        &h->sweep,
        [](uv_timer_t* t) {
          auto* self = static_cast<server_handles*>(t->data)->owner;
          if (self) self->sweep();
        },
        k_sweep_ms, k_sweep_ms);
}

void native_ws_server::impl::sweep() noexcept {
  const std::uint64_t now = uv_now(loop);
  std::vector<native_conn*> due;
  for (native_conn* c : timed)
    if (c->deadline != 0 && c->deadline <= now) due.push_back(c);
  for (native_conn* c : due) {
    timed.erase(c);
    c->on_deadline();
  }
  if (timed.empty() && h != nullptr) uv_timer_stop(&h->sweep);
}

void native_ws_server::impl::retire(native_conn& c) noexcept {
  conns.erase(&c);
  timed.erase(&c);
  if (c.scheduled) std::erase(pending, &c);
  delete &c;
  if (stopping && conns.empty()) finish();
}

void native_ws_server::impl::finish() noexcept {
  if (h == nullptr) return;
  h->owner = nullptr;
  h->close_all();
  h = nullptr;
}

// --- native_ws_server -------------------------------------------------------

native_ws_server::native_ws_server(uv_loop_s* loop, core::server_core& core,
                                   ws_server_options options)
    : impl_(std::make_unique<impl>(loop, core, std::move(options))) {}

native_ws_server::~native_ws_server() = default;

std::error_code native_ws_server::start() {
  impl& s = *impl_;
  if (s.h != nullptr || s.stopping) return std::make_error_code(std::errc::already_connected);
  if (!s.buffer) s.buffer = std::make_unique<std::uint8_t[]>(k_read_buffer);
  if (s.opt.tls_cert.empty() != s.opt.tls_key.empty()) {
    s.log("resock: event=error where=tls reason=\"a certificate needs its key: set both\"");
    return std::make_error_code(std::errc::invalid_argument);
  }
  if (!s.opt.tls_cert.empty() && !s.tls_ctx) {
    std::string why;
    s.tls_ctx = tls::server_context::load(s.opt.tls_cert, s.opt.tls_key, why);
    if (!s.tls_ctx) {
      s.log("resock: event=error where=tls reason=\"" + why + "\"");
      return std::make_error_code(std::errc::invalid_argument);
    }
    s.plain = std::make_unique<std::uint8_t[]>(k_plain_buffer);
  }
  if (int rc = s.init_handles(); rc != 0) return uv_error(rc);
  if (auto ec = s.listen()) {
    s.log("resock: event=error where=listen address=" + s.opt.listen + " reason=\"" + ec.message() +
          "\"");
    s.finish();
    s.port = 0;
    return ec;
  }
  return {};
}

void native_ws_server::stop(std::chrono::milliseconds grace) {
  impl& s = *impl_;
  if (s.h == nullptr || s.stopping) return;
  s.stopping = true;
  s.h->close(reinterpret_cast<uv_handle_t*>(&s.h->listener));
  for (native_conn* c : std::vector<native_conn*>(s.conns.begin(), s.conns.end()))
    c->on_server_stop();
  if (s.conns.empty()) return s.finish();
  // Whatever has not closed by then is closed hard (the core hears 1006).
  uv_timer_start(
      &s.h->grace,
      [](uv_timer_t* t) {
        auto* self = static_cast<server_handles*>(t->data)->owner;
        if (!self) return;
        for (native_conn* c : std::vector<native_conn*>(self->conns.begin(), self->conns.end()))
          c->abort();
      },
      static_cast<std::uint64_t>(std::max<std::int64_t>(grace.count(), 0)), 0);
}

std::uint16_t native_ws_server::port() const noexcept {
  return impl_->port;
}

}  // namespace resock::ws
