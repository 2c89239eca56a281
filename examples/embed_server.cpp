// embed_server: a chat server embedded in a program, on the program's own
// libuv loop. It shows
//   - admission in the style of API Gateway's $connect: on_connect refuses
//     a client whose auth is "banned" and names everyone else;
//   - a custom route, "shout", whose handler publishes the upper-cased text
//     to the "chat" channel;
//   - the "chat" channel itself (clients subscribe and publish to it);
//   - a log line for every session that ends.
// It runs until SIGINT (or, with --once-for-test N, for N seconds) and
// prints "PORT <n>" once it listens.
//
//   embed_server [--port N] [--once-for-test SECONDS]
#include <cjson/cJSON.h>
#include <uv.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "resock/server.h"

namespace {

// {"text":"hi"} -> {"text":"HI","from":"<identity>"}; empty when not that shape.
std::string shout(std::string_view data, std::string_view identity) {
  cJSON* in = cJSON_ParseWithLength(data.data(), data.size());
  const cJSON* text = cJSON_GetObjectItemCaseSensitive(in, "text");
  std::string out;
  if (cJSON_IsString(text)) {
    std::string upper = text->valuestring;
    for (char& c : upper)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    cJSON* reply = cJSON_CreateObject();
    cJSON_AddStringToObject(reply, "text", upper.c_str());
    cJSON_AddStringToObject(reply, "from", std::string(identity).c_str());
    char* printed = cJSON_PrintUnformatted(reply);
    out = printed;
    cJSON_free(printed);
    cJSON_Delete(reply);
  }
  cJSON_Delete(in);
  return out;
}

int usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--port N] [--once-for-test SECONDS]\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 8080;
  int once_seconds = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--port") && i + 1 < argc)
      port = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--once-for-test") && i + 1 < argc)
      once_seconds = std::atoi(argv[++i]);
    else
      return usage(argv[0]);
  }

  uv_loop_t loop;
  uv_loop_init(&loop);

  resock::server_options options;
  options.listen = "127.0.0.1:" + std::to_string(port);
  resock::server server(&loop, options);

  int guests = 0;
  server.on_connect([&guests](const resock::connect_request& r) {
    resock::connect_result result;
    if (r.auth == "banned") {
      result.admit = false;
      result.reason = "you are banned";
      return result;
    }
    result.identity = r.auth.empty() ? "guest-" + std::to_string(++guests) : std::string(r.auth);
    result.channels = {"chat"};
    return result;
  });
  server.route("shout", [&server](const resock::message& m) {
    std::string loud = shout(m.data, m.identity);
    if (!loud.empty()) server.publish("chat", loud);
  });
  server.on_disconnect([](const resock::disconnect_info& d) {
    std::printf("disconnect sid=%.*s identity=%.*s reason=%.*s\n", static_cast<int>(d.sid.size()),
                d.sid.data(), static_cast<int>(d.identity.size()), d.identity.data(),
                static_cast<int>(resock::end_reason_name(d.reason).size()),
                resock::end_reason_name(d.reason).data());
    std::fflush(stdout);
  });

  if (auto ec = server.start()) {
    std::fprintf(stderr, "embed_server: cannot listen on %s: %s\n", options.listen.c_str(),
                 ec.message().c_str());
    return 1;
  }
  std::printf("PORT %u\n", server.port());
  std::fflush(stdout);

  // SIGINT (or the test timer) stops the server; with every handle closed,
  // uv_run() returns by itself.
  struct stopper {
    resock::server* server;
    uv_signal_t signal;
    uv_timer_t timer;
    bool timer_used;
    void stop() {
      server->stop();
      uv_close(reinterpret_cast<uv_handle_t*>(&signal), nullptr);
      if (timer_used) uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    }
  } stop{&server, {}, {}, once_seconds > 0};
  uv_signal_init(&loop, &stop.signal);
  stop.signal.data = &stop;
  uv_signal_start_oneshot(
      &stop.signal, [](uv_signal_t* s, int) { static_cast<stopper*>(s->data)->stop(); }, SIGINT);
  if (stop.timer_used) {
    uv_timer_init(&loop, &stop.timer);
    stop.timer.data = &stop;
    uv_timer_start(
        &stop.timer, [](uv_timer_t* t) { static_cast<stopper*>(t->data)->stop(); },
        static_cast<std::uint64_t>(once_seconds) * 1000, 0);
  }

  uv_run(&loop, UV_RUN_DEFAULT);
  int rc = uv_loop_close(&loop);
  std::printf("stopped\n");
  return rc == 0 ? 0 : 1;
}
