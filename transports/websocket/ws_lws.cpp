#include "websocket/ws_lws.h"

#include <cstdio>
#include <cstring>
#include <mutex>

#include <uv.h>

namespace resock::ws {
namespace {

thread_local lws_log_capture* t_capture = nullptr;
thread_local std::string* t_capture_lines = nullptr;

// lws logs from its service thread, which is ours (the loop thread), so
// the capture is per thread.
void emit(int level, const char* line) {
  if (t_capture_lines && (level & (LLL_ERR | LLL_WARN))) {
    std::string_view l(line);
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
      l.remove_suffix(1);
    if (!t_capture_lines->empty()) t_capture_lines->append("; ");
    t_capture_lines->append(l);
  }
  lwsl_emit_stderr(level, line);
}

void install_log_once() {
  static std::once_flag once;
  // Errors and warnings only: lws' notices (one banner per context) are
  // noise for an embedding application.
  std::call_once(once, [] { lws_set_log_level(LLL_ERR | LLL_WARN, emit); });
}

const lws_extension k_extensions[] = {
    {"permessage-deflate", lws_extension_callback_pm_deflate,
     "permessage-deflate; client_no_context_takeover; client_max_window_bits"},
    {nullptr, nullptr, nullptr},
};

}  // namespace

lws_log_capture::lws_log_capture() : previous_(t_capture) {
  install_log_once();
  t_capture = this;
  t_capture_lines = &lines_;
}

lws_log_capture::~lws_log_capture() {
  t_capture = previous_;
  t_capture_lines = previous_ ? &previous_->lines_ : nullptr;
}

std::string lws_log_capture::text() const {
  return lines_.empty() ? "no reason logged" : lines_;
}

void destroy_context(lws_context* context, context_owner* owner, uv_loop_s* loop) {
  owner->self = nullptr;  // from here on lws' callbacks reach nobody
  struct reaper {
    uv_timer_t timer;
    lws_context* context;
  };
  auto* r = new reaper{{}, context};
  r->timer.data = r;
  if (uv_timer_init(loop, &r->timer) != 0) {
    delete r;  // cannot happen on a live loop: better a leak than a crash
    return;
  }
  uv_timer_start(
      &r->timer,
      [](uv_timer_t* t) {
        auto* rp = static_cast<reaper*>(t->data);
        lws_context_destroy(rp->context);
        uv_close(reinterpret_cast<uv_handle_t*>(t),
                 [](uv_handle_t* h) { delete static_cast<reaper*>(h->data); });
      },
      0, 0);
}

const lws_extension* deflate_extensions() noexcept {
  return k_extensions;
}

close_frame parse_close_payload(const void* in, std::size_t len) {
  close_frame out;
  if (!in || len < 2) return out;
  const auto* p = static_cast<const unsigned char*>(in);
  out.code = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
  out.reason.assign(reinterpret_cast<const char*>(p + 2), len - 2);
  return out;
}

void set_close_reason(lws* wsi, std::uint16_t code, std::string_view reason) noexcept {
  // 125 bytes of control payload minus the 2-byte code.
  unsigned char buf[123];
  std::size_t n = reason.size() < sizeof(buf) ? reason.size() : sizeof(buf);
  // Never cut a UTF-8 sequence: the peer must fail a close reason that is
  // not valid UTF-8 (RFC 6455 7.1.6).
  while (n < reason.size() && n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80)
    --n;
  std::memcpy(buf, reason.data(), n);
  lws_close_reason(wsi, static_cast<lws_close_status>(code), buf, n);
}

}  // namespace resock::ws
