// A repeating libuv timer that calls a function; the handle is freed by
// its close callback, so a ticker may be destroyed while the loop still
// runs (the pool's destructor runs the loop once more for the close).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <utility>

namespace load {

class ticker {
 public:
  ticker(uv_loop_t* loop, std::uint64_t every_ms, std::function<void()> fn)
      : h_(new handle{{}, std::move(fn)}) {
    uv_timer_init(loop, &h_->timer);
    h_->timer.data = h_;
    uv_timer_start(
        &h_->timer, [](uv_timer_t* t) { static_cast<handle*>(t->data)->fn(); }, every_ms, every_ms);
  }
  ~ticker() {
    uv_close(reinterpret_cast<uv_handle_t*>(&h_->timer),
             [](uv_handle_t* h) { delete static_cast<handle*>(h->data); });
  }
  ticker(const ticker&) = delete;
  ticker& operator=(const ticker&) = delete;

 private:
  struct handle {
    uv_timer_t timer;
    std::function<void()> fn;
  };
  handle* h_;
};

}  // namespace load
