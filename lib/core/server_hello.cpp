// server_core: hello, and the two ways it ends — a resumed session (with
// its replay) or a new one (connect hook, welcome).
#include <utility>

#include "core/server_core_impl.h"
#include "protocol/encode.h"
#include "session/session_id.h"

namespace resock::core {

using protocol::error;
using protocol::type;

void server_core::impl::on_hello(connection& c, const protocol::envelope& e) {
  c.hello_done = true;
  // hello.auth wins; the Authorization bearer token is the fallback for
  // clients that authenticate at the HTTP layer.
  std::string_view auth = !e.auth.empty() ? std::string_view(e.auth) : c.authorization();
  if (e.has_resume) {
    resume(c, e, auth);
  } else {
    open_session(c, auth, {});
  }
}

void server_core::impl::resume(connection& c, const protocol::envelope& e, std::string_view auth) {
  std::uint64_t conn_id = c.id;
  std::string sid = e.sid;
  std::string ticket = e.ticket;
  std::uint64_t ack = e.ack;
  std::string auth_copy(auth);
  // The broker may answer later: find the connection again by id.
  brk->load(sid, [this, conn_id, sid, ticket, ack, auth_copy](const session_state* st) {
    auto cit = conns.find(conn_id);
    if (cit == conns.end() || cit->second->gone || cit->second->ending) return;
    connection& conn = *cit->second;
    std::string lost;
    if (st == nullptr) {
      lost = "unknown";
    } else if (!tickets.verify(sid, st->identity, ticket)) {
      // Checked before anything else: a wrong ticket learns nothing about
      // the session and touches nothing.
      lost = "ticket";
    } else if (!st->lost.empty()) {
      lost = st->lost;
    }
    server_session* s = nullptr;
    if (lost.empty()) {
      auto it = sessions.find(sid);
      if (it != sessions.end()) {
        s = it->second.get();
      } else {
        // Known to the broker but not here: a session from another node
        // (cluster) moves to this one.
        auto fresh = std::make_unique<server_session>();
        fresh->sid = st->sid;
        fresh->identity = st->identity;
        fresh->rights = st->channels;
        fresh->next_s = st->next_s;
        fresh->acked_s = st->acked_s;
        fresh->in.reset(st->last_c);
        fresh->acks = session::ack_policy(opt.ack_every, opt.ack_interval);
        fresh->expiry = st->expiry;
        s = fresh.get();
        sessions.emplace(fresh->sid, std::move(fresh));
        ++stats.sessions;
        for (const auto& ch : st->subscriptions) {
          s->subscriptions.push_back(ch);
          if (channels.join(ch, s).first) brk->subscribe(ch);
        }
      }
      if (s->conn == nullptr && s->expiry <= now()) {
        log("event=expire sid=" + s->sid);
        end_session(*s, end_reason::expired, "expired", 0, {});
        lost = "expired";
      } else if (ack >= s->next_s) {
        // The client claims messages this session never sent: its state
        // belongs to something else; never guess.
        lost = "unknown";
      }
    }
    if (!lost.empty()) {
      ++stats.resumes_lost;
      log("event=lost sid=" + sid + " reason=" + lost);
      open_session(conn, auth_copy, lost);
      return;
    }
    if (connect_hook && !auth_copy.empty() && !admit_resume(conn, *s, auth_copy)) return;
    if (ack > s->acked_s) {
      s->acked_s = ack;
      brk->trim(s->sid, ack);
    }
    std::uint64_t sess_conn = conn_id;
    std::string ssid = s->sid;
    brk->read(ssid, ack,
              [this, sess_conn, ssid, ack, auth_copy](std::uint64_t first,
                                                      std::vector<replay_entry> entries) {
                auto cit2 = conns.find(sess_conn);
                auto sit = sessions.find(ssid);
                if (cit2 == conns.end() || cit2->second->gone || cit2->second->ending) return;
                connection& conn2 = *cit2->second;
                if (sit == sessions.end() || sit->second->ended) {
                  ++stats.resumes_lost;
                  open_session(conn2, auth_copy, "unknown");
                  return;
                }
                server_session& s2 = *sit->second;
                // Every seq in (ack, next_s) must still be retained;
                // otherwise the client would skip messages.
                bool needs = ack + 1 < s2.next_s;
                if (needs && (first == 0 || first > ack + 1)) {
                  ++stats.resumes_lost;
                  log("event=lost sid=" + ssid + " reason=overflow");
                  end_session(s2, end_reason::replay_overflow, "overflow", 0, {});
                  open_session(conn2, auth_copy, "overflow");
                  return;
                }
                attach_resumed(conn2, s2, ack, std::move(entries));
              });
  });
}

bool server_core::impl::admit_resume(connection& c, server_session& s, std::string_view auth) {
  // The ticket proves the client once held this session; the credentials
  // it presents now must name the same identity, so that a ticket taken
  // from someone else is useless with the taker's own token.
  connect_result who = connect_hook(connect_request{.sid = s.sid,
                                                    .auth = auth,
                                                    .peer = c.peer,
                                                    .origin = c.origin(),
                                                    .transport = c.kind,
                                                    .resume = true});
  if (c.gone || c.ending || s.ended) return false;  // the hook ended something
  if (who.admit && who.identity == s.identity) {
    s.rights = std::move(who.channels);  // a fresh token may carry new rights
    return true;
  }
  ++stats.resumes_refused;
  const std::string why = !who.admit ? (who.reason.empty() ? "refused" : who.reason)
                                     : "the session belongs to another identity";
  log("event=reject sid=" + s.sid + " peer=" + c.peer + " reason=\"resume: " + why + "\"");
  // The session is untouched: its owner can still resume it.
  send_error(c, error::forbidden, why);
  end_connection(c, 4000, "forbidden", true);
  return false;
}

void server_core::impl::attach_resumed(connection& c, server_session& s, std::uint64_t ack,
                                       std::vector<replay_entry> entries) {
  if (s.conn != nullptr && s.conn != &c) {
    connection& old = *s.conn;
    old.s = nullptr;
    s.conn = nullptr;
    log("event=replaced sid=" + s.sid + " peer=" + old.peer);
    end_connection(old, 4002, "replaced", false);
  }
  s.conn = &c;
  c.s = &s;
  s.expiry = clock_type::time_point::max();
  s.outbox.assign(std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
  ++stats.resumes_ok;
  std::string out;
  protocol::append_welcome(out,
                           {.sid = s.sid,
                            .ticket = tickets.issue(s.sid, s.identity),
                            .heartbeat = static_cast<std::uint64_t>(opt.heartbeat.count()),
                            .resumed = true,
                            .ack = s.in.last(),
                            .lim = {.max_message = opt.max_message_size,
                                    .replay_messages = opt.replay_max_messages,
                                    .replay_bytes = opt.replay_max_bytes,
                                    .ttl = static_cast<std::uint64_t>(opt.session_ttl.count())},
                            .lost = {}});
  // The welcome carries the ack: nothing else is owed.
  s.acks.sent();
  s.ack_now = false;
  push_control(c, std::move(out));
  brk->save(state_of(s));
  log("event=resume sid=" + s.sid + " from=" + std::to_string(ack) + " peer=" + c.peer);
}

void server_core::impl::open_session(connection& c, std::string_view auth, std::string_view lost) {
  std::string sid = session::make_session_id();
  if (sid.empty()) {
    send_error(c, error::internal, "no session id (random source failed)");
    end_connection(c, 4000, "internal error", true);
    return;
  }
  connect_result admitted;
  if (connect_hook) {
    admitted = connect_hook(connect_request{
        .sid = sid, .auth = auth, .peer = c.peer, .origin = c.origin(), .transport = c.kind});
    // The hook may have ended this connection (shutdown inside a hook).
    if (c.gone || c.ending) return;
  }
  if (!admitted.admit) {
    log("event=reject peer=" + c.peer + " reason=" + admitted.reason);
    send_error(c, error::forbidden, admitted.reason.empty() ? "refused" : admitted.reason);
    end_connection(c, 4000, "forbidden", true);
    return;
  }
  auto s = std::make_unique<server_session>();
  s->sid = sid;
  s->identity = std::move(admitted.identity);
  s->rights = std::move(admitted.channels);
  s->acks = session::ack_policy(opt.ack_every, opt.ack_interval);
  s->conn = &c;
  c.s = s.get();
  server_session& ref = *s;
  sessions.emplace(sid, std::move(s));
  ++stats.sessions;
  std::string out;
  protocol::append_welcome(out,
                           {.sid = ref.sid,
                            .ticket = tickets.issue(ref.sid, ref.identity),
                            .heartbeat = static_cast<std::uint64_t>(opt.heartbeat.count()),
                            .resumed = false,
                            .ack = 0,
                            .lim = {.max_message = opt.max_message_size,
                                    .replay_messages = opt.replay_max_messages,
                                    .replay_bytes = opt.replay_max_bytes,
                                    .ttl = static_cast<std::uint64_t>(opt.session_ttl.count())},
                            .lost = lost});
  push_control(c, std::move(out));
  brk->save(state_of(ref));
  log("event=welcome sid=" + ref.sid + " identity=" + ref.identity +
      " resumed=false peer=" + c.peer + " transport=" + std::string(transport_name(c.kind)));
}

}  // namespace resock::core
