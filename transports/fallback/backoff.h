// Reconnect delays: exponential backoff with full jitter (DESIGN.md,
// "Fallback policy" 4). Full jitter spreads a crowd of clients that lost
// the same server over the whole window instead of letting them return in
// waves, which is what a plain exponential (or "equal jitter") does.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace resock::fallback {

// The upper bound of the n-th retry's window: min(max, min * 2^n).
// Saturates instead of overflowing for large n.
[[nodiscard]] std::chrono::milliseconds backoff_bound(std::chrono::milliseconds min,
                                                      std::chrono::milliseconds max,
                                                      std::uint32_t retry) noexcept;

class backoff {
 public:
  backoff(std::chrono::milliseconds min, std::chrono::milliseconds max);

  // The delay before the next attempt: uniform in [0, backoff_bound(retry)],
  // then counts the retry. The first call after reset() uses retry 0.
  [[nodiscard]] std::chrono::milliseconds next();
  // A connection worked (a session came up): start over.
  void reset() noexcept { retry_ = 0; }
  // Retries since the last reset.
  [[nodiscard]] std::uint32_t retries() const noexcept { return retry_; }

 private:
  std::chrono::milliseconds min_, max_;
  std::uint32_t retry_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace resock::fallback
