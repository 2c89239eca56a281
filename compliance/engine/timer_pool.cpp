#include "compliance/engine/timer_pool.h"

#include <cmath>

namespace resock::conformance::engine_detail {

timer_pool::id timer_pool::start(double seconds, std::function<void()> fn) {
  if (shut_) return 0;
  timers_.emplace_back();
  timer& t = timers_.back();
  t.self = std::prev(timers_.end());
  t.fn = std::move(fn);
  t.pool = this;
  t.number = next_++;
  uv_timer_init(loop_, &t.handle);
  t.handle.data = &t;
  const double ms = seconds <= 0 ? 0 : std::ceil(seconds * 1000.0);
  uv_timer_start(&t.handle, &timer_pool::on_fire, static_cast<std::uint64_t>(ms), 0);
  return t.number;
}

void timer_pool::cancel(id which) {
  for (timer& t : timers_) {
    if (t.number == which) {
      close(t);
      return;
    }
  }
}

void timer_pool::close_all() {
  shut_ = true;
  for (timer& t : timers_)
    close(t);
}

void timer_pool::close(timer& t) {
  if (t.closing) return;
  t.closing = true;
  uv_timer_stop(&t.handle);
  uv_close(reinterpret_cast<uv_handle_t*>(&t.handle), &timer_pool::on_closed);
}

void timer_pool::on_fire(uv_timer_t* handle) {
  auto* t = static_cast<timer*>(handle->data);
  // Move the callback out first: it may start or cancel timers, and the
  // entry itself is released by the close below.
  std::function<void()> fn = std::move(t->fn);
  t->pool->close(*t);
  if (fn) fn();
}

void timer_pool::on_closed(uv_handle_t* handle) {
  auto* t = static_cast<timer*>(handle->data);
  t->pool->timers_.erase(t->self);
}

}  // namespace resock::conformance::engine_detail
