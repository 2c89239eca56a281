#include "loop_timer.h"

#include <uv.h>

namespace resock {

struct loop_timer::node {
  uv_timer_t handle{};
  std::function<void()> fire;
  bool closed = false;
};

int loop_timer::init(uv_loop_s* loop, std::function<void()> fire) {
  close();
  auto* n = new node;
  if (int rc = uv_timer_init(loop, &n->handle); rc != 0) {
    delete n;  // an uninitialised handle is not in the loop: plain delete
    return rc;
  }
  n->fire = std::move(fire);
  n->handle.data = n;
  node_ = n;
  return 0;
}

void loop_timer::start(std::chrono::milliseconds delay, std::chrono::milliseconds repeat) {
  if (!node_) return;
  auto d = delay.count() < 0 ? 0 : static_cast<std::uint64_t>(delay.count());
  auto r = repeat.count() < 0 ? 0 : static_cast<std::uint64_t>(repeat.count());
  uv_timer_start(
      &node_->handle,
      [](uv_timer_t* t) {
        auto* n = static_cast<node*>(t->data);
        // `fire` may close this timer; the node lives until the close
        // callback, so only the flag is checked afterwards.
        if (!n->closed && n->fire) n->fire();
      },
      d, r);
}

void loop_timer::stop() noexcept {
  if (node_) uv_timer_stop(&node_->handle);
}

bool loop_timer::active() const noexcept {
  return node_ && uv_is_active(reinterpret_cast<const uv_handle_t*>(&node_->handle));
}

void loop_timer::close() noexcept {
  if (!node_) return;
  node_->closed = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&node_->handle),
           [](uv_handle_t* h) { delete static_cast<node*>(h->data); });
  node_ = nullptr;
}

}  // namespace resock
