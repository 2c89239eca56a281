// Whole-session fuzzer: the input is a program of operations on a
// server_core and a client_core joined by the in-memory transport —
// publish, send, subscribe, drop the link, advance the clock, close, and
// raw bytes injected as envelopes from either side. After every operation
// the delivery contract must hold: the client never delivers a seq twice
// or out of order, and the server never runs a handler twice for one c.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/client_core.h"
#include "core/memory_link.h"
#include "core/server_core.h"

using namespace resock;
using namespace resock::core;
using namespace std::chrono_literals;

namespace {

struct reader {
  const std::uint8_t* p;
  std::size_t n;
  std::uint8_t byte() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::string_view bytes(std::size_t len) {
    len = len < n ? len : n;
    std::string_view s(reinterpret_cast<const char*>(p), len);
    p += len;
    n -= len;
    return s;
  }
};

// Envelopes worth injecting whole: fuzzed bytes rarely form valid ones,
// and these reach the duplicate, gap, replay and control paths.
const char* const kToServer[] = {
    R"({"t":"msg","c":1,"r":"r","d":1})",
    R"({"t":"msg","c":2,"r":"r","d":2})",
    R"({"t":"msg","c":5,"ch":"a","d":5})",
    R"({"t":"ack","s":1})",
    R"({"t":"ack","s":3})",
    R"({"t":"sub","ch":"a"})",
    R"({"t":"unsub","ch":"a"})",
    R"({"t":"sub","ch":"no:1"})",
    R"({"t":"ping"})",
    R"({"t":"hello","v":1})",
    R"({"t":"close","code":1000})",
    R"({"t":"msg","c":1,"d":1})",
};
const char* const kToClient[] = {
    R"({"t":"msg","s":1,"d":1})",
    R"({"t":"msg","s":2,"ch":"a","d":2})",
    R"({"t":"msg","s":9,"d":9})",
    R"({"t":"ack","c":1})",
    R"({"t":"ping"})",
    R"({"t":"pong"})",
    R"({"t":"error","code":"forbidden","msg":"x","ch":"a"})",
    R"({"t":"close","code":4001,"reason":"x"})",
    R"({"t":"welcome","v":1,"sid":"X","tk":"T","hb":100,"resumed":true,"ack":0})",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  reader in{data, size};
  auto now = clock_type::time_point(std::chrono::hours(1));

  server_core_options so;
  so.secret = std::string(32, 'k');
  so.replay_max_messages = 40;
  so.replay_max_bytes = 4096;
  so.session_ttl = 3s;
  so.heartbeat = 1s;
  so.ack_every = 3;
  so.ack_interval = 50ms;
  so.hello_timeout = 2s;
  so.max_message_size = 4096;
  so.now = [&] { return now; };
  server_core server(so);

  // Invariant: a handler runs at most once per (sid, c), in increasing c.
  std::map<std::string, std::uint64_t> last_c;
  auto on_msg = [&](const message& m) {
    auto& last = last_c[std::string(m.sid)];
    if (m.seq <= last) std::abort();
    last = m.seq;
  };
  server.route("r", on_msg);
  server.on_default(on_msg);
  server.on_connect([](const connect_request&) {
    connect_result r;
    r.channels = {"a", "b", "room:*"};
    return r;
  });
  int ends = 0;
  server.on_disconnect([&](const disconnect_info&) { ++ends; });

  // Invariant: per session, delivered seqs are 1, 2, 3... with no repeat.
  std::uint64_t delivered = 0;
  client_core_options co;
  co.ack_every = 2;
  co.ack_interval = 50ms;
  co.max_pending = 64;
  co.now = [&] { return now; };
  co.on_event = [&](const client_event& e) {
    switch (e.type) {
      case client_event::kind::connected:
      case client_event::kind::lost:
        delivered = 0;
        break;
      case client_event::kind::resumed:
        if (e.seq != delivered) std::abort();
        break;
      case client_event::kind::message:
        if (e.seq != delivered + 1) std::abort();
        delivered = e.seq;
        break;
      default:
        break;
    }
  };
  client_core client(co);
  memory_pair pair(server, client);
  client.subscribe("a");
  pair.connect();

  const char* channels[] = {"a", "b", "room:1", "nope"};
  int steps = 0;
  while (in.n > 0 && ++steps < 4000) {
    std::uint8_t op = in.byte();
    std::uint8_t arg = in.byte();
    switch (op % 16) {
      case 0:
        (void)client.publish(channels[arg % 4], std::to_string(arg));
        break;
      case 1:
        (void)client.send(arg & 1 ? "r" : "", std::to_string(arg));
        break;
      case 2:
        if (arg & 1) {
          client.subscribe(channels[arg % 4]);
        } else {
          client.unsubscribe(channels[(arg >> 1) % 4]);
        }
        break;
      case 3:
        if (!client.sid().empty()) (void)server.send(client.sid(), std::to_string(arg));
        break;
      case 4:
        (void)server.publish(channels[arg % 4], "[" + std::to_string(arg) + "]");
        break;
      case 5:
      case 6:
        pair.pump(arg % 32);
        break;
      case 7:
        pair.drop();
        break;
      case 8:
        pair.connect();
        break;
      case 9:
        now += std::chrono::milliseconds(arg * 10);
        server.tick();
        if (client.tick()) pair.drop();
        break;
      case 10:
        pair.inject(memory_pair::direction::to_server, in.bytes(arg));
        break;
      case 11:
        pair.inject(memory_pair::direction::to_client, in.bytes(arg));
        break;
      case 12:
        pair.inject(memory_pair::direction::to_server,
                    kToServer[arg % (sizeof kToServer / sizeof *kToServer)]);
        break;
      case 13:
        pair.inject(memory_pair::direction::to_client,
                    kToClient[arg % (sizeof kToClient / sizeof *kToClient)]);
        break;
      case 14:
        if (arg & 1) {
          (void)server.close(client.sid(), 4000, "fuzz");
        } else {
          client.close();
        }
        break;
      case 15:
        if (arg == 0) server.shutdown(1001, "fuzz");
        pair.pump();
        break;
    }
  }
  // Wind down: everything delivered must still obey the contract.
  pair.pump();
  pair.drop();
  now += 10s;
  server.tick();
  if (server.stats().sessions != 0) std::abort();  // every detached session expired
  if (server.stats().connections != 0) std::abort();
  (void)ends;
  return 0;
}
