// Tests of lib/core/server_core*.cpp, envelope by envelope through a fake
// link (the contract suite covers the long randomized runs).
#include "core/server_core.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/decode.h"

// cmocka.h needs these, in this order, before it.
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5 (Debian) declares its C functions without an extern "C" guard.
extern "C" {
#include <cmocka.h>
}
// clang-format on

namespace {

using namespace resock;
using namespace resock::core;
using namespace std::chrono_literals;

class fake_link final : public link {
 public:
  transport_kind kind() const noexcept override { return transport_kind::websocket; }
  void want_write() noexcept override { ++wants; }
  void close(std::uint16_t code, std::string_view reason) noexcept override {
    closed = true;
    close_code = code;
    close_reason = std::string(reason);
  }
  std::string_view peer() const noexcept override { return "10.0.0.1:5555"; }
  int wants = 0;
  bool closed = false;
  std::uint16_t close_code = 0;
  std::string close_reason;
};

struct fixture {
  clock_type::time_point now = clock_type::time_point(std::chrono::hours(1));
  std::unique_ptr<server_core> core;
  std::vector<std::string> logs;
  std::vector<disconnect_info> ends;
  std::vector<std::string> end_sids;
  std::vector<std::string> handled;  // "route|data|seq"
  std::vector<connect_request> requests;
  std::vector<std::string> auths;
  connect_result answer;

  explicit fixture(server_core_options o = {}) {
    o.now = [this] { return now; };
    o.secret = std::string(32, 'k');
    o.log = [this](std::string_view l) { logs.emplace_back(l); };
    core = std::make_unique<server_core>(std::move(o));
    core->on_connect([this](const connect_request& r) {
      requests.push_back(r);
      auths.emplace_back(r.auth);
      return answer;
    });
    core->on_disconnect([this](const disconnect_info& d) {
      ends.push_back(d);
      end_sids.emplace_back(d.sid);
    });
    core->route("echo", [this](const message& m) {
      handled.push_back(std::string(m.route) + "|" + std::string(m.data) + "|" +
                        std::to_string(m.seq));
    });
  }

  void recv(connection* c, std::string_view text) {
    core->receive(c, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }

  std::vector<std::string> drain(connection* c) {
    std::vector<std::string> out;
    std::string buf;
    for (int i = 0; i < 100000; ++i) {
      buf.clear();
      if (!core->writable(c, buf)) break;
      out.push_back(buf);
    }
    return out;
  }

  // Opens a connection and says hello; returns the welcome.
  protocol::envelope hello(fake_link& l, connection*& c,
                           std::string_view text = R"({"t":"hello","v":1})") {
    c = core->open(l, {});
    recv(c, text);
    auto out = drain(c);
    protocol::envelope w;
    if (out.empty() ||
        protocol::decode(out[0], protocol::sender::server, w) != protocol::error::none) {
      fail_msg("no welcome");
    }
    return w;
  }
};

bool has(const std::vector<std::string>& v, std::string_view needle) {
  for (const auto& s : v) {
    if (s.find(needle) != std::string::npos) return true;
  }
  return false;
}

void test_welcome(void**) {
  fixture f;
  f.answer.identity = "alice";
  fake_link l;
  connection* c = f.core->open(l, {.origin = "https://app", .authorization = "bearer-tok"});
  f.recv(c, R"({"t":"hello","v":1,"auth":"tok"})");
  auto out = f.drain(c);
  assert_int_equal(out.size(), 1);
  protocol::envelope w;
  assert_int_equal(static_cast<int>(protocol::decode(out[0], protocol::sender::server, w)), 0);
  assert_int_equal(static_cast<int>(w.t), static_cast<int>(protocol::type::welcome));
  assert_int_equal(w.sid.size(), 22);
  assert_int_equal(w.ticket.size(), 43);
  assert_int_equal(w.heartbeat, 25000);
  assert_false(w.resumed);
  assert_int_equal(w.ack, 0);
  assert_int_equal(w.lim.max_message, 1 << 20);
  assert_int_equal(w.lim.ttl, 60000);
  assert_true(w.lost.empty());
  assert_int_equal(f.requests.size(), 1);
  assert_string_equal(f.auths[0].c_str(), "tok");
  assert_true(f.core->stats().sessions == 1 && f.core->stats().connections == 1);
  assert_true(has(f.logs, "event=open peer=10.0.0.1:5555 transport=websocket"));
  assert_true(has(f.logs, "event=welcome sid=" + w.sid + " identity=alice resumed=false"));
  // Without hello.auth, the Authorization bearer token is the auth.
  fake_link l2;
  connection* c2 = f.core->open(l2, {.origin = {}, .authorization = "bearer-tok"});
  f.recv(c2, R"({"t":"hello","v":1})");
  assert_string_equal(f.auths[1].c_str(), "bearer-tok");
}

void test_connect_hook_refuses(void**) {
  fixture f;
  f.answer.admit = false;
  f.answer.reason = "go away";
  fake_link l;
  connection* c = f.core->open(l, {});
  f.recv(c, R"({"t":"hello","v":1})");
  auto out = f.drain(c);
  assert_int_equal(out.size(), 2);
  assert_string_equal(out[0].c_str(), R"({"t":"error","code":"forbidden","msg":"go away"})");
  assert_string_equal(out[1].c_str(), R"({"t":"close","code":4000,"reason":"forbidden"})");
  assert_true(l.closed);
  assert_int_equal(l.close_code, 4000);
  assert_int_equal(f.core->stats().sessions, 0);
  f.core->closed(c, {});
  assert_true(f.ends.empty());  // never admitted: no disconnect
}

void test_route_duplicate_gap(void**) {
  server_core_options o;
  o.ack_every = 100;
  fixture f(o);
  fake_link l;
  connection* c = nullptr;
  auto w = f.hello(l, c);
  f.recv(c, R"({"t":"msg","c":1,"r":"echo","d": {"x" : 1}})");
  f.recv(c, R"({"t":"msg","c":1,"r":"echo","d":"again"})");
  f.recv(c, R"({"t":"msg","c":3,"r":"echo","d":1})");
  assert_int_equal(f.handled.size(), 1);
  assert_string_equal(f.handled[0].c_str(), R"(echo|{"x" : 1}|1)");
  auto out = f.drain(c);
  assert_int_equal(out.size(), 1);
  assert_string_equal(out[0].c_str(),
                      R"({"t":"error","code":"bad_envelope","msg":"sequence gap","c":3})");
  auto st = f.core->stats();
  assert_int_equal(st.messages_in, 1);
  assert_int_equal(st.duplicates_in, 1);
  // The ack goes out at the interval, covering the duplicate too.
  f.now += 100ms;
  f.core->tick();
  out = f.drain(c);
  assert_int_equal(out.size(), 1);
  assert_string_equal(out[0].c_str(), R"({"t":"ack","c":1})");
  // No route and no default handler.
  f.recv(c, R"({"t":"msg","c":2,"d":1})");
  out = f.drain(c);
  assert_string_equal(out[0].c_str(),
                      R"({"t":"error","code":"unknown_route","msg":"no handler","c":2})");
  // With a default handler, unknown routes and no route go there.
  std::vector<std::string> def;
  f.core->on_default([&](const message& m) { def.emplace_back(m.route); });
  f.recv(c, R"({"t":"msg","c":3,"r":"zz","d":1})");
  f.recv(c, R"({"t":"msg","c":4,"d":1})");
  assert_int_equal(def.size(), 2);
  assert_string_equal(def[0].c_str(), "zz");
  assert_string_equal(def[1].c_str(), "");
  (void)w;
}

void test_ack_every(void**) {
  server_core_options o;
  o.ack_every = 3;
  fixture f(o);
  fake_link l;
  connection* c = nullptr;
  f.hello(l, c);
  for (int i = 1; i <= 3; ++i) {
    f.recv(c, R"({"t":"msg","c":)" + std::to_string(i) + R"(,"r":"echo","d":1})");
  }
  auto out = f.drain(c);
  assert_int_equal(out.size(), 1);
  assert_string_equal(out[0].c_str(), R"({"t":"ack","c":3})");
}

void test_channels_and_fanout(void**) {
  fixture f;
  f.answer.channels = {"room:*"};
  fake_link l1, l2, l3;
  connection *c1 = nullptr, *c2 = nullptr, *c3 = nullptr;
  f.hello(l1, c1);
  f.hello(l2, c2);
  f.hello(l3, c3);
  for (connection* c : {c1, c2, c3}) {
    f.recv(c, R"({"t":"sub","ch":"room:1"})");
    f.recv(c, R"({"t":"sub","ch":"room:1"})");  // idempotent
    auto out = f.drain(c);
    assert_int_equal(out.size(), 2);
    assert_string_equal(out[0].c_str(), R"({"t":"suback","ch":"room:1"})");
  }
  f.recv(c1, R"({"t":"sub","ch":"secret"})");
  auto out = f.drain(c1);
  assert_string_equal(
      out[0].c_str(),
      R"({"t":"error","code":"forbidden","msg":"channel not allowed","ch":"secret"})");
  auto before = f.core->stats();
  assert_int_equal(f.core->publish("room:1", R"({"n":1})"), 3);
  auto after = f.core->stats();
  // One encoding for three subscribers.
  assert_int_equal(after.payload_encodings - before.payload_encodings, 1);
  assert_int_equal(after.messages_out - before.messages_out, 3);
  for (connection* c : {c1, c2, c3}) {
    out = f.drain(c);
    assert_int_equal(out.size(), 1);
    assert_string_equal(out[0].c_str(), R"({"t":"msg","s":1,"ch":"room:1","d":{"n":1}})");
  }
  // A client publish: the publisher's own subscription gets it too.
  f.recv(c2, R"({"t":"msg","c":1,"ch":"room:1","d":[2]})");
  out = f.drain(c1);
  assert_string_equal(out[0].c_str(), R"({"t":"msg","s":2,"ch":"room:1","d":[2]})");
  // A refused publish consumes its c and changes nothing else.
  f.recv(c2, R"({"t":"msg","c":2,"ch":"other","d":[3]})");
  out = f.drain(c2);
  assert_true(has(out, R"("code":"forbidden")") && has(out, R"("c":2)"));
  assert_true(f.drain(c1).empty());
  // Unsub: no more deliveries there.
  f.recv(c3, R"({"t":"unsub","ch":"room:1"})");
  out = f.drain(c3);
  assert_true(has(out, R"({"t":"unsuback","ch":"room:1"})"));
  assert_int_equal(f.core->publish("room:1", "4"), 2);
  assert_int_equal(f.core->publish("room:2", "4"), 0);
  assert_int_equal(f.core->publish("room:1", "not json"), 0);
}

void test_send(void**) {
  server_core_options o;
  o.replay_max_messages = 4;
  fixture f(o);
  fake_link l;
  connection* c = nullptr;
  auto w = f.hello(l, c);
  assert_int_equal(static_cast<int>(f.core->send("nobody", "1")),
                   static_cast<int>(send_status::dropped));
  assert_int_equal(static_cast<int>(f.core->send(w.sid, "{bad")),
                   static_cast<int>(send_status::dropped));
  assert_int_equal(static_cast<int>(f.core->send(w.sid, "1")), static_cast<int>(send_status::ok));
  assert_int_equal(static_cast<int>(f.core->send(w.sid, "2")), static_cast<int>(send_status::ok));
  // Above half the replay bound: backpressure.
  assert_int_equal(static_cast<int>(f.core->send(w.sid, "3")),
                   static_cast<int>(send_status::backpressure));
  auto out = f.drain(c);
  assert_int_equal(out.size(), 3);
  assert_string_equal(out[2].c_str(), R"({"t":"msg","s":3,"d":3})");
  f.recv(c, R"({"t":"ack","s":3})");
  assert_int_equal(static_cast<int>(f.core->send(w.sid, "4")), static_cast<int>(send_status::ok));
}

void test_ping_pong_and_idle(void**) {
  server_core_options o;
  o.heartbeat = 1000ms;
  fixture f(o);
  fake_link l;
  connection* c = nullptr;
  auto w = f.hello(l, c);
  f.recv(c, R"({"t":"ping"})");
  auto out = f.drain(c);
  assert_string_equal(out[0].c_str(), R"({"t":"pong"})");
  f.now += 1999ms;
  f.core->tick();
  assert_false(l.closed);
  assert_true(f.core->next_deadline() == f.now + 1ms);
  f.now += 1ms;
  f.core->tick();
  (void)f.drain(c);
  assert_true(l.closed);
  assert_int_equal(l.close_code, 4003);
  f.core->closed(c, {.code = 4003, .reason = {}, .clean = false});
  assert_true(f.ends.empty());  // detached, not ended
  // The session resumes.
  fake_link l2;
  connection* c2 = nullptr;
  auto w2 = f.hello(l2, c2,
                    R"({"t":"hello","v":1,"resume":{"sid":")" + w.sid + R"(","tk":")" + w.ticket +
                        R"(","ack":0}})");
  assert_true(w2.resumed);
  assert_string_equal(w2.sid.c_str(), w.sid.c_str());
}

void test_hello_timeout_and_required(void**) {
  server_core_options o;
  o.hello_timeout = 500ms;
  fixture f(o);
  fake_link l;
  connection* c = f.core->open(l, {});
  f.recv(c, R"({"t":"msg","c":1,"d":1})");
  auto out = f.drain(c);
  assert_string_equal(out[0].c_str(),
                      R"({"t":"error","code":"hello_required","msg":"send hello first","c":1})");
  assert_true(f.core->next_deadline() == f.now + 500ms);
  f.now += 500ms;
  f.core->tick();
  out = f.drain(c);
  assert_true(has(out, R"("code":"hello_required")"));
  assert_true(has(out, R"({"t":"close","code":4000,"reason":"hello timeout"})"));
  assert_true(l.closed);
}

void test_resume_replaces_and_replays(void**) {
  fixture f;
  fake_link l1;
  connection* c1 = nullptr;
  auto w = f.hello(l1, c1);
  for (int i = 1; i <= 5; ++i)
    (void)f.core->send(w.sid, std::to_string(i));
  (void)f.drain(c1);
  f.recv(c1, R"({"t":"ack","s":2})");
  f.recv(c1, R"({"t":"msg","c":1,"r":"echo","d":1})");
  // A second connection resumes while the first is still attached.
  fake_link l2;
  connection* c2 = f.core->open(l2, {});
  f.recv(c2, R"({"t":"hello","v":1,"resume":{"sid":")" + w.sid + R"(","tk":")" + w.ticket +
                 R"(","ack":3}})");
  (void)f.drain(c1);
  assert_true(l1.closed);
  assert_int_equal(l1.close_code, 4002);
  auto out = f.drain(c2);
  assert_int_equal(out.size(), 3);
  protocol::envelope w2;
  assert_int_equal(static_cast<int>(protocol::decode(out[0], protocol::sender::server, w2)), 0);
  assert_true(w2.resumed);
  assert_int_equal(w2.ack, 1);  // the welcome acks the processed c
  assert_string_equal(out[1].c_str(), R"({"t":"msg","s":4,"d":4})");
  assert_string_equal(out[2].c_str(), R"({"t":"msg","s":5,"d":5})");
  f.core->closed(c1, {});  // the replaced connection going away detaches nothing
  assert_int_equal(static_cast<int>(f.core->send(w.sid, "6")), static_cast<int>(send_status::ok));
  out = f.drain(c2);
  assert_string_equal(out[0].c_str(), R"({"t":"msg","s":6,"d":6})");
  auto st = f.core->stats();
  assert_int_equal(st.resumes_ok, 1);
  assert_true(has(f.logs, "event=resume sid=" + w.sid + " from=3"));
  // Resuming beyond what was sent: never guessed, the session is not
  // resumed.
  fake_link l3;
  connection* c3 = nullptr;
  auto w3 = f.hello(l3, c3,
                    R"({"t":"hello","v":1,"resume":{"sid":")" + w.sid + R"(","tk":")" + w.ticket +
                        R"(","ack":99}})");
  assert_false(w3.resumed);
  assert_string_equal(w3.lost.c_str(), "unknown");
}

void test_client_close_and_server_close(void**) {
  fixture f;
  fake_link l1, l2;
  connection *c1 = nullptr, *c2 = nullptr;
  auto w1 = f.hello(l1, c1);
  auto w2 = f.hello(l2, c2);
  f.recv(c1, R"({"t":"close","code":1000,"reason":"bye"})");
  (void)f.drain(c1);
  assert_true(l1.closed);
  assert_int_equal(l1.close_code, 1000);
  assert_int_equal(f.ends.size(), 1);
  assert_int_equal(static_cast<int>(f.ends[0].reason),
                   static_cast<int>(end_reason::closed_by_client));
  assert_string_equal(f.end_sids[0].c_str(), w1.sid.c_str());
  f.core->closed(c1, {.code = 1000, .reason = {}, .clean = true});
  assert_int_equal(f.ends.size(), 1);

  assert_true(f.core->close(w2.sid, 4000, "kicked"));
  assert_false(f.core->close(w2.sid, 4000, "kicked"));
  auto out = f.drain(c2);
  assert_string_equal(out.back().c_str(), R"({"t":"close","code":4000,"reason":"kicked"})");
  assert_true(l2.closed);
  assert_int_equal(f.ends.size(), 2);
  assert_int_equal(static_cast<int>(f.ends[1].reason),
                   static_cast<int>(end_reason::closed_by_server));
  assert_int_equal(f.core->stats().sessions, 0);
  // A resume of an ended session: unknown.
  fake_link l3;
  connection* c3 = nullptr;
  auto w3 = f.hello(l3, c3,
                    R"({"t":"hello","v":1,"resume":{"sid":")" + w1.sid + R"(","tk":")" + w1.ticket +
                        R"(","ack":0}})");
  assert_string_equal(w3.lost.c_str(), "unknown");
}

void test_handler_closes_own_session(void**) {
  fixture f;
  fake_link l;
  connection* c = nullptr;
  auto w = f.hello(l, c);
  f.core->route("bye", [&](const message& m) {
    assert_true(f.core->close(m.sid, 4000, "done"));
    // The views stay valid after the session ended.
    assert_string_equal(std::string(m.sid).c_str(), w.sid.c_str());
  });
  f.recv(c, R"({"t":"msg","c":1,"r":"bye","d":1})");
  f.recv(c, R"({"t":"msg","c":2,"r":"bye","d":1})");  // ignored: connection ending
  assert_int_equal(f.ends.size(), 1);
  (void)f.drain(c);
  assert_true(l.closed);
}

void test_expiry_and_overflow_in_fanout(void**) {
  server_core_options o;
  o.replay_max_messages = 2;
  o.session_ttl = 10s;
  fixture f(o);
  fake_link l1, l2;
  connection *c1 = nullptr, *c2 = nullptr;
  auto w1 = f.hello(l1, c1);
  auto w2 = f.hello(l2, c2, R"({"t":"hello","v":1})");
  f.recv(c1, R"({"t":"sub","ch":"x"})");
  f.recv(c2, R"({"t":"sub","ch":"x"})");
  (void)f.drain(c1);
  (void)f.drain(c2);
  f.core->closed(c1, {});  // 1 detaches
  assert_true(f.core->next_deadline() <= f.now + 10s);
  assert_int_equal(f.core->publish("x", "1"), 2);
  f.recv(c2, R"({"t":"ack","s":1})");
  assert_int_equal(f.core->publish("x", "2"), 2);
  f.recv(c2, R"({"t":"ack","s":2})");
  // 1 overflows during the fan-out; 2 still gets the message.
  assert_int_equal(f.core->publish("x", "3"), 1);
  assert_int_equal(f.ends.size(), 1);
  assert_int_equal(static_cast<int>(f.ends[0].reason),
                   static_cast<int>(end_reason::replay_overflow));
  assert_true(has(f.logs, "event=lost sid=" + w1.sid + " reason=overflow"));
  auto out = f.drain(c2);
  assert_int_equal(out.size(), 3);
  // The resume says why.
  fake_link l3;
  connection* c3 = nullptr;
  auto w3 = f.hello(l3, c3,
                    R"({"t":"hello","v":1,"resume":{"sid":")" + w1.sid + R"(","tk":")" + w1.ticket +
                        R"(","ack":0}})");
  assert_string_equal(w3.lost.c_str(), "overflow");
  // 2 detaches and expires after the TTL.
  f.core->closed(c2, {});
  f.now += 10s;
  f.core->tick();
  assert_int_equal(f.ends.size(), 2);
  assert_int_equal(static_cast<int>(f.ends[1].reason), static_cast<int>(end_reason::expired));
  assert_true(has(f.logs, "event=expire sid=" + w2.sid));
  f.core->tick();
  assert_int_equal(f.ends.size(), 2);
  fake_link l4;
  connection* c4 = nullptr;
  auto w4 = f.hello(l4, c4,
                    R"({"t":"hello","v":1,"resume":{"sid":")" + w2.sid + R"(","tk":")" + w2.ticket +
                        R"(","ack":0}})");
  assert_string_equal(w4.lost.c_str(), "expired");
  assert_int_equal(f.core->stats().resumes_lost, 2);
  // The tombstones go after their TTL.
  f.now += 11s;
  fake_link l5;
  connection* c5 = nullptr;
  auto w5 = f.hello(l5, c5,
                    R"({"t":"hello","v":1,"resume":{"sid":")" + w1.sid + R"(","tk":")" + w1.ticket +
                        R"(","ack":0}})");
  assert_string_equal(w5.lost.c_str(), "unknown");
}

void test_shutdown(void**) {
  fixture f;
  fake_link l1, l2;
  connection *c1 = nullptr, *c2 = nullptr;
  f.hello(l1, c1);
  f.hello(l2, c2);
  f.core->closed(c2, {});  // a detached session ends too
  fake_link l3;
  connection* c3 = f.core->open(l3, {});  // no hello yet
  f.core->shutdown(1001, "going away");
  assert_int_equal(f.ends.size(), 2);
  auto out = f.drain(c1);
  assert_string_equal(out.back().c_str(), R"({"t":"close","code":1001,"reason":"going away"})");
  assert_true(l1.closed && l1.close_code == 1001);
  (void)f.drain(c3);
  assert_true(l3.closed && l3.close_code == 1001);
  assert_int_equal(f.core->stats().sessions, 0);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_welcome),
      cmocka_unit_test(test_connect_hook_refuses),
      cmocka_unit_test(test_route_duplicate_gap),
      cmocka_unit_test(test_ack_every),
      cmocka_unit_test(test_channels_and_fanout),
      cmocka_unit_test(test_send),
      cmocka_unit_test(test_ping_pong_and_idle),
      cmocka_unit_test(test_hello_timeout_and_required),
      cmocka_unit_test(test_resume_replaces_and_replays),
      cmocka_unit_test(test_client_close_and_server_close),
      cmocka_unit_test(test_handler_closes_own_session),
      cmocka_unit_test(test_expiry_and_overflow_in_fanout),
      cmocka_unit_test(test_shutdown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
