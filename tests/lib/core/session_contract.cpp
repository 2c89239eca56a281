#include "session_contract.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "protocol/decode.h"

namespace resock::test {
namespace {

using core::clock_type;
using namespace std::chrono_literals;

#define CHECK(cond, ...)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      char buf_[512];                                                            \
      std::snprintf(buf_, sizeof buf_, __VA_ARGS__);                             \
      return std::string(__FILE__ ":") + std::to_string(__LINE__) + ": " + buf_; \
    }                                                                            \
  } while (0)

// Payloads are ["stream",n]: each stream numbers its messages 1, 2, 3...
std::string payload(const std::string& stream, std::uint64_t n) {
  return "[\"" + stream + "\"," + std::to_string(n) + "]";
}

bool parse_payload(std::string_view data, std::string& stream, std::uint64_t& n) {
  if (data.size() < 5 || data[0] != '[' || data[1] != '"') return false;
  auto q = data.find('"', 2);
  if (q == std::string_view::npos || q + 2 >= data.size() || data[q + 1] != ',') return false;
  stream = std::string(data.substr(2, q - 2));
  n = 0;
  for (std::size_t i = q + 2; i < data.size() && data[i] != ']'; ++i) {
    if (data[i] < '0' || data[i] > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(data[i] - '0');
  }
  return true;
}

struct client_record {
  std::uint64_t last_seq = 0;
  std::map<std::string, std::uint64_t> last_n;  // per stream
  std::uint64_t delivered = 0;
  int connected = 0;
  int resumed = 0;
  std::vector<std::string> lost;
  std::vector<std::uint64_t> unconfirmed;
  std::vector<std::string> errors;
  bool welcomed = false;  // on the current connection
  // After a resume: how many messages the client had to resend, and how
  // many envelopes have moved since (fewer moved than resends: a drop now
  // is certainly in the middle of the resend).
  std::size_t resends = 0;
  std::size_t moved_since_resume = 0;
  std::string violation;
};

struct peer {
  std::unique_ptr<core::client_core> core;
  std::unique_ptr<link_pair> link;
  client_record rec;
  std::vector<std::string> inbound;  // raw envelopes received, when tapped
};

struct harness {
  clock_type::time_point now = clock_type::time_point(std::chrono::hours(1));
  std::unique_ptr<core::server_core> server;
  std::vector<std::unique_ptr<peer>> peers;
  link_factory& factory;
  std::map<std::string, int> disconnects;  // sid -> runs
  std::map<std::string, end_reason> disconnect_reason;
  std::map<std::string, std::uint64_t> last_c;                          // sid -> last handled c
  std::map<std::string, std::map<std::string, std::uint64_t>> route_n;  // sid -> stream -> n
  std::string server_violation;
  std::uint64_t handled = 0;

  explicit harness(link_factory& f, core::server_core_options o = {}) : factory(f) {
    o.now = [this] { return now; };
    if (o.secret.empty()) o.secret = std::string(32, 'k');
    server = std::make_unique<core::server_core>(std::move(o));
    server->on_disconnect([this](const disconnect_info& d) {
      ++disconnects[std::string(d.sid)];
      disconnect_reason[std::string(d.sid)] = d.reason;
    });
    server->route("echo", [this](const message& m) {
      std::string sid(m.sid);
      auto& last = last_c[sid];
      // Publishes consume c too, so c may jump, but never repeat or go back.
      if (m.seq <= last && server_violation.empty()) {
        server_violation = "handler c " + std::to_string(m.seq) + " after " + std::to_string(last);
      }
      last = m.seq;
      std::string stream;
      std::uint64_t n = 0;
      if (!parse_payload(m.data, stream, n)) {
        server_violation = "bad payload " + std::string(m.data);
        return;
      }
      auto& ln = route_n[sid][stream];
      if (n != ln + 1 && server_violation.empty()) {
        server_violation =
            "route stream " + stream + " got " + std::to_string(n) + " after " + std::to_string(ln);
      }
      ln = n;
      ++handled;
    });
  }

  peer& add_client(std::size_t ack_every = 8) {
    auto p = std::make_unique<peer>();
    peer* raw = p.get();
    core::client_core_options co;
    co.ack_every = ack_every;
    co.ack_interval = 100ms;
    co.now = [this] { return now; };
    co.on_event = [raw](const client_event& e) { on_client_event(*raw, e); };
    p->core = std::make_unique<core::client_core>(std::move(co));
    p->link = factory.make(*server, *p->core);
    peers.push_back(std::move(p));
    return *raw;
  }

  static void on_client_event(peer& p, const client_event& e) {
    auto& r = p.rec;
    switch (e.type) {
      case client_event::kind::connected:
        ++r.connected;
        r.welcomed = true;
        r.last_seq = 0;
        r.last_n.clear();
        break;
      case client_event::kind::resumed:
        ++r.resumed;
        r.welcomed = true;
        r.resends = p.core->pending();
        r.moved_since_resume = 0;
        if (e.seq != r.last_seq && r.violation.empty()) r.violation = "resumed at wrong seq";
        break;
      case client_event::kind::lost:
        r.lost.emplace_back(e.code);
        r.unconfirmed.push_back(e.unconfirmed);
        break;
      case client_event::kind::error:
        r.errors.emplace_back(e.code);
        break;
      case client_event::kind::message: {
        if (e.seq != r.last_seq + 1 && r.violation.empty()) {
          r.violation = "seq " + std::to_string(e.seq) + " after " + std::to_string(r.last_seq);
        }
        r.last_seq = e.seq;
        ++r.delivered;
        std::string stream;
        std::uint64_t n = 0;
        if (!parse_payload(e.data, stream, n)) break;  // not a contract payload
        auto& ln = r.last_n[stream];
        if (n != ln + 1 && r.violation.empty()) {
          r.violation =
              "stream " + stream + " got " + std::to_string(n) + " after " + std::to_string(ln);
        }
        ln = n;
        break;
      }
      default:
        break;
    }
  }

  void connect(peer& p) {
    p.rec.welcomed = false;
    p.link->connect();
  }

  void drop(peer& p) {
    p.rec.welcomed = false;
    p.link->drop();
  }

  // Ticks everything; a client asking to drop its connection is obeyed.
  void tick() {
    server->tick();
    for (auto& p : peers) {
      if (p->core->tick() && p->link->connected()) drop(*p);
    }
  }

  void pump_all() {
    for (int round = 0; round < 1000; ++round) {
      std::size_t moved = 0;
      for (auto& p : peers)
        moved += p->link->pump();
      if (moved == 0) return;
    }
  }

  // Everything reconnected, delivered and acked.
  void settle() {
    for (int i = 0; i < 5; ++i) {
      for (auto& p : peers) {
        if (!p->link->connected()) connect(*p);
      }
      pump_all();
      now += 150ms;
      tick();
      pump_all();
    }
  }
};

}  // namespace

std::string check_exactly_once(link_factory& f, const contract_options& o) {
  core::server_core_options so;
  so.ack_every = 16;
  so.ack_interval = 100ms;
  harness h(f, so);
  std::mt19937 rng(o.seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };

  for (int i = 0; i < o.clients; ++i) {
    peer& p = h.add_client(1 + static_cast<std::size_t>(i) * 5);
    p.core->subscribe("chan");
    h.connect(p);
  }
  h.pump_all();

  std::map<std::string, std::uint64_t> direct_n;  // sid -> sent on stream "s"
  std::vector<std::uint64_t> publish_n(o.clients, 0), route_n(o.clients, 0);
  int drops = 0;
  int drops_with_unacked = 0;  // the client had unacked messages
  int drops_mid_resend = 0;    // ... right after a resume, while resending
  std::uint64_t direct_sends = 0;

  for (int it = 0; it < o.iterations; ++it) {
    int who = pick(o.clients);
    peer& p = *h.peers[who];
    int op = pick(100);
    if (op < 25) {
      std::string sid(p.core->sid());
      if (!sid.empty()) {
        auto st = h.server->send(sid, payload("s", direct_n[sid] + 1));
        CHECK(st != send_status::dropped, "send dropped at iteration %d", it);
        ++direct_n[sid];
        ++direct_sends;
      }
    } else if (op < 40) {
      auto c = p.core->publish("chan", payload("p" + std::to_string(who), publish_n[who] + 1));
      CHECK(c != 0, "publish refused");
      ++publish_n[who];
    } else if (op < 62) {
      auto c = p.core->send("echo", payload("r" + std::to_string(who), route_n[who] + 1));
      CHECK(c != 0, "send refused");
      ++route_n[who];
    } else if (op < 88) {
      if (p.link->connected()) {
        p.rec.moved_since_resume += p.link->pump(static_cast<std::size_t>(pick(24)));
      }
    } else if (op < 91) {
      // Drop only a welcomed connection: every drop must then be followed
      // by exactly one resume.
      if (p.link->connected() && p.rec.welcomed) {
        if (p.core->pending() > 0) ++drops_with_unacked;
        if (p.rec.moved_since_resume < p.rec.resends) ++drops_mid_resend;
        p.rec.resends = 0;
        h.drop(p);
        ++drops;
      }
    } else if (op < 96) {
      if (!p.link->connected()) h.connect(p);
    } else {
      h.now += std::chrono::milliseconds(pick(60));
      h.tick();
    }
    CHECK(p.rec.violation.empty(), "client %d: %s", who, p.rec.violation.c_str());
    CHECK(h.server_violation.empty(), "server: %s", h.server_violation.c_str());
  }
  h.settle();

  auto stats = h.server->stats();
  std::uint64_t sent_total = 0;
  for (int i = 0; i < o.clients; ++i) {
    peer& p = *h.peers[i];
    std::string sid(p.core->sid());
    CHECK(p.rec.violation.empty(), "client %d: %s", i, p.rec.violation.c_str());
    CHECK(p.rec.lost.empty(), "client %d lost its session (%s)", i, p.rec.lost[0].c_str());
    CHECK(p.rec.connected == 1, "client %d connected %d times", i, p.rec.connected);
    CHECK(p.core->pending() == 0, "client %d has %zu unacked", i, p.core->pending());
    // Server to client: the direct stream and every publisher's stream.
    CHECK(p.rec.last_n["s"] == direct_n[sid], "client %d got %" PRIu64 " of %" PRIu64 " sends", i,
          p.rec.last_n["s"], direct_n[sid]);
    for (int j = 0; j < o.clients; ++j) {
      std::string stream = "p" + std::to_string(j);
      CHECK(p.rec.last_n[stream] == publish_n[j],
            "client %d got %" PRIu64 " of %" PRIu64 " publishes of %d", i, p.rec.last_n[stream],
            publish_n[j], j);
    }
    // Client to server: each route message handled once.
    std::string rs = "r" + std::to_string(i);
    CHECK(h.route_n[sid][rs] == route_n[i],
          "server handled %" PRIu64 " of %" PRIu64 " from client %d", h.route_n[sid][rs],
          route_n[i], i);
    sent_total += p.rec.delivered;
  }
  int resumed = 0;
  for (auto& p : h.peers)
    resumed += p->rec.resumed;
  CHECK(resumed == drops, "resumes %d != drops %d", resumed, drops);
  CHECK(stats.resumes_ok == static_cast<std::uint64_t>(drops), "server resumes %" PRIu64,
        stats.resumes_ok);
  CHECK(stats.resumes_lost == 0, "server lost %" PRIu64, stats.resumes_lost);
  CHECK(stats.payload_encodings == stats.publishes + direct_sends,
        "encodings %" PRIu64 " != publishes %" PRIu64 " + sends %" PRIu64, stats.payload_encodings,
        stats.publishes, direct_sends);
  CHECK(h.disconnects.empty(), "a disconnect hook ran during the run");
  if (std::getenv("RESOCK_CONTRACT_VERBOSE")) {
    std::fprintf(stderr,
                 "[%s] seed %u: drops %d (%d with unacked, %d mid-resend), delivered %" PRIu64
                 ", handled %" PRIu64 ", duplicates in %" PRIu64 ", publishes %" PRIu64 "\n",
                 f.name(), o.seed, drops, drops_with_unacked, drops_mid_resend, sent_total,
                 h.handled, stats.duplicates_in, stats.publishes);
  }
  CHECK(drops > 10, "only %d drops: the run proves little", drops);
  CHECK(drops_with_unacked > 5, "only %d drops with unacked messages", drops_with_unacked);
  CHECK(drops_mid_resend > 0, "no drop in the middle of a resend");
  CHECK(sent_total > 2000, "only %" PRIu64 " messages delivered", sent_total);

  // Shutdown ends every session exactly once.
  h.server->shutdown(1001, "going away");
  h.pump_all();
  CHECK(h.disconnects.size() == static_cast<std::size_t>(o.clients), "disconnects %zu",
        h.disconnects.size());
  for (auto& [sid, n] : h.disconnects) {
    CHECK(n == 1, "disconnect ran %d times for %s", n, sid.c_str());
    CHECK(h.disconnect_reason[sid] == end_reason::closed_by_server, "wrong end reason");
  }
  CHECK(h.server->stats().sessions == 0, "sessions left after shutdown");
  return {};
}

std::string check_ttl_expiry(link_factory& f) {
  core::server_core_options so;
  so.session_ttl = 5s;
  harness h(f, so);
  peer& p = h.add_client();
  h.connect(p);
  h.pump_all();
  std::string sid(p.core->sid());
  CHECK(!sid.empty(), "no session");
  h.drop(p);
  // Unacked messages queued while away are reported as unconfirmed.
  p.core->send("echo", payload("r0", 1));
  p.core->send("echo", payload("r0", 2));
  h.now += 4s;
  h.tick();
  CHECK(h.disconnects.empty(), "expired early");
  h.now += 2s;
  h.tick();
  CHECK(h.disconnects[sid] == 1, "disconnect ran %d times", h.disconnects[sid]);
  CHECK(h.disconnect_reason[sid] == end_reason::expired, "reason not expired");
  h.tick();
  h.connect(p);
  h.pump_all();
  CHECK(p.rec.lost.size() == 1 && p.rec.lost[0] == "expired", "lost %s",
        p.rec.lost.empty() ? "(none)" : p.rec.lost[0].c_str());
  CHECK(p.rec.unconfirmed[0] == 2, "unconfirmed %" PRIu64, p.rec.unconfirmed[0]);
  CHECK(!p.core->sid().empty() && p.core->sid() != sid, "no new session");
  CHECK(p.rec.connected == 2, "connected %d", p.rec.connected);
  CHECK(h.disconnects[sid] == 1, "disconnect ran again");
  // The new session works.
  p.core->send("echo", payload("r0", 1));
  h.settle();
  CHECK(h.route_n[std::string(p.core->sid())]["r0"] == 1, "new session not handled");
  CHECK(h.server->stats().resumes_lost == 1, "resumes_lost");
  return {};
}

std::string check_overflow_while_away(link_factory& f) {
  core::server_core_options so;
  so.replay_max_messages = 5;
  harness h(f, so);
  peer& p = h.add_client();
  h.connect(p);
  h.pump_all();
  std::string sid(p.core->sid());
  h.drop(p);
  for (int i = 1; i <= 5; ++i) {
    CHECK(h.server->send(sid, payload("s", i)) != send_status::dropped, "send %d dropped", i);
  }
  CHECK(h.disconnects.empty(), "lost before the bound");
  CHECK(h.server->send(sid, payload("s", 6)) == send_status::dropped, "send 6 queued");
  CHECK(h.disconnects[sid] == 1, "disconnect ran %d times", h.disconnects[sid]);
  CHECK(h.disconnect_reason[sid] == end_reason::replay_overflow, "reason");
  h.connect(p);
  h.pump_all();
  CHECK(p.rec.lost.size() == 1 && p.rec.lost[0] == "overflow", "lost %s",
        p.rec.lost.empty() ? "(none)" : p.rec.lost[0].c_str());
  CHECK(p.rec.delivered == 0, "delivered from a lost session");
  CHECK(h.disconnects[sid] == 1, "disconnect ran again");
  return {};
}

std::string check_overflow_while_attached(link_factory& f) {
  core::server_core_options so;
  so.replay_max_messages = 3;
  harness h(f, so);
  peer& p = h.add_client(1000);  // never acks by count
  h.connect(p);
  h.pump_all();
  std::string sid(p.core->sid());
  for (int i = 1; i <= 4; ++i)
    (void)h.server->send(sid, payload("s", i));
  h.pump_all();
  CHECK(h.disconnects[sid] == 1 && h.disconnect_reason[sid] == end_reason::replay_overflow,
        "no overflow");
  CHECK(p.link->last_close_code() == 4001, "close code %u", p.link->last_close_code());
  CHECK(p.rec.lost.size() == 1 && p.rec.lost[0] == "overflow", "client not told");
  CHECK(!p.link->connected(), "connection still up");
  h.connect(p);
  h.pump_all();
  CHECK(p.rec.connected == 2 && p.rec.lost.size() == 1, "no clean new session");
  return {};
}

std::string check_bad_tickets(link_factory& f) {
  harness h(f);
  peer& a = h.add_client();
  peer& b = h.add_client();
  peer& c = h.add_client();
  std::string b_ticket;
  b.link->tap_client_inbound([&](std::string_view env) {
    protocol::envelope e;
    if (protocol::decode(env, protocol::sender::server, e) == protocol::error::none &&
        e.t == protocol::type::welcome) {
      b_ticket = e.ticket;
    }
  });
  h.connect(a);
  h.connect(b);
  h.pump_all();
  std::string a_sid(a.core->sid());
  CHECK(!b_ticket.empty(), "no ticket seen");
  h.drop(a);

  std::vector<protocol::envelope> seen;
  c.link->tap_client_inbound([&](std::string_view env) {
    protocol::envelope e;
    if (protocol::decode(env, protocol::sender::server, e) == protocol::error::none) {
      seen.push_back(e);
    }
  });
  auto try_ticket = [&](const std::string& tk) -> std::string {
    seen.clear();
    h.connect(c);
    // Before the client core's own hello is written: this one is first.
    c.link->inject_to_server(R"({"t":"hello","v":1,"resume":{"sid":")" + a_sid + R"(","tk":")" +
                             tk + R"(","ack":0}})");
    c.link->pump();
    h.drop(c);
    for (const auto& e : seen) {
      if (e.t == protocol::type::welcome) return e.resumed ? "resumed" : e.lost;
    }
    return "no welcome";
  };
  std::string forged(43, 'A');
  CHECK(try_ticket(forged) == "ticket", "forged ticket: %s", try_ticket(forged).c_str());
  CHECK(try_ticket(b_ticket) == "ticket", "other session's ticket accepted");
  CHECK(try_ticket("") == "ticket", "empty ticket accepted");
  // The real session was not touched: its client resumes.
  CHECK(h.disconnects.count(a_sid) == 0, "session a ended");
  h.connect(a);
  h.pump_all();
  CHECK(a.rec.resumed == 1 && a.rec.lost.empty(), "a did not resume");
  CHECK(a.core->sid() == a_sid, "a changed session");
  return {};
}

std::string check_malformed_envelopes(link_factory& f) {
  harness h(f);
  peer& p = h.add_client();
  h.connect(p);
  h.pump_all();
  struct {
    const char* input;
    const char* code;
  } const cases[] = {
      {"not json", "bad_json"},
      {"[1,2]", "bad_json"},
      {R"({"t":"msg","c":1,"d":1} x)", "bad_json"},
      {R"({"t":"nope"})", "unknown_type"},
      {R"({"t":"welcome"})", "unknown_type"},
      {R"({"c":1})", "bad_envelope"},
      {R"({"t":"msg","c":"x","d":1})", "bad_envelope"},
      {R"({"t":"msg","c":1})", "bad_envelope"},
      {R"({"t":"msg","c":1,"ch":"a","r":"b","d":1})", "bad_envelope"},
      {R"({"t":"msg","c":99,"r":"echo","d":1})", "bad_envelope"},
      {R"({"t":"sub"})", "bad_envelope"},
      {R"({"t":"ack","s":-1})", "bad_envelope"},
      {R"({"t":"ack","s":1000})", "bad_envelope"},
      {R"({"t":"hello","v":1})", "already_hello"},
  };
  for (const auto& tc : cases) {
    p.rec.errors.clear();
    p.link->inject_to_server(tc.input);
    h.pump_all();
    CHECK(p.rec.errors.size() == 1 && p.rec.errors[0] == tc.code, "%s: got %s", tc.input,
          p.rec.errors.empty() ? "(no error)" : p.rec.errors[0].c_str());
    CHECK(p.link->connected(), "%s closed the connection", tc.input);
  }
  // A route nobody handles (and no default handler): unknown_route, and
  // the c is consumed (the next message is not a gap).
  p.rec.errors.clear();
  p.core->send("nowhere", "1");
  h.pump_all();
  CHECK(p.rec.errors.size() == 1 && p.rec.errors[0] == "unknown_route", "unknown_route");
  // The connection still carries messages both ways.
  p.core->send("echo", payload("r0", 1));
  h.settle();
  std::string sid(p.core->sid());
  CHECK(h.route_n[sid]["r0"] == 1, "route got %" PRIu64, h.route_n[sid]["r0"]);
  (void)h.server->send(sid, payload("s", 1));
  h.settle();
  CHECK(p.rec.last_n["s"] == 1, "server message not delivered");

  // Before hello: hello_required; unsupported version: its own code.
  peer& q = h.add_client();
  h.connect(q);
  q.link->inject_to_server(R"({"t":"sub","ch":"x"})");
  q.link->inject_to_server(R"({"t":"hello","v":2})");
  q.link->pump();
  CHECK(q.rec.errors.size() >= 2 && q.rec.errors[0] == "hello_required" &&
            q.rec.errors[1] == "unsupported_version",
        "pre-hello errors wrong");
  // Too big: error too_big, then the connection closes with 1009 (the
  // session stays for resume).
  h.pump_all();
  std::string big = R"({"t":"msg","c":3,"r":"echo","d":")" + std::string(2u << 20, 'x') + "\"}";
  p.rec.errors.clear();
  p.link->inject_to_server(big);
  h.pump_all();
  CHECK(!p.rec.errors.empty() && p.rec.errors[0] == "too_big", "too_big not reported");
  CHECK(p.link->last_close_code() == 1009, "close %u", p.link->last_close_code());
  h.settle();
  CHECK(p.rec.resumed == 1 && p.rec.lost.empty(), "no resume after too_big");
  return {};
}

}  // namespace resock::test
