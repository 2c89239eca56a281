// What the WebSocket server and client share about libwebsockets itself:
// its log (routed to stderr, and captured while a context is created so
// that a failure can say why), and the permessage-deflate offer. Private
// to transports/websocket/.
#pragma once

#include <libwebsockets.h>

#include <string>

struct uv_loop_s;

namespace resock::ws {

// Captures lws' error and warning lines logged on this thread while alive
// (lws_create_context() returns NULL without a reason: STYLE.md 7).
class lws_log_capture {
 public:
  lws_log_capture();
  ~lws_log_capture();
  lws_log_capture(const lws_log_capture&) = delete;
  lws_log_capture& operator=(const lws_log_capture&) = delete;
  // The captured lines, newlines folded to "; ", or "no reason logged".
  [[nodiscard]] std::string text() const;

 private:
  std::string lines_;
  lws_log_capture* previous_;
};

// What an lws context's user pointer points to. It outlives the transport
// object that owns the context, so a callback that lws makes while it
// finishes its teardown finds `self` null instead of a destroyed object.
struct context_owner {
  void* self = nullptr;
};

// Destroys `context` (created on the foreign `loop` with `owner` as its
// user pointer). `owner` is detached at once, so lws calls back nobody
// from here on: the caller reports its open connections closed itself.
// lws_context_destroy() then runs from a loop callback, even when this is
// called from a destructor outside uv_run(): lws 4.1.6 destroyed outside
// the loop closes its event pipe under a live libuv poll, and libuv aborts
// (EBADF from epoll_ctl) on the next turn. lws then closes its handles as
// the loop runs, so uv_run() can return; the loop must run afterwards.
//
// lws 4.1.6 with a foreign libuv loop never frees the context itself: that
// takes a second lws_context_destroy() once its handles are closed, and
// from inside the loop that second call frees memory its timer still uses
// (valgrind: use-after-free a loop turn later; clean only after uv_run()
// returned). So the context (about 0.3-0.6 MB) and `owner` stay allocated,
// once per server or client object, never per connection.
void destroy_context(lws_context* context, context_owner* owner, uv_loop_s* loop);

// The extension table both sides offer: permessage-deflate (RFC 7692).
[[nodiscard]] const lws_extension* deflate_extensions() noexcept;

// The close code and reason of a close frame payload (RFC 6455 5.5.1);
// 1005 (no status) when the payload has no code.
struct close_frame {
  std::uint16_t code = 1005;
  std::string reason;
};
[[nodiscard]] close_frame parse_close_payload(const void* in, std::size_t len);

// lws_close_reason() with a reason truncated to what a close frame holds.
void set_close_reason(lws* wsi, std::uint16_t code, std::string_view reason) noexcept;

}  // namespace resock::ws
