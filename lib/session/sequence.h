// Inbound sequence numbers, the same rule on both sides: the server checks
// the client's "c", the client checks the server's "s". At or below the
// last accepted: a duplicate (a resend after resume) — dropped but still
// acked; the next one: accepted; beyond it: a gap, which an ordered
// transport cannot produce, so it is never skipped.
#pragma once

#include <cstdint>

namespace resock::session {

enum class seq_verdict : std::uint8_t { duplicate, next, gap };

class inbound_sequence {
 public:
  [[nodiscard]] seq_verdict classify(std::uint64_t n) const noexcept {
    if (n <= last_) return seq_verdict::duplicate;
    return n == last_ + 1 ? seq_verdict::next : seq_verdict::gap;
  }
  // Records `n` as accepted (call after classify said next).
  void accept(std::uint64_t n) noexcept { last_ = n; }
  [[nodiscard]] std::uint64_t last() const noexcept { return last_; }
  void reset(std::uint64_t last = 0) noexcept { last_ = last; }

 private:
  std::uint64_t last_ = 0;
};

}  // namespace resock::session
