// The native WebSocket server (transports/websocket/native_server.h) on one
// uv loop over loopback, driven by raw TCP peers built on resock::wire on a
// thread of their own: sessions (hello/welcome, too-big envelopes, binary
// refused), /echo (text, binary, fragmented, 16 MiB, one pong per ping in
// order), invalid handshakes, protocol errors with their close codes, the
// static resources, bind errors, and a stop() after which uv_run returns
// and uv_loop_close() succeeds.
#include "websocket/native_server.h"

// cmocka.h needs these, in this order, before it.
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "core/server_core.h"
#include "raw_peer.h"
#include "resock/wire/frame_writer.h"
#include "resock/wire/handshake.h"
#include "resock/wire/http_head.h"

namespace {

using resock::test::raw_peer;
namespace wire = resock::wire;

// One loop, one core, one native server.
struct fixture {
  uv_loop_t loop{};
  uv_timer_t pulse{};  // keeps UV_RUN_ONCE from sleeping past our checks
  std::unique_ptr<resock::core::server_core> core;
  std::unique_ptr<resock::ws::native_ws_server> server;
  std::vector<std::string> log;

  explicit fixture(const std::function<void(resock::ws::ws_server_options&)>& tune = {}) {
    assert_int_equal(uv_loop_init(&loop), 0);
    uv_timer_init(&loop, &pulse);
    uv_timer_start(
        &pulse,
        [](uv_timer_t* t) {
          // The core wants ticks (acks, timeouts); the test's pulse gives them.
          static_cast<fixture*>(t->data)->core->tick();
        },
        5, 5);
    pulse.data = this;
    resock::ws::ws_server_options o;
    o.listen = "127.0.0.1:0";
    o.echo = true;
    o.log = [this](std::string_view l) { log.emplace_back(l); };
    o.resources.emplace("/rs/info", resock::ws::static_resource{"application/json", R"({"v":1})"});
    if (tune) tune(o);
    resock::core::server_core_options co;
    co.secret = std::string(32, 's');
    co.max_message_size = o.max_message_size;  // as resock::server sets both
    co.log = [](std::string_view) {};
    core = std::make_unique<resock::core::server_core>(std::move(co));
    server = std::make_unique<resock::ws::native_ws_server>(&loop, *core, std::move(o));
    auto ec = server->start();
    if (ec) print_message("start: %s\n", ec.message().c_str());
    assert_false(static_cast<bool>(ec));
    assert_true(server->port() != 0);
  }

  // Runs `body` on a thread while the loop serves; returns its result.
  bool serve(const std::function<bool(std::uint16_t port)>& body) {
    std::atomic<bool> done{false};
    bool ok = false;
    const std::uint16_t port = server->port();
    std::thread t([&] {
      ok = body(port);
      done = true;
    });
    while (!done)
      uv_run(&loop, UV_RUN_ONCE);
    t.join();
    return ok;
  }

  // Stops like resock::server does; the loop must then run dry.
  void finish() {
    core->shutdown(1001, "server stopping");
    server->stop();
    uv_close(reinterpret_cast<uv_handle_t*>(&pulse), nullptr);
    alarm(20);  // a handle left open would make uv_run hang: fail instead
    uv_run(&loop, UV_RUN_DEFAULT);
    alarm(0);
    server.reset();
    assert_int_equal(uv_loop_close(&loop), 0);
  }
};

#define EXPECT(cond)                                                   \
  do {                                                                 \
    if (!(cond)) {                                                     \
      print_message("%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
      return false;                                                    \
    }                                                                  \
  } while (0)

// Sends a raw request head; parses the response head. `rest` gets the body
// bytes that came with it.
bool http_exchange(raw_peer& p, std::uint16_t port, const std::string& head, int& status,
                   std::string& headers_out, std::string* body = nullptr) {
  if (!p.connect(port) || !p.send_all(head.data(), head.size())) return false;
  wire::http_head_parser parser(wire::head_kind::response);
  for (;;) {
    if (!p.read_more()) return false;
    auto step = parser.feed(p.in);
    if (step.status == wire::head_status::error) return false;
    if (step.status == wire::head_status::complete) {
      p.in.erase(p.in.begin(), p.in.begin() + static_cast<std::ptrdiff_t>(step.consumed));
      break;
    }
    p.in.clear();
  }
  status = parser.head().status;
  headers_out.clear();
  for (const auto& h : parser.head().headers)
    headers_out += std::string(h.name) + ": " + std::string(h.value) + "\n";
  if (body != nullptr) {
    std::size_t length = std::stoul(std::string(parser.head().find("Content-Length")));
    while (p.in.size() < length)
      if (!p.read_more()) return false;
    body->assign(p.in.begin(), p.in.begin() + static_cast<std::ptrdiff_t>(length));
  }
  return true;
}

std::string upgrade_head(std::uint16_t port, std::string_view method, std::string_view version,
                         std::string_view key, std::string_view path = "/echo") {
  return std::string(method) + " " + std::string(path) +
         " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + std::string(key) +
         "\r\nSec-WebSocket-Version: " + std::string(version) + "\r\n\r\n";
}

// True once the server closed the TCP connection (EOF) after its close.
bool server_closed_tcp(raw_peer& p) {
  p.in.clear();
  while (p.read_more())
    p.in.clear();
  return true;
}

// ---------------------------------------------------------------------------

void session_hello_welcome(void**) {
  fixture fx;
  bool ok = fx.serve([](std::uint16_t port) {
    raw_peer p;
    EXPECT(p.ws_open(port, "/rs/ws"));
    EXPECT(p.ws_send(wire::opcode::text, R"({"t":"hello","v":1})"));
    wire::opcode op{};
    std::string msg;
    EXPECT(p.ws_read(op, msg));
    EXPECT(op == wire::opcode::text);
    EXPECT(msg.find(R"("t":"welcome")") != std::string::npos);
    // A heartbeat round trip through the core.
    EXPECT(p.ws_send(wire::opcode::text, R"({"t":"ping"})", 2));
    EXPECT(p.ws_read(op, msg));
    EXPECT(msg == R"({"t":"pong"})");
    EXPECT(p.ws_close(1000) == 1000);
    return server_closed_tcp(p);
  });
  assert_true(ok);
  assert_int_equal(fx.core->stats().connections, 0);
  fx.finish();
}

void session_refuses_binary_and_too_big(void**) {
  fixture fx([](resock::ws::ws_server_options& o) { o.max_message_size = 1024; });
  bool ok = fx.serve([](std::uint16_t port) {
    raw_peer p;
    EXPECT(p.ws_open(port, "/rs/ws"));
    EXPECT(p.ws_send(wire::opcode::text, R"({"t":"hello","v":1})"));
    wire::opcode op{};
    std::string msg;
    EXPECT(p.ws_read(op, msg));
    // Over the limit, in fragments: the core's error, then close 1009.
    std::string big = R"({"t":"msg","c":1,"d":")" + std::string(4000, 'x') + "\"}";
    EXPECT(p.ws_send(wire::opcode::text, big, 4));
    EXPECT(p.ws_read(op, msg));
    EXPECT(msg.find("too_big") != std::string::npos);
    EXPECT(!p.ws_read(op, msg));
    EXPECT(p.close_code == 1009);

    raw_peer q;
    EXPECT(q.ws_open(port, "/rs/ws"));
    EXPECT(q.ws_send(wire::opcode::binary, "abc"));
    EXPECT(!q.ws_read(op, msg));
    EXPECT(q.close_code == 1003);
    return true;
  });
  assert_true(ok);
  fx.finish();
}

void echo_text_binary_fragmented(void**) {
  fixture fx;
  bool ok = fx.serve([](std::uint16_t port) {
    raw_peer p;
    EXPECT(p.ws_open(port, "/echo"));
    wire::opcode op{};
    std::string msg;
    EXPECT(p.ws_send(wire::opcode::text, "héllo"));
    EXPECT(p.ws_read(op, msg) && op == wire::opcode::text && msg == "héllo");
    const std::string bin("\x00\x01\xfe\xff", 4);
    EXPECT(p.ws_send(wire::opcode::binary, bin));
    EXPECT(p.ws_read(op, msg) && op == wire::opcode::binary && msg == bin);
    std::string frag(1000, 'f');
    EXPECT(p.ws_send(wire::opcode::text, frag, 7));
    EXPECT(p.ws_read(op, msg) && op == wire::opcode::text && msg == frag);
    EXPECT(p.ws_send(wire::opcode::text, ""));
    EXPECT(p.ws_read(op, msg) && op == wire::opcode::text && msg.empty());
    // Several messages in one write come back in order.
    std::vector<std::uint8_t> burst;
    for (int i = 0; i < 50; ++i) {
      std::string m = "m" + std::to_string(i);
      wire::append_message(burst, wire::peer::client, wire::opcode::text,
                           {reinterpret_cast<const std::uint8_t*>(m.data()), m.size()});
    }
    EXPECT(p.send_all(burst.data(), burst.size()));
    for (int i = 0; i < 50; ++i)
      EXPECT(p.ws_read(op, msg) && msg == "m" + std::to_string(i));
    EXPECT(p.ws_close(1000) == 1000);
    return server_closed_tcp(p);
  });
  assert_true(ok);
  fx.finish();
}

void echo_16mib(void**) {
  fixture fx;
  bool ok = fx.serve([](std::uint16_t port) {
    raw_peer p;
    EXPECT(p.ws_open(port, "/echo"));
    std::string big(16u << 20, '\0');
    for (std::size_t i = 0; i < big.size(); ++i)
      big[i] = static_cast<char>('a' + i % 26);
    // The 16 MiB go out while the echo comes back: send from a second thread.
    bool sent = false;
    std::thread writer([&] { sent = p.ws_send(wire::opcode::binary, big); });
    wire::opcode op{};
    std::string msg;
    bool read = p.ws_read(op, msg);
    writer.join();
    EXPECT(sent && read);
    EXPECT(op == wire::opcode::binary && msg == big);
    EXPECT(p.ws_close(1000) == 1000);
    return true;
  });
  assert_true(ok);
  fx.finish();
}

void ten_pings_ten_pongs(void**) {
  fixture fx;
  bool ok = fx.serve([](std::uint16_t port) {
    raw_peer p;
    EXPECT(p.ws_open(port, "/echo"));
    std::vector<std::uint8_t> pings;
    for (int i = 0; i < 10; ++i) {
      std::string m = "ping-" + std::to_string(i);
      wire::append_message(pings, wire::peer::client, wire::opcode::ping,
                           {reinterpret_cast<const std::uint8_t*>(m.data()), m.size()});
    }
    EXPECT(p.send_all(pings.data(), pings.size()));
    wire::message_reader reader(wire::reader_options{.frame = {.sender = wire::peer::server}});
    int pongs = 0;
    std::size_t off = 0;
    while (pongs < 10) {
      auto s = reader.next(std::span<std::uint8_t>(p.in).subspan(off));
      off += s.consumed;
      if (s.event == wire::message_event::pong) {
        std::string got(reinterpret_cast<const char*>(s.data.data()), s.data.size());
        EXPECT(got == "ping-" + std::to_string(pongs));
        ++pongs;
      } else if (s.event == wire::message_event::none) {
        p.in.clear();
        off = 0;
        EXPECT(p.read_more());
      } else {
        EXPECT(false);  // nothing but pongs
      }
    }
    return p.ws_close(1000) == 1000;
  });
  assert_true(ok);
  fx.finish();
}

void invalid_handshakes(void**) {
  fixture fx;
  bool ok = fx.serve([](std::uint16_t port) {
    const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    int status = 0;
    std::string headers;
    {
      raw_peer p;
      EXPECT(http_exchange(p, port, upgrade_head(port, "GET", "8", key), status, headers));
      EXPECT(status == 426);
      EXPECT(headers.find("Sec-WebSocket-Version: 13") != std::string::npos);
      EXPECT(server_closed_tcp(p));
    }
    {
      raw_peer p;
      EXPECT(http_exchange(p, port, upgrade_head(port, "POST", "13", key), status, headers));
      EXPECT(status == 405);
    }
    {
      raw_peer p;
      EXPECT(http_exchange(p, port, upgrade_head(port, "GET", "13", "short=="), status, headers));
      EXPECT(status == 400);
    }
    {
      raw_peer p;  // HTTP/1.0
      std::string head = upgrade_head(port, "GET", "13", key);
      head.replace(head.find("HTTP/1.1"), 8, "HTTP/1.0");
      EXPECT(http_exchange(p, port, head, status, headers));
      EXPECT(status == 400);
    }
    {
      raw_peer p;  // an upgrade to a path nobody serves
      EXPECT(
          http_exchange(p, port, upgrade_head(port, "GET", "13", key, "/nope"), status, headers));
      EXPECT(status == 404);
    }
    {
      raw_peer p;  // a head over the 8 KiB limit
      std::string head = upgrade_head(port, "GET", "13", key);
      head.insert(head.size() - 2, "X-Pad: " + std::string(9000, 'a') + "\r\n");
      EXPECT(http_exchange(p, port, head, status, headers));
      EXPECT(status == 431);
    }
    return true;
  });
  assert_true(ok);
  // One log line per rejection, with status and reason.
  int rejects = 0;
  for (const auto& l : fx.log)
    if (l.find("event=reject") != std::string::npos && l.find("status=") != std::string::npos &&
        l.find("reason=") != std::string::npos)
      ++rejects;
  assert_int_equal(rejects, 6);
  fx.finish();
}

void protocol_errors_close_codes(void**) {
  fixture fx([](resock::ws::ws_server_options& o) { o.echo_max_message = 1024; });
  bool ok = fx.serve([](std::uint16_t port) {
    wire::opcode op{};
    std::string msg;
    {
      raw_peer p;  // an unmasked client frame
      EXPECT(p.ws_open(port, "/echo"));
      std::vector<std::uint8_t> out;
      const std::string m = "hi";
      wire::append_frame(out, wire::make_header(wire::peer::server, wire::opcode::text, 2),
                         {reinterpret_cast<const std::uint8_t*>(m.data()), m.size()});
      EXPECT(p.send_all(out.data(), out.size()));
      EXPECT(!p.ws_read(op, msg));
      EXPECT(p.close_code == 1002);
      EXPECT(server_closed_tcp(p));
    }
    {
      raw_peer p;  // invalid UTF-8 in a text message
      EXPECT(p.ws_open(port, "/echo"));
      EXPECT(p.ws_send(wire::opcode::text, "ok\xc0\xaf"));
      EXPECT(!p.ws_read(op, msg));
      EXPECT(p.close_code == 1007);
    }
    {
      raw_peer p;  // over echo_max_message
      EXPECT(p.ws_open(port, "/echo"));
      EXPECT(p.ws_send(wire::opcode::binary, std::string(2000, 'x'), 3));
      EXPECT(!p.ws_read(op, msg));
      EXPECT(p.close_code == 1009);
    }
    {
      raw_peer p;  // a close without a code is answered 1000
      EXPECT(p.ws_open(port, "/echo"));
      std::vector<std::uint8_t> out;
      wire::append_message(out, wire::peer::client, wire::opcode::close, {});
      EXPECT(p.send_all(out.data(), out.size()));
      EXPECT(!p.ws_read(op, msg));
      EXPECT(p.close_code == 1000);
    }
    return true;
  });
  assert_true(ok);
  fx.finish();
}

void static_resources(void**) {
  fixture fx;
  bool ok = fx.serve([](std::uint16_t port) {
    int status = 0;
    std::string type, body, headers;
    {
      raw_peer p;
      EXPECT(p.http_get(port, "/rs/info", status, type, body));
      EXPECT(status == 200 && type == "application/json" && body == R"({"v":1})");
    }
    {
      raw_peer p;
      EXPECT(p.http_get(port, "/missing", status, type, body));
      EXPECT(status == 404);
    }
    {
      raw_peer p;
      EXPECT(http_exchange(p, port,
                           "POST /rs/info HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", status,
                           headers));
      EXPECT(status == 405);
    }
    {
      raw_peer p;
      EXPECT(http_exchange(p, port, "HEAD /rs/info HTTP/1.1\r\nHost: x\r\n\r\n", status, headers));
      EXPECT(status == 200 && headers.find("Content-Length: 7") != std::string::npos);
    }
    return true;
  });
  assert_true(ok);
  fx.finish();
}

void bind_error_has_cause(void**) {
  fixture fx;
  resock::ws::ws_server_options o;
  o.listen = "127.0.0.1:" + std::to_string(fx.server->port());
  resock::ws::native_ws_server second(&fx.loop, *fx.core, o);
  std::error_code ec = second.start();
  assert_true(ec == std::errc::address_in_use);
  o.listen = "no-port";
  resock::ws::native_ws_server third(&fx.loop, *fx.core, o);
  assert_true(third.start() == std::errc::invalid_argument);
  fx.finish();
}

void stop_closes_open_connections(void**) {
  fixture fx;
  std::atomic<int> phase{0};
  raw_peer session, echo;
  std::thread t([&] {
    bool ok = session.ws_open(fx.server->port(), "/rs/ws") &&
              session.ws_send(wire::opcode::text, R"({"t":"hello","v":1})") &&
              echo.ws_open(fx.server->port(), "/echo");
    wire::opcode op{};
    std::string msg;
    ok = ok && session.ws_read(op, msg);  // the welcome
    phase = ok ? 1 : -1;
  });
  while (phase == 0)
    uv_run(&fx.loop, UV_RUN_ONCE);
  t.join();
  assert_int_equal(phase, 1);
  std::thread reader([&] {
    wire::opcode op{};
    std::string msg;
    while (session.ws_read(op, msg)) {
    }
    while (echo.ws_read(op, msg)) {
    }
  });
  fx.finish();  // shutdown + stop: uv_run must return, the loop must close
  reader.join();
  assert_int_equal(session.close_code, 1001);
  assert_int_equal(echo.close_code, 1001);
}

// A plain socket for what raw_peer does not do (half-close, silence).
int connect_fd(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{15, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Everything the server sends until its FIN (or the receive timeout).
std::string read_to_eof(int fd) {
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;)
    all.append(buf, static_cast<std::size_t>(n));
  return all;
}

void half_closed_peer_still_answered(void**) {
  fixture fx;
  bool ok = fx.serve([](std::uint16_t port) {
    {
      int fd = connect_fd(port);
      EXPECT(fd >= 0);
      const std::string req = "GET /rs/info HTTP/1.1\r\nHost: x\r\n\r\n";
      EXPECT(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
      ::shutdown(fd, SHUT_WR);
      std::string got = read_to_eof(fd);
      ::close(fd);
      EXPECT(got.starts_with("HTTP/1.1 200 OK") && got.ends_with(R"({"v":1})"));
    }
    {
      // Handshake and close frame in one write, then FIN: the 101 and the
      // close reply still arrive.
      int fd = connect_fd(port);
      EXPECT(fd >= 0);
      std::string req = wire::build_upgrade_request("127.0.0.1", "/echo", wire::make_client_key());
      std::vector<std::uint8_t> close;
      wire::append_close(close, wire::peer::client, 4001, "bye");
      req.append(close.begin(), close.end());
      EXPECT(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
      ::shutdown(fd, SHUT_WR);
      std::string got = read_to_eof(fd);
      ::close(fd);
      EXPECT(got.starts_with("HTTP/1.1 101"));
      const std::size_t body = got.find("\r\n\r\n") + 4;
      // Server close frame: 0x88, length 2, code 4001 (0x0FA1).
      EXPECT(got.size() == body + 4 && got.compare(body, 4, "\x88\x02\x0f\xa1") == 0);
    }
    return true;
  });
  assert_true(ok);
  fx.finish();
}

void handshake_timeout(void**) {
  fixture fx;
  bool ok = fx.serve([](std::uint16_t port) {
    int fd = connect_fd(port);
    EXPECT(fd >= 0);
    const std::string partial = "GET /echo HTTP/1.1\r\nHost: x\r\n";
    EXPECT(::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL) > 0);
    auto t0 = std::chrono::steady_clock::now();
    std::string got = read_to_eof(fd);  // the server closes without an answer
    auto waited = std::chrono::steady_clock::now() - t0;
    ::close(fd);
    EXPECT(got.empty());
    EXPECT(waited >= std::chrono::seconds(9) && waited < std::chrono::seconds(12));
    return true;
  });
  assert_true(ok);
  fx.finish();
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(session_hello_welcome),
      cmocka_unit_test(session_refuses_binary_and_too_big),
      cmocka_unit_test(echo_text_binary_fragmented),
      cmocka_unit_test(echo_16mib),
      cmocka_unit_test(ten_pings_ten_pongs),
      cmocka_unit_test(invalid_handshakes),
      cmocka_unit_test(protocol_errors_close_codes),
      cmocka_unit_test(static_resources),
      cmocka_unit_test(bind_error_has_cause),
      cmocka_unit_test(stop_closes_open_connections),
      cmocka_unit_test(half_closed_peer_still_answered),
      cmocka_unit_test(handshake_timeout),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
