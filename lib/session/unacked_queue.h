// The client's outgoing messages the server has not acked: each kept as
// its encoded envelope so a resume resends the same bytes (same "c"). A
// cursor marks what the current connection has already written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>

namespace resock::session {

class unacked_queue {
 public:
  struct entry {
    std::uint64_t c = 0;
    std::string envelope;
  };

  void push(std::uint64_t c, std::string envelope) { entries_.push_back({c, std::move(envelope)}); }
  // Drops entries with c <= upto; returns how many.
  std::size_t ack(std::uint64_t upto) {
    std::size_t n = 0;
    while (!entries_.empty() && entries_.front().c <= upto) {
      entries_.pop_front();
      ++n;
    }
    sent_ = sent_ > n ? sent_ - n : 0;
    return n;
  }
  // The next entry the current connection has not written, or null.
  [[nodiscard]] const entry* next_unsent() const noexcept {
    return sent_ < entries_.size() ? &entries_[sent_] : nullptr;
  }
  void mark_sent() noexcept { ++sent_; }
  // A new connection: everything is to be written again.
  void rewind() noexcept { sent_ = 0; }
  // Entries ever written on some connection (they may have been processed).
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }
  [[nodiscard]] std::uint64_t last_c() const noexcept {
    return entries_.empty() ? 0 : entries_.back().c;
  }
  void clear() noexcept {
    entries_.clear();
    sent_ = 0;
  }

 private:
  std::deque<entry> entries_;
  std::size_t sent_ = 0;
};

}  // namespace resock::session
