#include "fallback/backoff.h"

#include <algorithm>

namespace resock::fallback {

std::chrono::milliseconds backoff_bound(std::chrono::milliseconds min,
                                        std::chrono::milliseconds max,
                                        std::uint32_t retry) noexcept {
  if (min.count() <= 0) return std::chrono::milliseconds{0};
  if (max < min) max = min;
  // Doubling past max is pointless; stop before the shift can overflow.
  std::int64_t bound = min.count();
  for (std::uint32_t i = 0; i < retry && bound < max.count(); ++i)
    bound *= 2;
  return std::chrono::milliseconds{std::min<std::int64_t>(bound, max.count())};
}

backoff::backoff(std::chrono::milliseconds min, std::chrono::milliseconds max)
    : min_(min), max_(max), rng_(std::random_device{}()) {}

std::chrono::milliseconds backoff::next() {
  auto bound = backoff_bound(min_, max_, retry_);
  if (retry_ < UINT32_MAX) ++retry_;
  std::uniform_int_distribution<std::int64_t> pick(0, bound.count());
  return std::chrono::milliseconds{pick(rng_)};
}

}  // namespace resock::fallback
