// server_core: direct sends, channel publishes and the per-session replay
// log. A payload is encoded once (protocol::make_msg_body) into a shared
// buffer; every session it reaches holds {seq, same buffer}, and only the
// short per-session head is written at writable() time.
#include <memory>

#include "core/server_core_impl.h"
#include "protocol/encode.h"
#include "protocol/json_scan.h"

namespace resock::core {

bool server_core::impl::enqueue(server_session& s, const payload_ptr& body) {
  if (s.ended) return false;
  replay_entry entry{s.next_s, body};
  replay_bounds bounds{opt.replay_max_messages, opt.replay_max_bytes};
  if (brk->append(s.sid, entry, bounds) == append_status::overflow) {
    log("event=lost sid=" + s.sid + " reason=overflow");
    end_session(s, end_reason::replay_overflow, "overflow", 4001, "replay overflow");
    return false;
  }
  ++s.next_s;
  ++stats.messages_out;
  if (s.conn != nullptr && !s.conn->ending) {
    bool was_empty = s.outbox.empty();
    s.outbox.push_back(std::move(entry));
    // One want_write per burst: the transport keeps pulling until empty.
    if (was_empty) s.conn->l->want_write();
  }
  return true;
}

send_status server_core::impl::send(std::string_view sid, std::string_view data) {
  auto it = sessions.find(sid);
  if (it == sessions.end() || it->second->ended) return send_status::dropped;
  if (!protocol::is_valid_json(data)) {
    log("event=drop sid=" + std::string(sid) + " reason=invalid_json");
    return send_status::dropped;
  }
  server_session& s = *it->second;
  auto body = std::make_shared<const std::string>(protocol::make_msg_body({}, data));
  ++stats.payload_encodings;
  if (!enqueue(s, body)) return send_status::dropped;
  // Above half of a replay bound the client is falling behind: say so
  // before the bound ends the session.
  std::uint64_t unacked = s.next_s - 1 - s.acked_s;
  return unacked * 2 > opt.replay_max_messages ? send_status::backpressure : send_status::ok;
}

std::size_t server_core::impl::publish(std::string_view channel, std::string_view data,
                                       bool binary) {
  ++stats.publishes;
  if (channel.empty() || channel.size() > protocol::kMaxNameSize) return 0;
  // Decoded client data is already valid; application data is checked
  // here once, not per subscriber.
  if (!binary && !protocol::is_valid_json(data)) {
    log("event=drop ch=" + std::string(channel) + " reason=invalid_json");
    return 0;
  }
  auto body = std::make_shared<const std::string>(protocol::make_msg_body(channel, data, binary));
  ++stats.payload_encodings;
  std::size_t saved = fanout_count;
  fanout_count = 0;
  brk->publish(channel, std::move(body));
  std::size_t reached = fanout_count;
  fanout_count = saved;
  return reached;
}

void server_core::impl::deliver(std::string_view channel, const payload_ptr& body) {
  // A copy of the member list: an overflow ends a session, which leaves
  // its channels while we iterate. Pointers stay valid (sessions are freed
  // when the outermost call returns).
  std::vector<server_session*> members = channels.members(channel);
  for (server_session* s : members) {
    if (enqueue(*s, body)) ++fanout_count;
  }
}

}  // namespace resock::core
