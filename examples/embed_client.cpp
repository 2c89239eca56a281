// embed_client: a session client embedded in a program, on the program's
// own libuv loop. It connects to embed_server, subscribes to "chat", sends
// {"text":"hello from embed_client"} to the server's "shout" route, prints
// every event it receives, and exits once its own message came back
// (shouted) on the channel. With --expect-refused it instead exits 0 when
// the server refuses it (run it with --auth banned).
//
//   embed_client [--url ws://127.0.0.1:8080/rs/ws] [--auth TOKEN] [--expect-refused]
#include <uv.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "resock/client.h"

namespace {

const char* kind_name(resock::client_event::kind k) {
  switch (k) {
    case resock::client_event::kind::connecting:
      return "connecting";
    case resock::client_event::kind::connected:
      return "connected";
    case resock::client_event::kind::resumed:
      return "resumed";
    case resock::client_event::kind::lost:
      return "lost";
    case resock::client_event::kind::message:
      return "message";
    case resock::client_event::kind::error:
      return "error";
    case resock::client_event::kind::closed:
      return "closed";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  resock::client_options options;
  options.url = "ws://127.0.0.1:8080/rs/ws";
  bool expect_refused = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--url") && i + 1 < argc) {
      options.url = argv[++i];
    } else if (!std::strcmp(argv[i], "--auth") && i + 1 < argc) {
      options.auth = argv[++i];
    } else if (!std::strcmp(argv[i], "--expect-refused")) {
      expect_refused = true;
    } else {
      std::fprintf(stderr, "usage: %s [--url URL] [--auth TOKEN] [--expect-refused]\n", argv[0]);
      return 2;
    }
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  resock::client client(&loop, options);
  int result = 1;

  // Gives up after 10 s rather than retrying forever.
  uv_timer_t deadline;
  uv_timer_init(&loop, &deadline);
  deadline.data = &client;
  uv_timer_start(
      &deadline,
      [](uv_timer_t* t) {
        std::printf("timed out\n");
        static_cast<resock::client*>(t->data)->stop();
      },
      10000, 0);

  client.on_event([&](const resock::client_event& e) {
    std::printf("%s", kind_name(e.type));
    if (!e.sid.empty()) std::printf(" sid=%.*s", static_cast<int>(e.sid.size()), e.sid.data());
    if (e.type == resock::client_event::kind::message)
      std::printf(" seq=%llu channel=%.*s data=%.*s", static_cast<unsigned long long>(e.seq),
                  static_cast<int>(e.channel.size()), e.channel.data(),
                  static_cast<int>(e.data.size()), e.data.data());
    if (!e.code.empty()) std::printf(" code=%.*s", static_cast<int>(e.code.size()), e.code.data());
    if (!e.reason.empty())
      std::printf(" reason=\"%.*s\"", static_cast<int>(e.reason.size()), e.reason.data());
    if (e.type == resock::client_event::kind::connecting)
      std::printf(" attempt=%u delay_ms=%u", e.attempt, e.delay_ms);
    std::printf("\n");
    std::fflush(stdout);

    switch (e.type) {
      case resock::client_event::kind::connected:
        // The subscription is sent right after the welcome, so it is in
        // place before the server handles this.
        client.send("shout", R"({"text":"hello from embed_client"})");
        break;
      case resock::client_event::kind::message:
        if (e.channel == "chat" &&
            e.data.find("HELLO FROM EMBED_CLIENT") != std::string_view::npos) {
          std::printf("got my own message back\n");
          result = expect_refused ? 1 : 0;
          client.stop();
        }
        break;
      case resock::client_event::kind::error:
        if (expect_refused && e.code == "forbidden") {
          std::printf("refused, as expected\n");
          result = 0;
          client.stop();
        }
        break;
      case resock::client_event::kind::closed:
        // The client's handles are closing; with the deadline gone too,
        // uv_run() returns.
        uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
        break;
      default:
        break;
    }
  });
  client.subscribe("chat");
  if (auto ec = client.start()) {
    std::fprintf(stderr, "embed_client: %s\n", ec.message().c_str());
    return 1;
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  return uv_loop_close(&loop) == 0 ? result : 1;
}
