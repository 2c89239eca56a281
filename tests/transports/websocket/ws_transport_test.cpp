// The WebSocket transport end to end on one uv loop over loopback: a real
// resock::server and resock::client(s) (lws on both sides), checked for
// the welcome, channel fan-out, routes, exactly-once resume after a
// dropped connection, the /echo endpoint and /rs/info (driven by a raw
// peer built on resock::wire), and a stop() after which uv_run returns and
// uv_loop_close() succeeds.
#include "websocket/ws_server.h"

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

#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "raw_peer.h"
#include "resock/client.h"
#include "resock/server.h"

using namespace std::chrono_literals;
using resock::client_event;

namespace {

// An owned copy of a client_event (its views die with the callback).
struct seen {
  client_event::kind type;
  std::string sid, channel, data, code;
  std::uint64_t seq = 0;
  std::uint32_t attempt = 0, delay_ms = 0;
};

struct recorder {
  std::vector<seen> events;
  void operator()(const client_event& e) {
    events.push_back({e.type, std::string(e.sid), std::string(e.channel), std::string(e.data),
                      std::string(e.code), e.seq, e.attempt, e.delay_ms});
  }
  [[nodiscard]] std::size_t count(client_event::kind k) const {
    std::size_t n = 0;
    for (const auto& e : events)
      n += e.type == k;
    return n;
  }
  [[nodiscard]] std::vector<seen> messages() const {
    std::vector<seen> out;
    for (const auto& e : events)
      if (e.type == client_event::kind::message) out.push_back(e);
    return out;
  }
  [[nodiscard]] std::string sid() const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->type == client_event::kind::connected || it->type == client_event::kind::resumed)
        return it->sid;
    return {};
  }
};

// One loop, one server; clients added by the tests.
struct fixture {
  uv_loop_t loop{};
  uv_timer_t pulse{};  // keeps UV_RUN_ONCE from sleeping past our deadlines
  std::unique_ptr<resock::server> server;
  std::vector<std::unique_ptr<resock::client>> clients;
  std::vector<std::unique_ptr<recorder>> records;
  std::vector<std::string> log;

  explicit fixture(resock::server_options opt = {}) {
    assert_int_equal(uv_loop_init(&loop), 0);
    uv_timer_init(&loop, &pulse);
    uv_timer_start(
        &pulse, [](uv_timer_t*) {}, 5, 5);
    opt.listen = "127.0.0.1:0";
    opt.log = [this](std::string_view l) { log.emplace_back(l); };
    server = std::make_unique<resock::server>(&loop, std::move(opt));
  }

  void start() {
    auto ec = server->start();
    if (ec) print_message("start: %s\n", ec.message().c_str());
    assert_false(static_cast<bool>(ec));
    assert_true(server->port() != 0);
  }

  std::string url() const { return "ws://127.0.0.1:" + std::to_string(server->port()) + "/rs/ws"; }

  resock::client& add_client(std::string auth = {}) {
    records.push_back(std::make_unique<recorder>());
    resock::client_options o;
    o.url = url();
    o.auth = std::move(auth);
    o.backoff_min = 20ms;
    o.backoff_max = 200ms;
    clients.push_back(std::make_unique<resock::client>(&loop, std::move(o)));
    recorder* r = records.back().get();
    clients.back()->on_event([r](const client_event& e) { (*r)(e); });
    return *clients.back();
  }

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      uv_run(&loop, UV_RUN_ONCE);
    }
    return true;
  }

  // Stops everything; the loop must then run dry and close cleanly.
  void finish(bool server_first = false) {
    if (server_first) server->stop();
    for (auto& c : clients)
      c->stop();
    if (!server_first) server->stop();
    uv_close(reinterpret_cast<uv_handle_t*>(&pulse), nullptr);
    alarm(20);  // a handle left open would make uv_run hang: fail instead
    uv_run(&loop, UV_RUN_DEFAULT);
    alarm(0);
    for (const auto& r : records)
      assert_int_equal(r->count(client_event::kind::closed), 1);
    clients.clear();
    server.reset();
    assert_int_equal(uv_loop_close(&loop), 0);
  }
};

resock::server_options echo_options() {
  resock::server_options o;
  o.echo = true;
  return o;
}

bool connected(const recorder& r) {
  return r.count(client_event::kind::connected) + r.count(client_event::kind::resumed) > 0;
}

// ---------------------------------------------------------------------------

void welcome_and_connect_hook(void**) {
  fixture fx;
  std::string peer, auth;
  resock::transport_kind transport = resock::transport_kind::sse;
  fx.server->on_connect([&](const resock::connect_request& r) {
    peer = r.peer;
    auth = r.auth;
    transport = r.transport;
    resock::connect_result res;
    res.identity = "alice";
    return res;
  });
  fx.start();
  assert_false(static_cast<bool>(fx.add_client("token-1").start()));
  assert_true(fx.run_until([&] { return connected(*fx.records[0]); }));
  const recorder& r = *fx.records[0];
  assert_int_equal(r.events.front().type, client_event::kind::connecting);
  assert_int_equal(r.events.front().attempt, 1);
  assert_int_equal(r.sid().size(), 22);  // 16 random bytes, base64url
  assert_string_equal(auth.c_str(), "token-1");
  assert_true(peer.starts_with("127.0.0.1:"));
  assert_int_equal(transport, resock::transport_kind::websocket);
  fx.finish();
}

void fanout_to_subscribers(void**) {
  fixture fx;
  int synced = 0;
  fx.server->route("sync", [&](const resock::message&) { ++synced; });
  fx.start();
  constexpr int k_clients = 3;
  for (int i = 0; i < k_clients; ++i) {
    auto& c = fx.add_client();
    c.subscribe("chat");
    assert_false(static_cast<bool>(c.start()));
  }
  assert_true(fx.run_until([&] {
    for (auto& r : fx.records)
      if (!connected(*r)) return false;
    return true;
  }));
  // A route message after the sub: handled in order, so once every sync
  // arrived every subscription is in place.
  for (auto& c : fx.clients)
    c->send("sync", "{}");
  assert_true(fx.run_until([&] { return synced == k_clients; }));

  assert_int_equal(fx.server->publish("chat", R"({"text":"hello"})"), k_clients);
  fx.clients[0]->publish("chat", R"({"from":0})");
  assert_true(fx.run_until([&] {
    for (auto& r : fx.records)
      if (r->messages().size() < 2) return false;
    return true;
  }));
  for (auto& r : fx.records) {
    auto m = r->messages();
    assert_string_equal(m[0].channel.c_str(), "chat");
    assert_string_equal(m[0].data.c_str(), R"({"text":"hello"})");
    assert_int_equal(m[0].seq, 1);
    assert_string_equal(m[1].data.c_str(), R"({"from":0})");
    assert_int_equal(m[1].seq, 2);
  }
  fx.finish();
}

void route_handler_and_direct_send(void**) {
  fixture fx;
  std::string route, data;
  std::uint64_t seq = 0;
  fx.server->route("shout", [&](const resock::message& m) {
    route = m.route;
    data = m.data;
    seq = m.seq;
    fx.server->send(m.sid, R"({"echo":)" + std::string(m.data) + "}");
  });
  fx.start();
  auto& c = fx.add_client();
  assert_false(static_cast<bool>(c.start()));
  assert_true(fx.run_until([&] { return connected(*fx.records[0]); }));
  c.send("shout", R"({"text":"hi"})");
  assert_true(fx.run_until([&] { return !fx.records[0]->messages().empty(); }));
  assert_string_equal(route.c_str(), "shout");
  assert_string_equal(data.c_str(), R"({"text":"hi"})");
  assert_int_equal(seq, 1);
  auto m = fx.records[0]->messages();
  assert_true(m[0].channel.empty());
  assert_string_equal(m[0].data.c_str(), R"({"echo":{"text":"hi"}})");
  assert_true(fx.run_until([&] { return c.pending() == 0; }));  // acked
  fx.finish();
}

// Messages queued both ways around a dropped connection arrive exactly
// once and in order after the resume.
void resume_after_drop_exactly_once(void**) {
  fixture fx;
  std::vector<std::string> got;
  fx.server->route("count", [&](const resock::message& m) { got.emplace_back(m.data); });
  fx.start();
  auto& c = fx.add_client();
  assert_false(static_cast<bool>(c.start()));
  assert_true(fx.run_until([&] { return connected(*fx.records[0]); }));
  const std::string sid = fx.records[0]->sid();

  constexpr int k_each = 300;
  auto item = [](int i) { return R"({"i":)" + std::to_string(i) + "}"; };
  for (int round = 0; round < 3; ++round) {
    for (int i = round * k_each / 3; i < (round + 1) * k_each / 3; ++i) {
      c.send("count", item(i));
      assert_int_equal(fx.server->send(sid, item(i)), resock::send_status::ok);
    }
    // Part of it goes out, then the network "fails" with the rest in flight.
    for (int k = 0; k < 3; ++k)
      uv_run(&fx.loop, UV_RUN_NOWAIT);
    c.drop_connection();
    for (int k = 0; k < 2; ++k)
      uv_run(&fx.loop, UV_RUN_NOWAIT);
  }
  assert_true(fx.run_until(
      [&] {
        return got.size() >= k_each && fx.records[0]->messages().size() >= k_each &&
               c.pending() == 0;
      },
      20s));
  assert_int_equal(got.size(), k_each);
  auto m = fx.records[0]->messages();
  assert_int_equal(m.size(), k_each);
  for (int i = 0; i < k_each; ++i) {
    assert_string_equal(got[i].c_str(), item(i).c_str());
    assert_string_equal(m[i].data.c_str(), item(i).c_str());
    assert_int_equal(m[i].seq, static_cast<std::uint64_t>(i + 1));
  }
  assert_true(fx.records[0]->count(client_event::kind::resumed) >= 1);
  assert_int_equal(fx.records[0]->count(client_event::kind::lost), 0);
  assert_string_equal(fx.records[0]->sid().c_str(), sid.c_str());  // same session
  fx.finish();
}

// Runs `body` on a thread while the loop serves; returns its result.
bool with_peer(fixture& fx, const std::function<bool()>& body) {
  std::atomic<bool> done{false};
  bool ok = false;
  std::thread t([&] {
    ok = body();
    done = true;
  });
  bool finished = fx.run_until([&] { return done.load(); }, 60s);
  t.join();
  return finished && ok;
}

void echo_round_trips(void**) {
  fixture fx(echo_options());
  fx.start();
  const std::uint16_t port = fx.server->port();
  std::string big(16 * 1024 * 1024 + 5, '\0');
  std::mt19937 rng(7);
  for (auto& ch : big)
    ch = static_cast<char>(rng());
  std::string failure;
  bool ok = with_peer(fx, [&] {
    resock::test::raw_peer p;
    if (!p.ws_open(port, "/echo")) return failure = "handshake", false;
    resock::wire::opcode op{};
    std::string back;
    if (!p.ws_send(resock::wire::opcode::text, "héllo") || !p.ws_read(op, back) ||
        op != resock::wire::opcode::text || back != "héllo")
      return failure = "text", false;
    if (!p.ws_send(resock::wire::opcode::binary, "fragmented binary message", 3) ||
        !p.ws_read(op, back) || op != resock::wire::opcode::binary ||
        back != "fragmented binary message")
      return failure = "fragments", false;
    if (!p.ws_send(resock::wire::opcode::binary, big, 4) || !p.ws_read(op, back) ||
        op != resock::wire::opcode::binary || back != big)
      return failure = "16 MiB", false;
    if (p.ws_close(1000) != 1000) return failure = "close", false;
    return true;
  });
  if (!ok) print_message("echo failed at: %s\n", failure.c_str());
  assert_true(ok);
  fx.finish();
}

void echo_rejects_bad_utf8_and_unknown_paths(void**) {
  fixture fx(echo_options());
  fx.start();
  const std::uint16_t port = fx.server->port();
  int close_code = 0;
  bool refused = false;
  bool ok = with_peer(fx, [&] {
    resock::test::raw_peer p;
    if (!p.ws_open(port, "/echo")) return false;
    if (!p.ws_send(resock::wire::opcode::text, std::string("\xc3\x28", 2))) return false;
    resock::wire::opcode op{};
    std::string back;
    if (p.ws_read(op, back)) return false;  // the server fails the connection ...
    close_code = p.close_code;              // ... with 1007 (invalid payload data)
    resock::test::raw_peer q;
    refused = !q.ws_open(port, "/nowhere");
    return true;
  });
  assert_true(ok);
  assert_true(refused);
  assert_int_equal(close_code, 1007);
  fx.finish();
}

void http_info_and_static(void**) {
  resock::server_options o;
  o.heartbeat = 25000ms;
  o.demo_html = "<html>demo</html>";
  fixture fx(std::move(o));
  fx.start();
  const std::uint16_t port = fx.server->port();
  int s_info = 0, s_missing = 0, s_page = 0;
  std::string ct_info, info, ct_page, page, ct, body;
  bool ok = with_peer(fx, [&] {
    resock::test::raw_peer a, b, c;
    return a.http_get(port, "/rs/info", s_info, ct_info, info) &&
           b.http_get(port, "/missing", s_missing, ct, body) &&
           c.http_get(port, "/", s_page, ct_page, page);
  });
  assert_true(ok);
  assert_int_equal(s_info, 200);
  assert_true(ct_info.starts_with("application/json"));
  assert_true(info.find(R"("transports":["websocket"])") != std::string::npos);
  assert_true(info.find(R"("hb":25000)") != std::string::npos);
  assert_true(info.find(R"("max_message":1048576)") != std::string::npos);
  assert_int_equal(s_missing, 404);
  assert_int_equal(s_page, 200);
  assert_true(ct_page.starts_with("text/html"));
  assert_string_equal(page.c_str(), "<html>demo</html>");
  fx.finish();
}

// The server stops first while a client is connected: the client sees the
// close, retries with backoff, and both still let the loop end.
void stop_lets_the_loop_end(void**) {
  fixture fx;
  fx.start();
  auto& c = fx.add_client();
  assert_false(static_cast<bool>(c.start()));
  assert_true(fx.run_until([&] { return connected(*fx.records[0]); }));
  fx.server->stop();
  assert_true(
      fx.run_until([&] { return fx.records[0]->count(client_event::kind::connecting) >= 3; }));
  fx.finish(true);
}

void start_reports_the_cause(void**) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    auto quiet = [](std::string listen) {
      resock::server_options o;
      o.listen = std::move(listen);
      o.log = [](std::string_view) {};
      return o;
    };
    resock::server a(&loop, quiet("127.0.0.1:0"));
    assert_false(static_cast<bool>(a.start()));
    resock::server b(&loop, quiet("127.0.0.1:" + std::to_string(a.port())));
    assert_true(b.start() == std::errc::address_in_use);
    resock::server bad(&loop, quiet("nonsense"));
    assert_true(bad.start() == std::errc::invalid_argument);
    resock::client_options co;
    co.url = "http:/bad";
    resock::client c(&loop, std::move(co));
    assert_true(c.start() == std::errc::invalid_argument);
    a.stop();
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  assert_int_equal(uv_loop_close(&loop), 0);
}

}  // namespace

int main() {
  const CMUnitTest tests[] = {
      cmocka_unit_test(welcome_and_connect_hook),
      cmocka_unit_test(fanout_to_subscribers),
      cmocka_unit_test(route_handler_and_direct_send),
      cmocka_unit_test(resume_after_drop_exactly_once),
      cmocka_unit_test(echo_round_trips),
      cmocka_unit_test(echo_rejects_bad_utf8_and_unknown_paths),
      cmocka_unit_test(http_info_and_static),
      cmocka_unit_test(stop_lets_the_loop_end),
      cmocka_unit_test(start_reports_the_cause),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
