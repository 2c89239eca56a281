// When to send a cumulative ack: after `every` unacked receipts or
// `interval` after the first of them, whichever comes first. Acks cost a
// message each way, so they are batched; the interval bounds how long the
// peer keeps a message it could already drop.
#pragma once

#include <chrono>
#include <cstddef>

namespace resock::session {

class ack_policy {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  ack_policy() = default;
  ack_policy(std::size_t every, std::chrono::milliseconds interval) noexcept
      : every_(every == 0 ? 1 : every), interval_(interval) {}

  // Something arrived that should be acked (a message, or a duplicate whose
  // sender evidently missed our ack).
  void received(time_point now) noexcept {
    if (pending_ == 0) first_ = now;
    ++pending_;
  }
  // True when an ack should go out now.
  [[nodiscard]] bool due(time_point now) const noexcept {
    return pending_ != 0 && (pending_ >= every_ || now - first_ >= interval_);
  }
  [[nodiscard]] bool pending() const noexcept { return pending_ != 0; }
  // When the interval runs out (time_point::max() when nothing is pending).
  [[nodiscard]] time_point deadline() const noexcept {
    return pending_ == 0 ? time_point::max() : first_ + interval_;
  }
  // An ack was written.
  void sent() noexcept { pending_ = 0; }

 private:
  std::size_t every_ = 64;
  std::chrono::milliseconds interval_{100};
  std::size_t pending_ = 0;
  time_point first_{};
};

}  // namespace resock::session
