// resock::server: the session core (lib/core) behind the WebSocket
// transport, on the caller's libuv loop. This file knows the core and the
// transports' neutral faces only; lws stays inside transports/websocket/.
#include "resock/server.h"

#include <uv.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "api.h"
#include "core/server_core.h"
#include "loop_timer.h"
#include "metrics.h"
#include "websocket/native_server.h"
#include "websocket/ws_server.h"

namespace resock {
namespace {

// The resume-ticket key when the application gives none: random, and the
// same for every server of this process (tickets survive a server restart
// inside one process, not across processes).
const std::string& process_secret() {
  static const std::string secret = [] {
    std::string s(32, '\0');
    if (uv_random(nullptr, nullptr, s.data(), s.size(), 0, nullptr) != 0) {
      // getrandom/urandom unavailable: refuse to run with a guessable key.
      std::fputs("resock: no system random source for the ticket key\n", stderr);
      std::abort();
    }
    return s;
  }();
  return secret;
}

core::server_core_options core_options(const server_options& o) {
  core::server_core_options c;
  c.secret = o.secret.empty() ? process_secret() : o.secret;
  c.max_message_size = o.max_message_size;
  c.replay_max_messages = o.replay_max_messages;
  c.replay_max_bytes = o.replay_max_bytes;
  c.session_ttl = o.session_ttl;
  c.heartbeat = o.heartbeat;
  c.log = o.log;
  if (!c.log)
    c.log = [](std::string_view line) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
    };
  return c;
}

// GET <prefix>/info: what a client needs before it picks a transport.
std::string info_json(const server_options& o) {
  char buf[512];
  int n = std::snprintf(
      buf, sizeof(buf),
      "{\"v\":1,\"protocol\":\"resock.v1\",\"transports\":[\"websocket\"],\"hb\":%lld,"
      "\"limits\":{\"max_message\":%zu,\"replay_messages\":%zu,\"replay_bytes\":%zu,"
      "\"ttl\":%lld}}",
      static_cast<long long>(o.heartbeat.count()), o.max_message_size, o.replay_max_messages,
      o.replay_max_bytes, static_cast<long long>(o.session_ttl.count()));
  return std::string(buf,
                     static_cast<std::size_t>(std::clamp(n, 0, static_cast<int>(sizeof(buf) - 1))));
}

ws::ws_server_options transport_options(
    const server_options& o, const core::server_core_options& c,
    std::function<std::string()> metrics,
    std::function<ws::api_response(const ws::api_request&)> api) {
  ws::ws_server_options w;
  w.max_connections = o.max_connections;
  w.slow_consumer_ms = static_cast<std::uint64_t>(o.slow_consumer.count());
  w.handshake_timeout_ms = static_cast<std::uint64_t>(o.handshake_timeout.count());
  w.conn_rate_per_ip = o.conn_rate_per_ip;
  w.origins = o.origins;
  if (o.metrics) w.metrics = std::move(metrics);
  if (!o.api_key.empty()) w.api = std::move(api);
  w.listen = o.listen;
  w.prefix = o.prefix;
  w.max_message_size = o.max_message_size;
  w.echo = o.echo;
  w.deflate = o.deflate;
  w.tls_cert = o.tls_cert_file;
  w.tls_key = o.tls_key_file;
  w.log = c.log;
  w.resources.emplace(o.prefix + "/info", ws::static_resource{"application/json", info_json(o)});
  if (!o.demo_html.empty())
    w.resources.emplace("/", ws::static_resource{"text/html; charset=utf-8", o.demo_html});
  if (!o.demo_js.empty())
    w.resources.emplace("/resock.js",
                        ws::static_resource{"application/javascript; charset=utf-8", o.demo_js});
  return w;
}

// The core wants tick() at least every 100 ms, sooner when a deadline is near.
constexpr std::chrono::milliseconds k_max_tick{100};

}  // namespace

struct server::impl {
  impl(uv_loop_s* l, server_options o)
      : loop(l),
        options(std::move(o)),
        core(core_options(options)),
        transport(l, core,
                  transport_options(
                      options, core_options(options),
                      [this] { return render_metrics(core.stats(), transport.counters()); },
                      [this](const ws::api_request& r) {
                        return handle_api(core, options.api_key, options.prefix, r);
                      })) {}

  void schedule_tick() {
    auto now = core::clock_type::now();
    auto deadline = core.next_deadline();
    auto wait = deadline <= now ? std::chrono::milliseconds{1}
                                : std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    tick.start(std::clamp(wait, std::chrono::milliseconds{1}, k_max_tick));
  }

  uv_loop_s* loop;
  server_options options;
  // Declared before the transport: the transport's teardown reports closed
  // connections to the core, so the core must outlive it.
  core::server_core core;
  // Our own data path (DESIGN step 2): lws failed Autobahn 2.10/2.11 and
  // section 0; see docs/decisions.md. ws_server (lws) stays for comparison.
  ws::native_ws_server transport;
  loop_timer tick;
  bool started = false;
  bool stopped = false;
};

server::server(uv_loop_s* loop, server_options options)
    : impl_(std::make_unique<impl>(loop, std::move(options))) {}

server::~server() {
  if (impl_->started && !impl_->stopped) impl_->core.shutdown(1001, "server destroyed");
  impl_->tick.close();
}

void server::on_connect(std::function<connect_result(const connect_request&)> hook) {
  impl_->core.on_connect(std::move(hook));
}
void server::on_disconnect(std::function<void(const disconnect_info&)> hook) {
  impl_->core.on_disconnect(std::move(hook));
}
void server::route(std::string name, std::function<void(const message&)> handler) {
  impl_->core.route(std::move(name), std::move(handler));
}
void server::on_default(std::function<void(const message&)> handler) {
  impl_->core.on_default(std::move(handler));
}

std::error_code server::start() {
  impl& s = *impl_;
  if (s.started) return std::make_error_code(std::errc::already_connected);
  if (int rc = s.tick.init(s.loop,
                           [&s] {
                             s.core.tick();
                             s.schedule_tick();
                           });
      rc != 0)
    return {-rc, std::generic_category()};
  if (auto ec = s.transport.start()) {
    s.tick.close();
    return ec;
  }
  s.started = true;
  s.schedule_tick();
  return {};
}

void server::stop(std::uint16_t code) {
  impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  s.tick.close();
  // Close frames go out as the loop runs; the transport then tears lws down.
  s.core.shutdown(code, "server stopping");
  s.transport.stop();
}

send_status server::send(std::string_view sid, std::string_view json) {
  return impl_->core.send(sid, json);
}
std::size_t server::publish(std::string_view channel, std::string_view json) {
  return impl_->core.publish(channel, json);
}
bool server::close(std::string_view sid, std::uint16_t code, std::string_view reason) {
  return impl_->core.close(sid, code, reason);
}

std::uint16_t server::port() const {
  return impl_->transport.port();
}

server_stats server::stats() const {
  core::server_stats c = impl_->core.stats();
  return {.connections = c.connections,
          .sessions = c.sessions,
          .messages_in = c.messages_in,
          .messages_out = c.messages_out,
          .duplicates_in = c.duplicates_in,
          .publishes = c.publishes,
          .payload_encodings = c.payload_encodings,
          .resumes_ok = c.resumes_ok,
          .resumes_lost = c.resumes_lost};
}

}  // namespace resock
