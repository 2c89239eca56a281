// A test-only server: the native WebSocket server with /echo on (and
// sessions at /rs/ws) around a server_core, for running the conformance
// suite against the native data path before resockd switches to it.
//
//   native_echo_server [host:port]     (default 127.0.0.1:0)
//
// Prints "PORT <n>" on stdout once listening; SIGINT/SIGTERM stop it.
#include <uv.h>

#include <cstdio>
#include <string>

#include "core/server_core.h"
#include "websocket/native_server.h"

namespace {

struct app {
  uv_loop_t* loop = uv_default_loop();
  resock::core::server_core core{[] {
    resock::core::server_core_options o;
    o.secret = std::string(32, 'k');  // test-only: tickets need not be secret here
    o.log = [](std::string_view) {};
    return o;
  }()};
  std::unique_ptr<resock::ws::native_ws_server> server;
  uv_timer_t tick{};
  uv_signal_t sigint{}, sigterm{};

  void stop() {
    uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
    core.shutdown(1001, "server stopping");
    server->stop();
  }
};

}  // namespace

int main(int argc, char** argv) {
  app a;
  resock::ws::ws_server_options o;
  o.listen = argc > 1 ? argv[1] : "127.0.0.1:0";
  o.echo = true;
  o.log = [](std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
  };
  a.server = std::make_unique<resock::ws::native_ws_server>(a.loop, a.core, std::move(o));
  if (auto ec = a.server->start()) {
    std::fprintf(stderr, "native_echo_server: %s\n", ec.message().c_str());
    return 1;
  }
  uv_timer_init(a.loop, &a.tick);
  a.tick.data = &a;
  uv_timer_start(
      &a.tick, [](uv_timer_t* t) { static_cast<app*>(t->data)->core.tick(); }, 100, 100);
  for (auto* s : {&a.sigint, &a.sigterm}) {
    uv_signal_init(a.loop, s);
    s->data = &a;
  }
  auto on_signal = [](uv_signal_t* s, int) { static_cast<app*>(s->data)->stop(); };
  uv_signal_start_oneshot(&a.sigint, on_signal, SIGINT);
  uv_signal_start_oneshot(&a.sigterm, on_signal, SIGTERM);

  std::printf("PORT %u\n", static_cast<unsigned>(a.server->port()));
  std::fflush(stdout);
  uv_run(a.loop, UV_RUN_DEFAULT);
  a.server.reset();
  return uv_loop_close(a.loop) == 0 ? 0 : 2;
}
