// The server messages of one session that the client has not acked yet,
// bounded by count and bytes (DESIGN.md "Delivery contract"). A push that
// would break a bound is refused: the caller then declares the session
// lost ("overflow"), since dropping a message silently would break the
// exactly-once contract.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "session/fifo.h"
#include "session/payload.h"

namespace resock::session {

struct replay_bounds {
  std::size_t max_messages = 10000;
  std::size_t max_bytes = 8u << 20;  // counting the shared body bytes
};

class replay_buffer {
 public:
  // Appends `entry`; its seq must be last_seq() + 1 (or anything when
  // empty). False, and nothing changes, when a bound would be exceeded.
  [[nodiscard]] bool push(replay_entry entry, const replay_bounds& bounds);
  // Drops every entry with seq <= upto (a cumulative ack).
  void trim(std::uint64_t upto);
  // Copies of the entries with seq > after, in order (for a resume: shared
  // bodies, so the copy costs one reference count each).
  [[nodiscard]] std::vector<replay_entry> after(std::uint64_t after) const;

  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }
  // Seq of the oldest retained entry; 0 when empty.
  [[nodiscard]] std::uint64_t first_seq() const noexcept {
    return entries_.empty() ? 0 : entries_.front().seq;
  }
  [[nodiscard]] std::uint64_t last_seq() const noexcept {
    return entries_.empty() ? 0 : entries_.back().seq;
  }
  void clear() noexcept;

 private:
  fifo<replay_entry> entries_;
  std::size_t bytes_ = 0;
};

}  // namespace resock::session
