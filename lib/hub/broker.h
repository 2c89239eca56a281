// The broker: the one seam between a node and whatever holds shared state
// (DESIGN.md "One process, then a cluster"). server_core keeps channel
// fan-out, replay logs and session state behind this interface only, so a
// Redis broker (pub/sub, streams, keys with TTL) replaces the in-process
// one without touching the core.
//
// Calls that a network broker must answer later take a callback; the
// in-process broker calls it before returning, and the core is written so
// either order works. All calls on the loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "session/payload.h"
#include "session/replay_buffer.h"

namespace resock::core {

using session::payload_ptr;
using session::replay_bounds;
using session::replay_entry;

// What survives a detach, a resume on another node, or an ended session
// (as a tombstone) for the TTL.
struct session_state {
  std::string sid;
  std::string identity;
  std::vector<std::string> channels;       // rights: names and "prefix:*"; empty = all
  std::vector<std::string> subscriptions;  // channels the session is subscribed to
  std::uint64_t next_s = 1;                // seq of the next server message
  std::uint64_t acked_s = 0;               // highest server seq the client acked
  std::uint64_t last_c = 0;                // highest client seq processed
  // While detached: when the session expires; max() while attached. For a
  // tombstone: when it is forgotten.
  std::chrono::steady_clock::time_point expiry = std::chrono::steady_clock::time_point::max();
  std::string lost;  // non-empty: a tombstone, the session ended ("expired", "overflow")
};

// What replay logs hold (for monitoring and the backend API).
struct replay_usage {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;  // payload bytes, a shared body counted per log
};

enum class append_status : std::uint8_t {
  ok,
  overflow,  // a replay bound would be exceeded: nothing appended
};

class broker {
 public:
  virtual ~broker() = default;

  // --- Fan-out ------------------------------------------------------------
  // Where publishes to channels this node subscribed arrive (from this node
  // or, for a network broker, from others). Set once by the core.
  using delivery_fn = std::function<void(std::string_view channel, const payload_ptr& body)>;
  virtual void set_delivery(delivery_fn fn) = 0;
  // Node-level membership: this node has at least one local session on
  // `channel` (or none any more).
  virtual void subscribe(std::string_view channel) = 0;
  virtual void unsubscribe(std::string_view channel) = 0;
  // Publishes an encoded body (protocol::make_msg_body) to every node
  // subscribed to `channel`, this one included.
  virtual void publish(std::string_view channel, payload_ptr body) = 0;

  // --- Session state ------------------------------------------------------
  virtual void save(const session_state& state) = 0;
  // Calls `done` with the state of `sid` (or its tombstone), or null when
  // unknown or a tombstone past its TTL; the pointer is valid during the
  // call only. A detached session past its expiry is still returned: the
  // core expires it (disconnect hook) before answering the resume.
  virtual void load(std::string_view sid, std::function<void(const session_state*)> done) = 0;
  // Forgets the state and the replay log of `sid`.
  virtual void erase(std::string_view sid) = 0;

  // --- Replay log -----------------------------------------------------------
  // Appends to the log of `sid`, refusing when `bounds` would be exceeded.
  // Synchronous on purpose: it runs per message and subscriber, and the
  // node that owns an attached session is the only writer of its log, so a
  // network broker can keep the counts locally and write behind.
  [[nodiscard]] virtual append_status append(std::string_view sid, replay_entry entry,
                                             const replay_bounds& bounds) = 0;
  // Calls `done` with the first retained seq (0 when the log is empty) and
  // the entries with seq > after, in order.
  virtual void read(
      std::string_view sid, std::uint64_t after,
      std::function<void(std::uint64_t first, std::vector<replay_entry> entries)> done) = 0;
  // Drops entries with seq <= upto (the client acked them).
  virtual void trim(std::string_view sid, std::uint64_t upto) = 0;
  // The log of one session, and all logs this node holds (kept as running
  // totals: /metrics must not walk every session).
  [[nodiscard]] virtual replay_usage replay_of(std::string_view sid) const = 0;
  [[nodiscard]] virtual replay_usage replay_total() const = 0;
};

}  // namespace resock::core
