// Tests of lib/core/client_core.cpp, fed server envelopes by hand.
#include "core/client_core.h"

#include <string>
#include <vector>

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
using kind = client_event::kind;

struct seen_event {
  kind type;
  std::string sid;
  std::uint64_t seq;
  std::string channel;
  std::string data;
  std::string code;
  std::uint64_t unconfirmed;
};

struct fixture {
  clock_type::time_point now = clock_type::time_point(std::chrono::hours(1));
  std::vector<seen_event> events;
  std::unique_ptr<client_core> core;

  explicit fixture(client_core_options o = {}) {
    o.now = [this] { return now; };
    o.on_event = [this](const client_event& e) {
      events.push_back({e.type, std::string(e.sid), e.seq, std::string(e.channel),
                        std::string(e.data), std::string(e.code), e.unconfirmed});
    };
    core = std::make_unique<client_core>(std::move(o));
  }
  void recv(std::string_view text) {
    core->receive({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }
  std::vector<std::string> drain() {
    std::vector<std::string> out;
    std::string buf;
    while (core->has_output()) {
      buf.clear();
      if (!core->writable(buf)) fail_msg("has_output but nothing written");
      out.push_back(buf);
    }
    buf.clear();
    if (core->writable(buf)) fail_msg("writable after has_output went false: %s", buf.c_str());
    return out;
  }
  static std::string welcome(std::string_view sid, bool resumed, std::uint64_t ack,
                             std::string_view lost = {}, std::uint64_t hb = 25000) {
    std::string w = R"({"t":"welcome","v":1,"sid":")" + std::string(sid) + R"(","tk":"TK-)" +
                    std::string(sid) + R"(","hb":)" + std::to_string(hb) + R"(,"resumed":)" +
                    (resumed ? "true" : "false") + R"(,"ack":)" + std::to_string(ack);
    if (!lost.empty()) w += R"(,"lost":")" + std::string(lost) + "\"";
    return w + "}";
  }
  // Connects and completes a first welcome for session `sid`.
  void up(std::string_view sid = "S1") {
    core->connected(transport_kind::websocket);
    auto out = drain();
    if (out.empty()) fail_msg("no hello");
    recv(welcome(sid, false, 0));
  }
};

void test_hello_welcome_and_queued_messages(void**) {
  fixture f;
  // Queued before any connection: sent after the welcome.
  assert_int_equal(f.core->publish("chat", R"({"a":1})"), 1);
  assert_int_equal(f.core->send("echo", "2"), 2);
  f.core->subscribe("chat");
  assert_false(f.core->has_output());  // not connected
  f.core->connected(transport_kind::websocket);
  auto out = f.drain();
  assert_int_equal(out.size(), 1);  // only the hello before the welcome
  assert_string_equal(out[0].c_str(), R"({"t":"hello","v":1})");
  f.recv(fixture::welcome("S1", false, 0));
  assert_int_equal(f.events.size(), 1);
  assert_int_equal(static_cast<int>(f.events[0].type), static_cast<int>(kind::connected));
  assert_string_equal(f.events[0].sid.c_str(), "S1");
  assert_string_equal(std::string(f.core->sid()).c_str(), "S1");
  assert_true(f.core->heartbeat() == 25000ms);
  out = f.drain();
  assert_int_equal(out.size(), 3);
  assert_string_equal(out[0].c_str(), R"({"t":"sub","ch":"chat"})");
  assert_string_equal(out[1].c_str(), R"({"t":"msg","c":1,"ch":"chat","d":{"a":1}})");
  assert_string_equal(out[2].c_str(), R"({"t":"msg","c":2,"r":"echo","d":2})");
  assert_int_equal(f.core->pending(), 2);
  f.recv(R"({"t":"ack","c":1})");
  assert_int_equal(f.core->pending(), 1);
  f.recv(R"({"t":"ack","c":2})");
  assert_int_equal(f.core->pending(), 0);
}

void test_auth_in_hello(void**) {
  client_core_options o;
  o.auth = "tok\"en";
  fixture f(o);
  f.core->connected(transport_kind::sse);
  auto out = f.drain();
  assert_string_equal(out[0].c_str(), R"({"t":"hello","v":1,"auth":"tok\"en"})");
}

void test_dedupe_and_gap(void**) {
  client_core_options o;
  o.ack_every = 2;
  fixture f(o);
  f.up();
  f.events.clear();
  f.recv(R"({"t":"msg","s":1,"ch":"c","d":[1]})");
  f.recv(R"({"t":"msg","s":1,"ch":"c","d":[1]})");  // duplicate: dropped
  assert_int_equal(f.events.size(), 1);
  assert_string_equal(f.events[0].channel.c_str(), "c");
  assert_string_equal(f.events[0].data.c_str(), "[1]");
  // The duplicate counts toward the ack: our earlier ack evidently got lost.
  auto out = f.drain();
  assert_int_equal(out.size(), 1);
  assert_string_equal(out[0].c_str(), R"({"t":"ack","s":1})");
  f.recv(R"({"t":"msg","s":2,"d":2})");
  assert_false(f.core->tick());
  f.recv(R"({"t":"msg","s":4,"d":4})");  // gap: never skipped
  assert_int_equal(f.core->last_seq(), 2);
  assert_true(f.core->tick());           // the transport must drop and resume
  f.recv(R"({"t":"msg","s":3,"d":3})");  // ignored until reconnected
  assert_int_equal(f.core->last_seq(), 2);
}

void test_ack_interval(void**) {
  client_core_options o;
  o.ack_every = 100;
  o.ack_interval = 50ms;
  fixture f(o);
  f.up();
  f.recv(R"({"t":"msg","s":1,"d":1})");
  assert_false(f.core->has_output());
  f.now += 50ms;
  assert_false(f.core->tick());
  auto out = f.drain();
  assert_int_equal(out.size(), 1);
  assert_string_equal(out[0].c_str(), R"({"t":"ack","s":1})");
}

void test_resume_resends_unacked(void**) {
  fixture f;
  f.up();
  f.recv(R"({"t":"msg","s":1,"d":1})");
  f.recv(R"({"t":"msg","s":2,"d":2})");
  for (int i = 0; i < 3; ++i)
    (void)f.core->send("r", std::to_string(i));
  (void)f.drain();
  f.core->disconnected();
  (void)f.core->send("r", "3");  // queued while away
  f.core->subscribe("late");
  f.events.clear();
  f.core->connected(transport_kind::websocket);
  auto out = f.drain();
  assert_int_equal(out.size(), 1);
  assert_string_equal(out[0].c_str(),
                      R"({"t":"hello","v":1,"resume":{"sid":"S1","tk":"TK-S1","ack":2}})");
  // The server had processed c=1 and c=2.
  f.recv(fixture::welcome("S1", true, 2));
  assert_int_equal(f.events.size(), 1);
  assert_int_equal(static_cast<int>(f.events[0].type), static_cast<int>(kind::resumed));
  assert_int_equal(f.events[0].seq, 2);
  out = f.drain();
  assert_int_equal(out.size(), 3);
  assert_string_equal(out[0].c_str(), R"({"t":"sub","ch":"late"})");
  assert_string_equal(out[1].c_str(), R"({"t":"msg","c":3,"r":"r","d":2})");
  assert_string_equal(out[2].c_str(), R"({"t":"msg","c":4,"r":"r","d":3})");
  // A replayed message already delivered is dropped; the next one goes on.
  f.recv(R"({"t":"msg","s":2,"d":2})");
  f.recv(R"({"t":"msg","s":3,"d":3})");
  assert_int_equal(f.core->last_seq(), 3);
}

void test_lost_session(void**) {
  fixture f;
  f.core->subscribe("a");
  f.core->subscribe("b");
  f.up();
  (void)f.drain();
  f.recv(R"({"t":"msg","s":1,"d":1})");
  (void)f.core->send("r", "1");
  (void)f.core->send("r", "2");
  (void)f.drain();
  f.core->disconnected();
  f.events.clear();
  f.core->connected(transport_kind::websocket);
  (void)f.drain();
  f.recv(fixture::welcome("S2", false, 0, "expired"));
  assert_int_equal(f.events.size(), 2);
  assert_int_equal(static_cast<int>(f.events[0].type), static_cast<int>(kind::lost));
  assert_string_equal(f.events[0].code.c_str(), "expired");
  assert_int_equal(f.events[0].unconfirmed, 2);
  assert_string_equal(f.events[0].sid.c_str(), "S1");
  assert_int_equal(static_cast<int>(f.events[1].type), static_cast<int>(kind::connected));
  assert_string_equal(f.events[1].sid.c_str(), "S2");
  assert_int_equal(f.core->pending(), 0);
  assert_int_equal(f.core->last_seq(), 0);
  // Subscriptions are re-sent; seqs restart.
  auto out = f.drain();
  assert_int_equal(out.size(), 2);
  assert_string_equal(out[0].c_str(), R"({"t":"sub","ch":"a"})");
  assert_string_equal(out[1].c_str(), R"({"t":"sub","ch":"b"})");
  assert_int_equal(f.core->send("r", "\"x\""), 1);
  f.recv(R"({"t":"msg","s":1,"d":1})");
  assert_int_equal(f.core->last_seq(), 1);
}

void test_heartbeat(void**) {
  fixture f;
  f.core->connected(transport_kind::websocket);
  (void)f.drain();
  f.recv(fixture::welcome("S1", false, 0, {}, 1000));
  f.now += 999ms;
  assert_false(f.core->tick());
  assert_false(f.core->has_output());
  f.now += 1ms;
  assert_false(f.core->tick());
  auto out = f.drain();
  assert_int_equal(out.size(), 1);
  assert_string_equal(out[0].c_str(), R"({"t":"ping"})");
  f.now += 500ms;
  f.recv(R"({"t":"pong"})");
  f.now += 999ms;
  assert_false(f.core->tick());
  f.now += 1ms;
  assert_false(f.core->tick());  // another ping
  (void)f.drain();
  f.now += 999ms;
  assert_false(f.core->tick());
  f.now += 1ms;
  assert_true(f.core->tick());  // no pong within hb: dead
  // The server's ping is answered.
  f.core->disconnected();
  f.up("S9");
  f.recv(R"({"t":"ping"})");
  out = f.drain();
  assert_string_equal(out.back().c_str(), R"({"t":"pong"})");
}

void test_errors_and_close(void**) {
  fixture f;
  f.core->subscribe("secret");
  f.up();
  (void)f.drain();
  f.events.clear();
  f.recv(R"({"t":"error","code":"forbidden","msg":"no","ch":"secret"})");
  assert_int_equal(f.events.size(), 1);
  assert_int_equal(static_cast<int>(f.events[0].type), static_cast<int>(kind::error));
  assert_string_equal(f.events[0].code.c_str(), "forbidden");
  // The refused channel is no longer wanted: a new session does not ask.
  f.recv("not json");
  assert_string_equal(f.events.back().code.c_str(), "bad_json");
  assert_int_equal(f.core->publish("c", "{bad"), 0);
  assert_string_equal(f.events.back().code.c_str(), "bad_json");
  assert_int_equal(f.core->publish("", "1"), 0);
  // The server ends the session for overflow.
  (void)f.core->send("r", "1");
  (void)f.drain();
  f.events.clear();
  f.recv(R"({"t":"close","code":4001,"reason":"replay overflow"})");
  assert_int_equal(f.events.size(), 1);
  assert_int_equal(static_cast<int>(f.events[0].type), static_cast<int>(kind::lost));
  assert_string_equal(f.events[0].code.c_str(), "overflow");
  assert_int_equal(f.events[0].unconfirmed, 1);
  assert_true(f.core->tick());
  f.core->disconnected();
  f.core->connected(transport_kind::websocket);
  auto out = f.drain();
  assert_string_equal(out[0].c_str(), R"({"t":"hello","v":1})");  // a fresh session
  f.recv(fixture::welcome("S2", false, 0));
  out = f.drain();
  assert_true(out.empty());  // "secret" was refused
}

void test_client_close(void**) {
  fixture f;
  f.up();
  (void)f.core->send("r", "1");
  f.core->close();
  auto out = f.drain();
  assert_int_equal(out.size(), 1);
  assert_string_equal(out[0].c_str(), R"({"t":"close","code":1000,"reason":"bye"})");
  assert_true(f.core->sid().empty());
  assert_int_equal(f.core->pending(), 0);
}

void test_too_big_and_max_pending(void**) {
  client_core_options o;
  o.max_pending = 2;
  fixture f(o);
  f.core->connected(transport_kind::websocket);
  (void)f.drain();
  f.recv(R"({"t":"welcome","v":1,"sid":"S","tk":"T","hb":0,"resumed":false,"ack":0,)"
         R"("limits":{"max_message":64,"replay_messages":1,"replay_bytes":1,"ttl":1}})");
  assert_int_equal(f.core->send("r", "\"" + std::string(64, 'x') + "\""), 0);
  assert_string_equal(f.events.back().code.c_str(), "too_big");
  assert_int_equal(f.core->send("r", "1"), 1);
  assert_int_equal(f.core->send("r", "2"), 2);
  assert_int_equal(f.core->send("r", "3"), 0);
  assert_string_equal(f.events.back().code.c_str(), "backpressure");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hello_welcome_and_queued_messages),
      cmocka_unit_test(test_auth_in_hello),
      cmocka_unit_test(test_dedupe_and_gap),
      cmocka_unit_test(test_ack_interval),
      cmocka_unit_test(test_resume_resends_unacked),
      cmocka_unit_test(test_lost_session),
      cmocka_unit_test(test_heartbeat),
      cmocka_unit_test(test_errors_and_close),
      cmocka_unit_test(test_client_close),
      cmocka_unit_test(test_too_big_and_max_pending),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
