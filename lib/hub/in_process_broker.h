// The default broker: everything in this process's memory, callbacks run
// before the call returns. What resockd uses out of the box and what the
// tests use.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "hub/broker.h"

namespace resock::core {

class in_process_broker final : public broker {
 public:
  using clock_fn = std::function<std::chrono::steady_clock::time_point()>;
  // `now` decides when states pass their expiry (tests pass a fake clock).
  explicit in_process_broker(clock_fn now = [] { return std::chrono::steady_clock::now(); });

  void set_delivery(delivery_fn fn) override { delivery_ = std::move(fn); }
  void subscribe(std::string_view channel) override;
  void unsubscribe(std::string_view channel) override;
  void publish(std::string_view channel, payload_ptr body) override;

  void save(const session_state& state) override;
  void load(std::string_view sid, std::function<void(const session_state*)> done) override;
  void erase(std::string_view sid) override;

  [[nodiscard]] append_status append(std::string_view sid, replay_entry entry,
                                     const replay_bounds& bounds) override;
  void read(
      std::string_view sid, std::uint64_t after,
      std::function<void(std::uint64_t first, std::vector<replay_entry> entries)> done) override;
  void trim(std::string_view sid, std::uint64_t upto) override;
  [[nodiscard]] replay_usage replay_of(std::string_view sid) const override;
  [[nodiscard]] replay_usage replay_total() const override { return total_; }

  // For tests: how many states (tombstones included) and logs are held.
  [[nodiscard]] std::size_t state_count() const noexcept { return states_.size(); }
  [[nodiscard]] std::size_t log_count() const noexcept { return logs_.size(); }

 private:
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  template <class V>
  using map = std::unordered_map<std::string, V, hash, std::equal_to<>>;

  // Forgets states whose expiry passed (lazily, on save and load).
  void sweep();

  clock_fn now_;
  delivery_fn delivery_;
  std::unordered_set<std::string, hash, std::equal_to<>> channels_;
  map<session_state> states_;
  map<session::replay_buffer> logs_;
  replay_usage total_;  // the sum over logs_
  std::chrono::steady_clock::time_point next_sweep_{};
};

}  // namespace resock::core
