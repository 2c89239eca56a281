// A libuv timer whose memory the loop owns once it is closed: the owner
// may be destroyed right after close() even if the loop never runs again
// in between, and uv_loop_close() still sees every handle finished once
// the loop has run. The transports' timers (ticks, retries, deferred lws
// teardown) are all of this kind.
#pragma once

#include <chrono>
#include <functional>

struct uv_loop_s;

namespace resock {

class loop_timer {
 public:
  loop_timer() = default;
  ~loop_timer() { close(); }
  loop_timer(const loop_timer&) = delete;
  loop_timer& operator=(const loop_timer&) = delete;

  // Creates the handle; returns 0 or a libuv error (negative errno).
  [[nodiscard]] int init(uv_loop_s* loop, std::function<void()> fire);
  // (Re)arms: first after `delay`, then every `repeat` (0: once).
  void start(std::chrono::milliseconds delay, std::chrono::milliseconds repeat = {});
  void stop() noexcept;
  [[nodiscard]] bool active() const noexcept;
  // Closes the handle; fire never runs again. Safe to call twice.
  void close() noexcept;
  [[nodiscard]] bool open() const noexcept { return node_ != nullptr; }

 private:
  struct node;
  node* node_ = nullptr;
};

}  // namespace resock
