// Uses the installed resock::resock: embeds a server on its own libuv
// loop, listens on a free port, connects a resock::client to it, and
// stops both once the session is up. Exit 0 on success.
#include <uv.h>

#include <resock/client.h>
#include <resock/server.h>
#include <cstdio>
#include <string>

int main() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  int rc = 1;
  {
    resock::server srv(&loop, {.listen = "127.0.0.1:0"});
    if (auto ec = srv.start()) {
      std::printf("consumer_server: start: %s\n", ec.message().c_str());
      return 1;
    }
    std::string url = "ws://127.0.0.1:" + std::to_string(srv.port()) + "/rs/ws";
    resock::client cli(&loop, {.url = url});
    cli.on_event([&](const resock::client_event& e) {
      if (e.type == resock::client_event::kind::connected) {
        std::printf("consumer_server: session %.*s up\n", static_cast<int>(e.sid.size()),
                    e.sid.data());
        rc = 0;
        cli.stop();
      } else if (e.type == resock::client_event::kind::closed) {
        srv.stop();
      }
    });
    if (auto ec = cli.start()) {
      std::printf("consumer_server: client start: %s\n", ec.message().c_str());
      srv.stop();
    }
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return rc;
}
