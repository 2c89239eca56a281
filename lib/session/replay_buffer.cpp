#include "session/replay_buffer.h"

#include <utility>

namespace resock::session {

bool replay_buffer::push(replay_entry entry, const replay_bounds& bounds) {
  std::size_t size = entry.body ? entry.body->size() : 0;
  if (entries_.size() + 1 > bounds.max_messages || bytes_ + size > bounds.max_bytes) return false;
  bytes_ += size;
  entries_.push_back(std::move(entry));
  return true;
}

void replay_buffer::trim(std::uint64_t upto) {
  while (!entries_.empty() && entries_.front().seq <= upto) {
    bytes_ -= entries_.front().body ? entries_.front().body->size() : 0;
    entries_.pop_front();
  }
}

std::vector<replay_entry> replay_buffer::after(std::uint64_t after) const {
  std::vector<replay_entry> out;
  // Seqs are consecutive, so the first wanted entry is found by offset.
  std::size_t start = 0;
  if (!entries_.empty() && after >= entries_.front().seq) {
    start = static_cast<std::size_t>(after - entries_.front().seq + 1);
  }
  for (std::size_t i = start; i < entries_.size(); ++i)
    out.push_back(entries_[i]);
  return out;
}

void replay_buffer::clear() noexcept {
  entries_.clear();
  bytes_ = 0;
}

}  // namespace resock::session
