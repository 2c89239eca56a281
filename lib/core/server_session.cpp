// server_core: the life of a session after its welcome (detach, end) and
// the envelopes it handles (msg, ack, sub, unsub).
#include <utility>

#include "core/server_core_impl.h"
#include "hub/rights.h"
#include "protocol/encode.h"

namespace resock::core {

using protocol::error;
using protocol::type;

session_state server_core::impl::state_of(const server_session& s) const {
  session_state st;
  st.sid = s.sid;
  st.identity = s.identity;
  st.channels = s.rights;
  st.subscriptions = s.subscriptions;
  st.next_s = s.next_s;
  st.acked_s = s.acked_s;
  st.last_c = s.in.last();
  st.expiry = s.conn ? clock_type::time_point::max() : s.expiry;
  return st;
}

void server_core::impl::detach(server_session& s, std::uint16_t code) {
  if (s.ended || s.conn == nullptr) return;
  s.conn->s = nullptr;
  s.conn = nullptr;
  s.outbox.clear();  // the replay log keeps them for the resume
  s.ack_now = false;
  s.acks.sent();  // the welcome of the resume carries the ack
  s.expiry = now() + opt.session_ttl;
  brk->save(state_of(s));
  log("event=detach sid=" + s.sid + " code=" + std::to_string(code));
}

void server_core::impl::end_session(server_session& s, end_reason why, std::string_view lost,
                                    std::uint16_t close_code, std::string_view close_reason) {
  if (s.ended) return;
  s.ended = true;
  for (const auto& ch : s.subscriptions) {
    if (channels.leave(ch, &s).last) brk->unsubscribe(ch);
  }
  if (s.conn) {
    connection& c = *s.conn;
    c.s = nullptr;
    s.conn = nullptr;
    // A client that closed needs no close envelope back.
    end_connection(c, close_code, close_reason, why != end_reason::closed_by_client);
  }
  s.outbox.clear();
  brk->erase(s.sid);
  if (!lost.empty()) {
    session_state tomb = state_of(s);
    tomb.subscriptions.clear();
    tomb.lost = std::string(lost);
    tomb.expiry = now() + opt.session_ttl;
    brk->save(tomb);
  }
  std::string line = "event=end sid=" + s.sid + " reason=" + std::string(end_reason_name(why));
  if (close_code != 0) line += " code=" + std::to_string(close_code);
  log(line);
  --stats.sessions;
  auto it = sessions.find(s.sid);
  std::unique_ptr<server_session> keep;
  if (it != sessions.end()) {
    keep = std::move(it->second);
    sessions.erase(it);
  }
  // Last: the hook may call back into the core, which now sees the
  // session gone.
  if (disconnect_hook) {
    disconnect_hook(disconnect_info{.sid = s.sid, .identity = s.identity, .reason = why});
  }
  if (keep) retired_sessions.push_back(std::move(keep));
}

void server_core::impl::on_sub(connection& c, server_session& s, const protocol::envelope& e) {
  if (!hub::channel_allowed(s.rights, e.channel)) {
    send_error(c, error::forbidden, "channel not allowed", 0, e.channel);
    return;
  }
  if (channels.join(e.channel, &s).added) {
    s.subscriptions.push_back(e.channel);
    if (channels.members(e.channel).size() == 1) brk->subscribe(e.channel);
    brk->save(state_of(s));
  }
  std::string out;
  protocol::append_channel_op(out, type::suback, e.channel);
  push_control(c, std::move(out));
}

void server_core::impl::on_unsub(connection& c, server_session& s, const protocol::envelope& e) {
  auto r = channels.leave(e.channel, &s);
  if (r.removed) {
    std::erase(s.subscriptions, e.channel);
    if (r.last) brk->unsubscribe(e.channel);
    brk->save(state_of(s));
  }
  std::string out;
  protocol::append_channel_op(out, type::unsuback, e.channel);
  push_control(c, std::move(out));
}

void server_core::impl::on_msg(connection& c, server_session& s, const protocol::envelope& e) {
  auto t = now();
  switch (s.in.classify(e.seq)) {
    case session::seq_verdict::duplicate:
      // A resend of something processed before the drop: drop it, but ack
      // so the client stops resending.
      ++stats.duplicates_in;
      s.acks.received(t);
      if (s.acks.due(t)) {
        s.ack_now = true;
        c.l->want_write();
      }
      return;
    case session::seq_verdict::gap:
      send_error(c, error::bad_envelope, "sequence gap", e.seq);
      return;
    case session::seq_verdict::next:
      break;
  }
  s.in.accept(e.seq);
  ++stats.messages_in;
  s.acks.received(t);
  if (e.has_channel) {
    if (!hub::channel_allowed(s.rights, e.channel)) {
      send_error(c, error::forbidden, "channel not allowed", e.seq, e.channel);
    } else {
      publish(e.channel, e.data, e.binary);
    }
  } else {
    const hub::router::handler* h = routes.find(e.route);
    if (h == nullptr) {
      send_error(c, error::unknown_route, "no handler", e.seq);
    } else {
      // The views stay valid even if the handler ends the session: ended
      // sessions are freed only when the outermost core call returns.
      (*h)(message{.sid = s.sid,
                   .identity = s.identity,
                   .route = e.route,
                   .data = e.data,
                   .binary = e.binary,
                   .seq = e.seq});
    }
  }
  // The handler or the publish may have ended the session or connection.
  if (s.ended || c.gone || c.ending || s.conn != &c) return;
  if (!s.ack_now && s.acks.due(now())) {
    s.ack_now = true;
    c.l->want_write();
  }
}

void server_core::impl::on_ack(connection& c, server_session& s, const protocol::envelope& e) {
  if (e.seq >= s.next_s) {
    send_error(c, error::bad_envelope, "ack of a message never sent");
    return;
  }
  if (e.seq > s.acked_s) {
    s.acked_s = e.seq;
    brk->trim(s.sid, e.seq);
  }
}

}  // namespace resock::core
