// client_core: the client half of the delivery contract without I/O.
// Outgoing messages are encoded once when queued and kept until acked, so
// a resume resends the same bytes with the same "c"; incoming ones are
// checked against the last delivered "s" (duplicate: dropped, gap: the
// connection is dropped and resumed, never skipped).
#include "core/client_core.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>

#include "protocol/decode.h"
#include "protocol/encode.h"
#include "protocol/json_scan.h"
#include "session/ack_policy.h"
#include "session/sequence.h"
#include "session/unacked_queue.h"

namespace resock::core {

using protocol::type;

namespace {

// Before a welcome announces the server's limit, assume the default one.
constexpr std::size_t kDefaultMaxMessage = 1 << 20;

}  // namespace

struct client_core::impl {
  enum class phase : std::uint8_t { down, hello, up };

  // A sub or unsub the server has not confirmed (suback/unsuback/error).
  struct channel_op {
    type t = type::sub;
    std::string channel;
    bool written = false;  // on the current connection
  };

  client_core_options opt;
  phase ph = phase::down;
  transport_kind kind = transport_kind::websocket;
  bool hello_written = false;
  bool must_drop = false;  // tick() tells the transport to drop the connection
  // close() was called: only the close envelope goes out, nothing that
  // arrives after it belongs to a session any more.
  bool closing = false;

  std::string sid;
  std::string ticket;
  std::chrono::milliseconds hb{0};
  protocol::limits lim;

  session::inbound_sequence in;  // the server's "s"
  session::ack_policy acks;
  bool ack_now = false;
  session::unacked_queue unacked;
  std::uint64_t next_c = 1;

  std::vector<std::string> subs;  // channels the application wants
  std::deque<channel_op> ops;
  std::deque<std::string> control;  // pong, close

  clock_type::time_point last_inbound{};
  bool ping_outstanding = false;
  clock_type::time_point ping_at{};

  explicit impl(client_core_options o) : opt(std::move(o)) {
    if (!opt.now) opt.now = [] { return clock_type::now(); };
    acks = session::ack_policy(opt.ack_every, opt.ack_interval);
  }

  [[nodiscard]] clock_type::time_point now() const { return opt.now(); }

  void emit(const client_event& e) const {
    if (opt.on_event) opt.on_event(e);
  }

  void emit_error(std::string_view code, std::string_view reason) const {
    client_event e;
    e.type = client_event::kind::error;
    e.transport = kind;
    e.sid = sid;
    e.code = code;
    e.reason = reason;
    emit(e);
  }

  // The session is gone: unacked messages are reported and discarded, the
  // sequence state restarts, and the subscriptions will be re-sent on the
  // next session.
  void lose_session(std::string_view reason, std::string_view text) {
    std::string old_sid = std::move(sid);
    std::uint64_t unconfirmed = unacked.size();
    sid.clear();
    ticket.clear();
    unacked.clear();
    next_c = 1;
    in.reset();
    acks.sent();
    ack_now = false;
    ops.clear();
    client_event e;
    e.type = client_event::kind::lost;
    e.transport = kind;
    e.sid = old_sid;
    e.code = reason;
    e.reason = text;
    e.unconfirmed = unconfirmed;
    emit(e);
  }

  std::uint64_t queue_msg(std::string_view channel, std::string_view route, std::string_view data) {
    if (!protocol::is_valid_json(data)) {
      emit_error("bad_json", "data is not JSON text");
      return 0;
    }
    if (unacked.size() >= opt.max_pending) {
      emit_error("backpressure", "too many unacked messages");
      return 0;
    }
    std::uint64_t c = next_c;
    std::string env;
    env.reserve(data.size() + channel.size() + route.size() + 40);
    protocol::append_client_msg(env, c, channel, route, data);
    std::size_t max = lim.max_message ? lim.max_message : kDefaultMaxMessage;
    if (env.size() > max) {
      // Refused here: the server would end the connection, and the resend
      // after every resume would end it again.
      emit_error("too_big", "message larger than the server's max_message");
      return 0;
    }
    ++next_c;
    unacked.push(c, std::move(env));
    return c;
  }

  void on_welcome(const protocol::envelope& e) {
    hb = std::chrono::milliseconds(e.heartbeat);
    if (e.has_limits) lim = e.lim;
    ph = phase::up;
    if (!sid.empty() && e.resumed && e.sid == sid) {
      ticket = e.ticket;
      unacked.ack(e.ack);
      unacked.rewind();
      client_event ev;
      ev.type = client_event::kind::resumed;
      ev.transport = kind;
      ev.sid = sid;
      ev.seq = in.last();
      emit(ev);
      return;
    }
    if (!sid.empty()) {
      lose_session(e.lost.empty() ? std::string_view("unknown") : std::string_view(e.lost),
                   "the session could not be resumed");
    }
    sid = e.sid;
    ticket = e.ticket;
    in.reset();
    acks.sent();
    ack_now = false;
    unacked.rewind();
    // Subscriptions belong to the session: a new one gets them all again.
    ops.clear();
    for (const auto& ch : subs)
      ops.push_back({type::sub, ch, false});
    client_event ev;
    ev.type = client_event::kind::connected;
    ev.transport = kind;
    ev.sid = sid;
    emit(ev);
  }

  void on_msg(const protocol::envelope& e) {
    auto t = now();
    switch (in.classify(e.seq)) {
      case session::seq_verdict::duplicate:
        // A replay of something delivered before the drop: the server
        // missed our ack, so ack again.
        acks.received(t);
        if (acks.due(t)) ack_now = true;
        return;
      case session::seq_verdict::gap:
        // Never skip: resume from the last delivered seq.
        must_drop = true;
        return;
      case session::seq_verdict::next:
        break;
    }
    in.accept(e.seq);
    acks.received(t);
    if (acks.due(t)) ack_now = true;
    client_event ev;
    ev.type = client_event::kind::message;
    ev.transport = kind;
    ev.sid = sid;
    ev.seq = e.seq;
    ev.channel = e.channel;
    ev.data = e.data;
    ev.binary = e.binary;
    emit(ev);
  }

  void confirm_op(type t, std::string_view channel) {
    auto it = std::find_if(ops.begin(), ops.end(), [&](const channel_op& op) {
      return op.t == t && op.channel == channel && op.written;
    });
    if (it != ops.end()) ops.erase(it);
  }

  void on_error(const protocol::envelope& e) {
    if (e.code == protocol::error::forbidden && e.has_channel && !e.has_seq) {
      // A refused sub: the application does not hold that channel.
      confirm_op(type::sub, e.channel);
      std::erase(subs, e.channel);
    }
    emit_error(e.code_text, e.text);
  }

  void on_close(const protocol::envelope& e) {
    // The server ended the session (4001: lost to a replay overflow). A
    // resume could only fail: report the loss now.
    must_drop = true;
    if (sid.empty()) return;
    lose_session(e.close_code == 4001 ? "overflow" : "closed", e.text);
  }

  void receive(std::string_view text) {
    if (ph == phase::down || must_drop || closing) return;
    last_inbound = now();
    protocol::envelope e;
    auto err = protocol::decode(text, protocol::sender::server, e, {.max_size = SIZE_MAX});
    if (err != protocol::error::none) {
      emit_error(protocol::error_name(err), "malformed envelope from the server");
      return;
    }
    if (ph == phase::hello) {
      switch (e.t) {
        case type::welcome:
          on_welcome(e);
          return;
        case type::error:
          on_error(e);
          return;
        case type::close:
          on_close(e);
          return;
        case type::ping:
          control.emplace_back(R"({"t":"pong"})");
          return;
        case type::pong:
          ping_outstanding = false;
          return;
        default:
          must_drop = true;
          return;  // nothing else may precede the welcome
      }
    }
    switch (e.t) {
      case type::msg:
        on_msg(e);
        return;
      case type::ack:
        if (e.seq < next_c) unacked.ack(e.seq);
        return;
      case type::suback:
        confirm_op(type::sub, e.channel);
        return;
      case type::unsuback:
        confirm_op(type::unsub, e.channel);
        return;
      case type::ping:
        control.emplace_back(R"({"t":"pong"})");
        return;
      case type::pong:
        ping_outstanding = false;
        return;
      case type::error:
        on_error(e);
        return;
      case type::close:
        on_close(e);
        return;
      case type::welcome:  // a second welcome makes no sense: start over
      default:
        must_drop = true;
        return;
    }
  }

  bool writable(std::string& out) {
    if (ph == phase::down) return false;
    if (closing) {
      if (control.empty()) return false;
      out += control.front();
      control.pop_front();
      return true;
    }
    if (ph == phase::hello) {
      if (hello_written) {
        // Control (pong) may still go; nothing of the session yet.
        if (control.empty()) return false;
        out += control.front();
        control.pop_front();
        return true;
      }
      protocol::append_hello(out, {.auth = opt.auth,
                                   .resume = !sid.empty(),
                                   .sid = sid,
                                   .ticket = ticket,
                                   .ack = in.last()});
      hello_written = true;
      return true;
    }
    if (!control.empty()) {
      out += control.front();
      control.pop_front();
      return true;
    }
    for (auto& op : ops) {
      if (op.written) continue;
      protocol::append_channel_op(out, op.t, op.channel);
      op.written = true;
      return true;
    }
    if (ack_now) {
      protocol::append_ack(out, protocol::sender::client, in.last());
      ack_now = false;
      acks.sent();
      return true;
    }
    if (const auto* entry = unacked.next_unsent()) {
      out += entry->envelope;
      unacked.mark_sent();
      return true;
    }
    return false;
  }

  [[nodiscard]] bool has_output() const {
    if (ph == phase::down) return false;
    if (closing) return !control.empty();
    if (ph == phase::hello) return !hello_written || !control.empty();
    if (!control.empty() || ack_now || unacked.next_unsent()) return true;
    return std::any_of(ops.begin(), ops.end(), [](const channel_op& op) { return !op.written; });
  }

  bool tick() {
    if (must_drop) return true;
    if (ph != phase::up || closing) return false;
    auto t = now();
    if (!ack_now && acks.due(t)) ack_now = true;
    if (hb.count() > 0) {
      if (ping_outstanding) {
        if (t - ping_at >= hb) return true;  // no pong: the path is dead
      } else if (t - last_inbound >= hb) {
        control.emplace_back(R"({"t":"ping"})");
        ping_outstanding = true;
        ping_at = t;
      }
    }
    return false;
  }
};

client_core::client_core(client_core_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

client_core::~client_core() = default;

void client_core::connected(transport_kind kind) {
  impl_->kind = kind;
  impl_->ph = impl::phase::hello;
  impl_->hello_written = false;
  impl_->must_drop = false;
  impl_->closing = false;
  impl_->control.clear();
  impl_->ping_outstanding = false;
  impl_->last_inbound = impl_->now();
  impl_->unacked.rewind();
  for (auto& op : impl_->ops)
    op.written = false;
}

void client_core::receive(std::span<const std::uint8_t> envelope) {
  impl_->receive({reinterpret_cast<const char*>(envelope.data()), envelope.size()});
}

bool client_core::writable(std::string& out) {
  return impl_->writable(out);
}

void client_core::disconnected() {
  impl_->ph = impl::phase::down;
  impl_->hello_written = false;
  impl_->must_drop = false;
  impl_->control.clear();
  impl_->ping_outstanding = false;
  // The resume's hello carries the ack.
  impl_->ack_now = false;
  impl_->acks.sent();
  impl_->unacked.rewind();
  for (auto& op : impl_->ops)
    op.written = false;
}

bool client_core::tick() {
  return impl_->tick();
}

bool client_core::has_output() const {
  return impl_->has_output();
}

std::uint64_t client_core::publish(std::string_view channel, std::string_view data) {
  if (channel.empty() || channel.size() > protocol::kMaxNameSize) {
    impl_->emit_error("bad_envelope", "channel name empty or too long");
    return 0;
  }
  return impl_->queue_msg(channel, {}, data);
}

std::uint64_t client_core::send(std::string_view route, std::string_view data) {
  if (route.size() > protocol::kMaxNameSize) {
    impl_->emit_error("bad_envelope", "route name too long");
    return 0;
  }
  return impl_->queue_msg({}, route, data);
}

void client_core::subscribe(std::string_view channel) {
  if (channel.empty() || channel.size() > protocol::kMaxNameSize) return;
  if (std::find(impl_->subs.begin(), impl_->subs.end(), channel) == impl_->subs.end()) {
    impl_->subs.emplace_back(channel);
  }
  impl_->ops.push_back({type::sub, std::string(channel), false});
}

void client_core::unsubscribe(std::string_view channel) {
  if (channel.empty() || channel.size() > protocol::kMaxNameSize) return;
  std::erase(impl_->subs, channel);
  impl_->ops.push_back({type::unsub, std::string(channel), false});
}

void client_core::close() {
  auto& i = *impl_;
  if (i.ph != impl::phase::down && !i.sid.empty()) {
    // Drop whatever was queued: the session ends with this envelope.
    i.control.clear();
    if (i.ph == impl::phase::hello && !i.hello_written) {
      // The server must know which session to end: resume it first.
      std::string hello;
      protocol::append_hello(hello, {.auth = i.opt.auth,
                                     .resume = true,
                                     .sid = i.sid,
                                     .ticket = i.ticket,
                                     .ack = i.in.last()});
      i.control.push_back(std::move(hello));
      i.hello_written = true;
    }
    std::string env;
    protocol::append_close(env, 1000, "bye");
    i.control.push_back(std::move(env));
    i.closing = true;
  }
  i.sid.clear();
  i.ticket.clear();
  i.unacked.clear();
  i.ops.clear();
  i.next_c = 1;
  i.in.reset();
  i.ack_now = false;
  i.acks.sent();
}

std::string_view client_core::sid() const {
  return impl_->sid;
}
std::uint64_t client_core::last_seq() const {
  return impl_->in.last();
}
std::size_t client_core::pending() const {
  return impl_->unacked.size();
}
std::chrono::milliseconds client_core::heartbeat() const {
  return impl_->hb;
}

}  // namespace resock::core
