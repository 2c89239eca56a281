// resock::client: the session client core (lib/core) over the WebSocket
// transport, on the caller's libuv loop. Owns what is not the transport's
// business: when to reconnect (backoff with full jitter), the connect and
// welcome timeout, the core's tick, and the end of the client.
#include "resock/client.h"

#include <cstdio>
#include <string>

#include "core/client_core.h"
#include "fallback/backoff.h"
#include "loop_timer.h"
#include "websocket/ws_client.h"

namespace resock {
namespace {

// lws reports a server certificate the client does not trust (unknown CA,
// wrong name, expired) in its connection error text, e.g. "... certificate
// verify failed ..." or "... hostname check failed ...".
bool is_certificate_failure(std::string_view why) noexcept {
  for (std::string_view k : {"certificate", "verify", "hostname"})
    if (why.find(k) != std::string_view::npos) return true;
  return false;
}

// Heartbeats, acks and pong timeouts are decided by the core; ticking it
// at this period keeps the ack_interval (100 ms default) honest.
constexpr std::chrono::milliseconds k_tick{25};
// How long stop() waits for the close handshake before tearing down.
constexpr std::chrono::milliseconds k_stop_grace{2000};

}  // namespace

struct client::impl {
  impl(uv_loop_s* l, client_options o)
      : loop(l),
        options(std::move(o)),
        core(core::client_core_options{
            .auth = options.auth,
            .ack_every = options.ack_every,
            .ack_interval = options.ack_interval,
            .on_event = [this](const client_event& e) { on_core_event(e); },
        }),
        transport(l, core,
                  ws::ws_client_options{
                      .url = options.url, .ca_file = options.ca_file, .insecure = options.insecure},
                  ws::ws_client_events{.up = [this] { on_up(); },
                                       .down = [this](std::string_view why) { on_down(why); },
                                       .inbound = {}}),
        backoff(options.backoff_min, options.backoff_max) {}

  void emit(const client_event& e) {
    if (e.type == client_event::kind::closed) {
      if (closed_emitted) return;
      closed_emitted = true;
    }
    if (handler) handler(e);
  }

  void on_core_event(const client_event& e) {
    if (e.type == client_event::kind::connected || e.type == client_event::kind::resumed) {
      // A welcome crossed the connection: it works, so the next drop
      // starts the backoff over.
      attempts = 0;
      backoff.reset();
      connect_timer.stop();
    }
    emit(e);
  }

  void on_up() { kick(); }

  void on_down(std::string_view why) {
    connect_timer.stop();
    if (stopping) {
      finish_timer.start(std::chrono::milliseconds{0});
      return;
    }
    while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
      why.remove_suffix(1);
    try {
      last_failure.assign(why);
    } catch (...) {
      last_failure.clear();
    }
    if (is_certificate_failure(why)) {
      // Retrying cannot fix a certificate the client does not trust, and
      // hiding it behind endless "connecting" would be worse than failing.
      client_event e;
      e.type = client_event::kind::error;
      e.code = "tls_certificate";
      e.reason = last_failure;
      emit(e);
      stopping = true;
      finish_timer.start(std::chrono::milliseconds{0});
      return;
    }
    schedule(backoff.next());
  }

  // Announces the next attempt and starts it after `delay`.
  void schedule(std::chrono::milliseconds delay) {
    ++attempts;
    client_event e;
    e.type = client_event::kind::connecting;
    e.attempt = attempts;
    e.delay_ms = static_cast<std::uint32_t>(delay.count());
    e.reason = attempts > 1 ? std::string_view(last_failure) : std::string_view{};
    emit(e);
    if (stopping) return;  // the handler may have stopped us
    if (delay.count() == 0)
      attempt();
    else
      retry_timer.start(delay);
  }

  void attempt() {
    connect_timer.start(options.connect_timeout);
    transport.connect();  // may report down at once: on_down schedules the next
  }

  void kick() {
    if (transport.connected() && core.has_output()) transport.want_write();
  }

  void finish() {
    tick_timer.close();
    retry_timer.close();
    connect_timer.close();
    finish_timer.close();
    transport.destroy();
    stopped = true;
    client_event e;
    e.type = client_event::kind::closed;
    emit(e);
  }

  uv_loop_s* loop;
  client_options options;
  std::function<void(const client_event&)> handler;
  core::client_core core;  // before the transport, which reports to it until destroyed
  ws::ws_client transport;
  fallback::backoff backoff;
  loop_timer tick_timer, retry_timer, connect_timer, finish_timer;
  std::uint32_t attempts = 0;  // since the last welcome
  std::string last_failure;    // why the previous connection ended
  bool started = false;
  bool stopping = false;
  bool stopped = false;
  bool closed_emitted = false;
};

client::client(uv_loop_s* loop, client_options options)
    : impl_(std::make_unique<impl>(loop, std::move(options))) {}

client::~client() {
  impl& s = *impl_;
  s.handler = nullptr;  // no events from a client being destroyed
  s.tick_timer.close();
  s.retry_timer.close();
  s.connect_timer.close();
  s.finish_timer.close();
  s.transport.destroy();
}

void client::on_event(std::function<void(const client_event&)> handler) {
  impl_->handler = std::move(handler);
}

std::error_code client::start() {
  impl& s = *impl_;
  if (s.started) return std::make_error_code(std::errc::already_connected);
  std::string detail;
  if (auto ec = s.transport.init(&detail)) {
    std::fprintf(stderr, "resock: client start failed: %s\n", detail.c_str());
    return ec;
  }
  int rc = s.tick_timer.init(s.loop, [&s] {
    if (s.core.tick() && s.transport.busy()) s.transport.drop();  // pong timeout or seq gap
    s.kick();
  });
  if (rc == 0) rc = s.retry_timer.init(s.loop, [&s] { s.attempt(); });
  if (rc == 0) rc = s.connect_timer.init(s.loop, [&s] { s.transport.drop(); });
  if (rc == 0) rc = s.finish_timer.init(s.loop, [&s] { s.finish(); });
  if (rc != 0) {
    s.tick_timer.close();
    s.retry_timer.close();
    s.connect_timer.close();
    s.finish_timer.close();
    s.transport.destroy();
    return {-rc, std::generic_category()};
  }
  s.started = true;
  s.tick_timer.start(k_tick, k_tick);
  s.schedule(std::chrono::milliseconds{0});
  return {};
}

void client::stop() {
  impl& s = *impl_;
  if (!s.started || s.stopping) return;
  s.stopping = true;
  s.retry_timer.stop();
  s.connect_timer.stop();
  s.core.close();
  if (s.transport.busy()) {
    s.transport.close();  // close envelope, close frame; down finishes
    s.finish_timer.start(k_stop_grace);
  } else {
    s.finish_timer.start(std::chrono::milliseconds{0});
  }
}

std::uint64_t client::publish(std::string_view channel, std::string_view data) {
  auto c = impl_->core.publish(channel, data);
  impl_->kick();
  return c;
}
std::uint64_t client::send(std::string_view route, std::string_view data) {
  auto c = impl_->core.send(route, data);
  impl_->kick();
  return c;
}
void client::subscribe(std::string_view channel) {
  impl_->core.subscribe(channel);
  impl_->kick();
}
void client::unsubscribe(std::string_view channel) {
  impl_->core.unsubscribe(channel);
  impl_->kick();
}

void client::drop_connection() {
  impl_->transport.drop();
}

std::size_t client::pending() const {
  return impl_->core.pending();
}

}  // namespace resock
