// One-shot libuv timers owned by one case run. Every timer the run starts
// lives here, so the end of the run can close all of them at once and the
// loop closes with no handle left behind.
#pragma once

#include <cstdint>
#include <functional>
#include <list>

#include <uv.h>

namespace resock::conformance::engine_detail {

class timer_pool {
 public:
  using id = std::uint64_t;

  explicit timer_pool(uv_loop_t* loop) : loop_(loop) {}
  timer_pool(const timer_pool&) = delete;
  timer_pool& operator=(const timer_pool&) = delete;
  // The loop must have run until every close callback fired (close_all()
  // then uv_run) before the pool goes away.
  ~timer_pool() = default;

  // Calls `fn` once, `seconds` from now, on the loop thread. Returns an id
  // for cancel(). After close_all() nothing starts and 0 is returned.
  id start(double seconds, std::function<void()> fn);
  // Stops a timer that has not fired yet; unknown or fired ids are ignored.
  void cancel(id which);
  // Stops and closes every timer; later start() calls do nothing.
  void close_all();
  // True while timer handles are still open (closing included).
  [[nodiscard]] bool empty() const noexcept { return timers_.empty(); }

 private:
  struct timer {
    uv_timer_t handle{};
    std::function<void()> fn;
    timer_pool* pool = nullptr;
    id number = 0;
    bool closing = false;
    std::list<timer>::iterator self;
  };

  static void on_fire(uv_timer_t* handle);
  static void on_closed(uv_handle_t* handle);
  void close(timer& t);

  uv_loop_t* loop_;
  std::list<timer> timers_;
  id next_ = 1;
  bool shut_ = false;
};

}  // namespace resock::conformance::engine_detail
