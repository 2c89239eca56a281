// server_core: the transport side (open, receive, writable, closed), the
// timers, and the application's registration calls. Sessions live in
// server_hello.cpp, fan-out in server_fanout.cpp.
#include "core/server_core.h"

#include <algorithm>
#include <utility>

#include "core/server_core_impl.h"
#include "hub/in_process_broker.h"
#include "protocol/decode.h"
#include "protocol/encode.h"

namespace resock::core {

using protocol::error;
using protocol::type;

namespace {

// A connection told to end whose transport never asks for the close
// envelope (a dead peer never drains) is closed directly after this.
constexpr auto kEndingGrace = std::chrono::seconds(2);

}  // namespace

server_core::impl::impl(server_core_options o)
    : opt(std::move(o)), brk(opt.broker), tickets(opt.secret) {
  if (!opt.now) opt.now = [] { return clock_type::now(); };
  if (!brk) brk = std::make_shared<in_process_broker>(opt.now);
  brk->set_delivery([this](std::string_view channel, const payload_ptr& body) {
    // A network broker delivers outside any core call: guard it too.
    guard g(*this);
    deliver(channel, body);
  });
}

std::chrono::milliseconds server_core::impl::idle_timeout() const {
  return opt.idle_timeout.count() > 0 ? opt.idle_timeout : 2 * opt.heartbeat;
}

void server_core::impl::log(std::string_view line) const {
  if (opt.log) opt.log(line);
}

void server_core::impl::push_control(connection& c, std::string envelope) {
  // Nothing may follow the close envelope.
  if (c.gone || c.ending) return;
  c.control.push_back(std::move(envelope));
  c.l->want_write();
}

void server_core::impl::send_error(connection& c, error code, std::string_view msg,
                                   std::uint64_t seq, std::string_view channel) {
  std::string out;
  protocol::append_error(out, code, msg, seq, channel);
  std::string line = "event=error peer=" + c.peer;
  if (c.s) line += " sid=" + c.s->sid;
  line += " code=";
  line += protocol::error_name(code);
  log(line);
  push_control(c, std::move(out));
}

void server_core::impl::end_connection(connection& c, std::uint16_t code, std::string_view reason,
                                       bool envelope) {
  if (c.ending || c.gone) return;
  c.ending = true;
  c.ending_since = now();
  c.close_code = code;
  c.close_reason = std::string(reason);
  if (envelope) {
    std::string out;
    protocol::append_close(out, code, reason);
    c.control.push_back(std::move(out));
  }
  c.l->want_write();
}

void server_core::impl::handle(connection& c, const protocol::envelope& e) {
  if (e.t == type::close) {
    if (c.s) {
      end_session(*c.s, end_reason::closed_by_client, {}, 1000, e.text);
    } else {
      end_connection(c, 1000, e.text, false);
    }
    return;
  }
  if (e.t == type::ping) {
    std::string out;
    protocol::append_pong(out);
    push_control(c, std::move(out));
    return;
  }
  if (e.t == type::pong) return;
  if (e.t == type::hello) {
    if (c.hello_done) {
      send_error(c, error::already_hello, "hello was already received");
      return;
    }
    on_hello(c, e);
    return;
  }
  if (!c.hello_done || c.s == nullptr) {
    send_error(c, error::hello_required, "send hello first", e.t == type::msg ? e.seq : 0);
    return;
  }
  server_session& s = *c.s;
  switch (e.t) {
    case type::msg:
      on_msg(c, s, e);
      return;
    case type::ack:
      on_ack(c, s, e);
      return;
    case type::sub:
      on_sub(c, s, e);
      return;
    case type::unsub:
      on_unsub(c, s, e);
      return;
    default:
      send_error(c, error::unknown_type, "unexpected envelope");
      return;
  }
}

// --- server_core ------------------------------------------------------------

server_core::server_core(server_core_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

server_core::~server_core() = default;

connection* server_core::open(link& l, const link_info& info) {
  impl::guard g(*impl_);
  auto c = std::make_unique<connection>();
  c->id = impl_->next_conn_id++;
  c->l = &l;
  c->kind = l.kind();
  c->peer = std::string(l.peer());
  if (!info.origin.empty() || !info.authorization.empty())
    c->headers = std::make_unique<connection::request_headers>(
        connection::request_headers{std::string(info.origin), std::string(info.authorization)});
  c->opened = c->last_inbound = impl_->now();
  connection* raw = c.get();
  impl_->conns.emplace(c->id, std::move(c));
  ++impl_->stats.connections;
  impl_->log("event=open peer=" + raw->peer +
             " transport=" + std::string(transport_name(raw->kind)));
  return raw;
}

void server_core::receive(connection* c, std::span<const std::uint8_t> envelope) {
  impl::guard g(*impl_);
  if (c == nullptr || c->gone || c->ending) return;
  c->last_inbound = impl_->now();
  std::string_view text(reinterpret_cast<const char*>(envelope.data()), envelope.size());
  protocol::envelope e;
  error err = protocol::decode(text, protocol::sender::client, e,
                               {.max_size = impl_->opt.max_message_size});
  if (err == error::too_big) {
    // The transport should have refused it already; the stream cannot be
    // trusted to stay in step, so the connection ends (the session stays).
    impl_->send_error(*c, err, "envelope larger than max_message");
    if (c->s) impl_->detach(*c->s, 1009);
    impl_->end_connection(*c, 1009, "message too big", false);
    return;
  }
  if (err != error::none) {
    std::uint64_t seq = e.t == type::msg ? e.seq : 0;
    impl_->send_error(*c, err, "malformed envelope", seq);
    return;
  }
  impl_->handle(*c, e);
}

bool server_core::writable(connection* c, std::string& out, session::payload_ptr* shared_body) {
  impl::guard g(*impl_);
  if (c == nullptr || c->gone || c->link_closed) return false;
  if (!c->control.empty()) {
    out += c->control.front();
    c->control.pop_front();
    return true;
  }
  if (c->ending) {
    c->link_closed = true;
    c->l->close(c->close_code, c->close_reason);
    return false;
  }
  server_session* s = c->s;
  if (s == nullptr) return false;
  if (s->ack_now) {
    protocol::append_ack(out, protocol::sender::server, s->in.last());
    s->ack_now = false;
    s->acks.sent();
    return true;
  }
  if (!s->outbox.empty()) {
    const replay_entry& entry = s->outbox.front();
    protocol::append_msg_head(out, entry.seq);
    out += *entry.body;
    if (shared_body != nullptr) *shared_body = entry.body;
    s->outbox.pop_front();
    return true;
  }
  return false;
}

void server_core::closed(connection* c, const link_closed& why) {
  impl::guard g(*impl_);
  if (c == nullptr || c->gone) return;
  c->gone = true;
  if (c->s) impl_->detach(*c->s, why.code);
  impl_->log("event=disconnect peer=" + c->peer + " code=" + std::to_string(why.code));
  try {
    ++impl_->stats.disconnects[why.code];
  } catch (...) {
    // A metric is not worth failing a close for.
  }
  auto it = impl_->conns.find(c->id);
  if (it != impl_->conns.end()) {
    impl_->retired_conns.push_back(std::move(it->second));
    impl_->conns.erase(it);
  }
  --impl_->stats.connections;
}

void server_core::tick() {
  impl::guard g(*impl_);
  auto now = impl_->now();
  auto idle = impl_->idle_timeout();
  // Collect first: acting may close connections and end sessions.
  std::vector<connection*> conns;
  conns.reserve(impl_->conns.size());
  for (auto& [id, c] : impl_->conns)
    conns.push_back(c.get());
  for (connection* c : conns) {
    if (c->gone) continue;
    if (c->ending) {
      if (!c->link_closed && now - c->ending_since >= kEndingGrace) {
        c->link_closed = true;
        c->l->close(c->close_code, c->close_reason);
      }
      continue;
    }
    if (!c->hello_done) {
      if (now - c->opened >= impl_->opt.hello_timeout) {
        impl_->send_error(*c, error::hello_required, "no hello in time");
        impl_->end_connection(*c, 4000, "hello timeout", true);
      }
      continue;
    }
    if (idle.count() > 0 && now - c->last_inbound >= idle) {
      impl_->log("event=idle peer=" + c->peer + (c->s ? " sid=" + c->s->sid : std::string()));
      if (c->s) impl_->detach(*c->s, 4003);
      impl_->end_connection(*c, 4003, "idle timeout", false);
      continue;
    }
    if (c->s && !c->s->ack_now && c->s->acks.due(now)) {
      c->s->ack_now = true;
      c->l->want_write();
    }
  }
  std::vector<server_session*> expired;
  for (auto& [sid, s] : impl_->sessions) {
    if (s->conn == nullptr && s->expiry <= now) expired.push_back(s.get());
  }
  for (server_session* s : expired) {
    if (s->ended) continue;
    impl_->log("event=expire sid=" + s->sid);
    impl_->end_session(*s, end_reason::expired, "expired", 0, {});
  }
}

clock_type::time_point server_core::next_deadline() const {
  auto best = clock_type::time_point::max();
  auto idle = impl_->idle_timeout();
  for (const auto& [id, c] : impl_->conns) {
    if (c->gone) continue;
    if (c->ending) {
      if (!c->link_closed) best = std::min(best, c->ending_since + kEndingGrace);
      continue;
    }
    if (!c->hello_done) {
      best = std::min(best, c->opened + impl_->opt.hello_timeout);
      continue;
    }
    if (idle.count() > 0) best = std::min(best, c->last_inbound + idle);
    if (c->s) best = std::min(best, c->s->acks.deadline());
  }
  for (const auto& [sid, s] : impl_->sessions) {
    if (s->conn == nullptr) best = std::min(best, s->expiry);
  }
  return best;
}

void server_core::on_connect(std::function<connect_result(const connect_request&)> hook) {
  impl_->connect_hook = std::move(hook);
}

void server_core::on_disconnect(std::function<void(const disconnect_info&)> hook) {
  impl_->disconnect_hook = std::move(hook);
}

void server_core::route(std::string name, std::function<void(const message&)> handler) {
  impl_->routes.add(std::move(name), std::move(handler));
}

void server_core::on_default(std::function<void(const message&)> handler) {
  impl_->routes.set_default(std::move(handler));
}

send_status server_core::send(std::string_view sid, std::string_view data) {
  impl::guard g(*impl_);
  return impl_->send(sid, data);
}

std::size_t server_core::publish(std::string_view channel, std::string_view data) {
  impl::guard g(*impl_);
  return impl_->publish(channel, data, false);
}

bool server_core::close(std::string_view sid, std::uint16_t code, std::string_view reason) {
  impl::guard g(*impl_);
  auto it = impl_->sessions.find(sid);
  if (it == impl_->sessions.end() || it->second->ended) return false;
  impl_->end_session(*it->second, end_reason::closed_by_server, {}, code, reason);
  return true;
}

void server_core::shutdown(std::uint16_t code, std::string_view reason) {
  impl::guard g(*impl_);
  std::vector<server_session*> all;
  for (auto& [sid, s] : impl_->sessions)
    all.push_back(s.get());
  for (server_session* s : all) {
    if (!s->ended) impl_->end_session(*s, end_reason::closed_by_server, {}, code, reason);
  }
  std::vector<connection*> conns;
  for (auto& [id, c] : impl_->conns)
    conns.push_back(c.get());
  for (connection* c : conns)
    impl_->end_connection(*c, code, reason, true);
}

server_stats server_core::stats() const {
  server_stats st = impl_->stats;
  for (const auto& [sid, s] : impl_->sessions) {
    if (s->ended) continue;
    if (s->conn == nullptr)
      ++st.sessions_detached;
    else
      ++st.sessions_attached[static_cast<std::size_t>(s->conn->kind) % 4];
  }
  const replay_usage r = impl_->brk->replay_total();
  st.replay_messages = r.messages;
  st.replay_bytes = r.bytes;
  return st;
}

bool server_core::cut(std::string_view sid) {
  impl::guard g(*impl_);
  auto it = impl_->sessions.find(sid);
  if (it == impl_->sessions.end() || it->second->ended || it->second->conn == nullptr) return false;
  server_session& s = *it->second;
  connection& c = *s.conn;
  impl_->log("event=cut sid=" + s.sid + " peer=" + c.peer);
  impl_->detach(s, 4005);
  // No close envelope: to the client this is a dropped connection, so it
  // reconnects and resumes.
  impl_->end_connection(c, 4005, "cut by the server", false);
  return true;
}

std::optional<session_view> server_core::find_session(std::string_view sid) const {
  auto it = impl_->sessions.find(sid);
  if (it == impl_->sessions.end() || it->second->ended) return std::nullopt;
  const server_session& s = *it->second;
  session_view v;
  v.sid = s.sid;
  v.identity = s.identity;
  v.attached = s.conn != nullptr;
  if (s.conn != nullptr) {
    v.transport = s.conn->kind;
    v.peer = s.conn->peer;
  } else if (s.expiry != clock_type::time_point::max()) {
    v.expires_in =
        std::max(std::chrono::milliseconds{0},
                 std::chrono::duration_cast<std::chrono::milliseconds>(s.expiry - impl_->now()));
  }
  v.last_seq = s.next_s - 1;
  v.acked_seq = s.acked_s;
  v.last_client_seq = s.in.last();
  v.channels = s.subscriptions;
  const replay_usage r = impl_->brk->replay_of(s.sid);
  v.replay_messages = r.messages;
  v.replay_bytes = r.bytes;
  return v;
}

std::vector<channel_view> server_core::channels() const {
  std::vector<channel_view> out;
  out.reserve(impl_->channels.channel_count());
  impl_->channels.for_each([&out](std::string_view name, std::size_t n) {
    out.push_back({std::string(name), n});
  });
  std::sort(out.begin(), out.end(),
            [](const channel_view& a, const channel_view& b) { return a.name < b.name; });
  return out;
}

}  // namespace resock::core
