// chaos_relay: a TCP relay on libuv that sits between resock clients and
// resockd and cuts connections at random moments, so that the integration
// test can prove resume, resend and dedupe under the failures real networks
// produce: a cut between frames, a cut in the middle of a frame (part of a
// read forwarded, the rest dropped), a cut during the handshake, and a cut
// just after a reconnect while the client is re-sending its unacked
// messages.
//
//   chaos_relay --target 127.0.0.1:PORT [--listeners N] [--seed S]
//               [--grace MS] [--min-life MS] [--max-life MS] [--no-chaos]
//               [--hold IDX:MS] [--hold-mode refuse|park]
//
// Prints "PORT <idx> <port>" per listener (one listener per client, so cuts
// can be matched with each client's resumes), logs each cut on stderr, and
// on SIGTERM prints per-listener figures:
//   CUTS listener=<i> total=<n> welcomed=<n> timed=<n> midframe=<n>
//        resend=<n> handshake=<n> held=<n> connections=<n>
// `welcomed` counts cuts of connections whose whole welcome frame had been
// forwarded to the client: each of those must give the client one resume.
// SIGUSR1 with --hold IDX:MS cuts listener IDX's connections and, for MS
// ms, refuses new ones (accept, then close) or, with --hold-mode park,
// accepts them and holds their bytes until the hold ends (a blackhole that
// lifts): the client is then back at a known moment, whatever its backoff.
#include <uv.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

enum class mode : std::uint8_t { timed, midframe, resend, handshake };
const char* mode_name(mode m) {
  switch (m) {
    case mode::timed:
      return "timed";
    case mode::midframe:
      return "midframe";
    case mode::resend:
      return "resend";
    case mode::handshake:
      return "handshake";
  }
  return "?";
}

struct listener_stats {
  std::uint64_t total = 0, welcomed = 0, timed = 0, midframe = 0, resend = 0, handshake = 0,
                held = 0, connections = 0;
};

struct relay;
struct listener;

// One client connection and its upstream connection to the server.
struct conn {
  relay* r = nullptr;
  listener* l = nullptr;
  std::uint64_t id = 0;
  uv_tcp_t down{};  // to the client
  uv_tcp_t up{};    // to resockd
  uv_connect_t connect_req{};
  uv_timer_t timer{};
  int open_handles = 0;
  bool up_ready = false;
  bool closing = false;
  mode m = mode::timed;
  std::string pending_up;  // client bytes that arrived before the upstream connected
  // Server-to-client parsing, only far enough to know when the welcome (the
  // first WebSocket frame after the 101 response) has been fully forwarded.
  std::string s2c_head;
  std::uint64_t s2c_total = 0;
  std::uint64_t welcome_end = 0;  // s2c byte offset where the welcome ends; 0: unknown yet
  bool welcomed = false;
  std::uint64_t budget = 0;  // midframe: bytes after the welcome before the cut
  bool budget_c2s = true;    // which direction the midframe cut splits
  std::uint64_t after_welcome = 0;
};

struct listener {
  relay* r = nullptr;
  int index = 0;
  uv_tcp_t tcp{};
  listener_stats st;
  std::vector<conn*> live;
  bool last_was_cut = false;  // the next connection is a reconnect
  std::uint64_t refuse_until = 0;
};

struct relay {
  uv_loop_t* loop = nullptr;
  sockaddr_storage target{};
  std::vector<std::unique_ptr<listener>> listeners;
  std::mt19937_64 rng;
  std::uint64_t start = 0, grace = 0, min_life = 80, max_life = 400;
  bool chaos = true;
  int hold_index = -1;
  std::uint64_t hold_ms = 0;
  bool park = false;
  std::uint64_t next_id = 0;
  uv_signal_t sigterm{}, sigint{}, sigusr1{};

  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  }
  double chance() { return std::uniform_real_distribution<double>(0, 1)(rng); }
};

void log(const std::string& s) {
  std::fprintf(stderr, "chaos_relay: %s\n", s.c_str());
}

void on_closed(uv_handle_t* h) {
  auto* c = static_cast<conn*>(h->data);
  if (--c->open_handles == 0) delete c;
}

void close_conn(conn* c) {
  if (c->closing) return;
  c->closing = true;
  auto& live = c->l->live;
  std::erase(live, c);
  for (uv_handle_t* h :
       {reinterpret_cast<uv_handle_t*>(&c->down), reinterpret_cast<uv_handle_t*>(&c->up),
        reinterpret_cast<uv_handle_t*>(&c->timer)})
    if (!uv_is_closing(h)) uv_close(h, on_closed);
}

// Counts and performs a cut: both sockets close at once, like a network
// that stops carrying packets (the peers see EOF or a reset, no close frame).
void cut(conn* c, mode why, bool held = false) {
  if (c->closing) return;
  listener_stats& st = c->l->st;
  if (held) {
    ++st.held;
  } else {
    ++st.total;
    if (c->welcomed) ++st.welcomed;
    switch (why) {
      case mode::timed:
        ++st.timed;
        break;
      case mode::midframe:
        ++st.midframe;
        break;
      case mode::resend:
        ++st.resend;
        break;
      case mode::handshake:
        ++st.handshake;
        break;
    }
  }
  c->l->last_was_cut = true;
  log("cut listener=" + std::to_string(c->l->index) + " conn=" + std::to_string(c->id) +
      " mode=" + (held ? "held" : mode_name(why)) + " welcomed=" + (c->welcomed ? "1" : "0") +
      " s2c=" + std::to_string(c->s2c_total));
  close_conn(c);
}

bool cuts_allowed(relay* r) {
  return r->chaos && uv_now(r->loop) - r->start >= r->grace;
}

struct write_req {
  uv_write_t req{};
  std::string data;
};

void write_to(uv_tcp_t* dst, std::string_view bytes) {
  if (bytes.empty()) return;
  auto* w = new write_req;
  w->data.assign(bytes);
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(dst), &buf, 1,
                    [](uv_write_t* req, int) { delete reinterpret_cast<write_req*>(req); });
  if (rc != 0) delete w;
}

// Learns where the welcome frame ends in the server-to-client stream: after
// the HTTP head ("\r\n\r\n"), a server frame is unmasked, so its length is
// in the 2..10 byte header.
void track_welcome(conn* c, std::string_view bytes) {
  if (c->welcome_end == 0 && c->s2c_head.size() < 8192) {
    c->s2c_head.append(bytes.substr(0, 8192 - c->s2c_head.size()));
    auto end = c->s2c_head.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::size_t f = end + 4;
      const auto* p = reinterpret_cast<const unsigned char*>(c->s2c_head.data());
      std::size_t have = c->s2c_head.size();
      if (have >= f + 2) {
        std::uint64_t len = p[f + 1] & 0x7f;
        std::size_t hdr = 2;
        if (len == 126 && have >= f + 4) {
          len = (std::uint64_t{p[f + 2]} << 8) | p[f + 3];
          hdr = 4;
        } else if (len == 127 && have >= f + 10) {
          len = 0;
          for (int i = 0; i < 8; ++i)
            len = (len << 8) | p[f + 2 + i];
          hdr = 10;
        } else if (len >= 126) {
          hdr = 0;  // header not complete yet
        }
        if (hdr) c->welcome_end = f + hdr + len;
      }
    }
  }
  c->s2c_total += bytes.size();
  if (!c->welcomed && c->welcome_end && c->s2c_total >= c->welcome_end) c->welcomed = true;
}

// A deadline: the cut happens between reads (a "timed" cut), whatever the
// connection's mode, so that quiet connections die too.
void arm_timer(conn* c, std::uint64_t ms) {
  c->timer.data = c;
  uv_timer_start(
      &c->timer,
      [](uv_timer_t* t) {
        auto* cc = static_cast<conn*>(t->data);
        if (cuts_allowed(cc->r))
          cut(cc, mode::timed);
        else  // during the grace period the deadline moves
          uv_timer_start(t, t->timer_cb, 100, 0);
      },
      ms, 0);
}

// Forwards `bytes` read from one side, possibly only a prefix of it before
// cutting (the mid-frame and resend cuts).
void forward(conn* c, bool c2s, std::string_view bytes) {
  relay* r = c->r;
  bool allowed = cuts_allowed(r);
  if (c2s) {
    if (c->m == mode::handshake && allowed && !c->welcomed) {
      // Part of the request or of the hello, then gone.
      write_to(&c->up, bytes.substr(0, r->uniform(0, bytes.size() - 1)));
      cut(c, mode::handshake);
      return;
    }
    if (c->m == mode::resend && allowed && c->welcomed) {
      // The first bytes after the welcome are the resend of unacked
      // messages (or an ack): forward part of them and cut.
      write_to(&c->up, bytes.substr(0, r->uniform(0, bytes.size() - 1)));
      cut(c, mode::resend);
      return;
    }
  }
  if (c->m == mode::midframe && allowed && c->welcomed && c2s == c->budget_c2s) {
    if (c->after_welcome + bytes.size() > c->budget) {
      std::size_t keep = c->budget > c->after_welcome ? c->budget - c->after_welcome : 0;
      if (keep >= bytes.size()) keep = bytes.size() - 1;  // never the whole read
      if (c2s)
        write_to(&c->up, bytes.substr(0, keep));
      else
        write_to(&c->down, bytes.substr(0, keep));
      cut(c, mode::midframe);
      return;
    }
    c->after_welcome += bytes.size();
  }
  if (c2s) {
    if (c->up_ready)
      write_to(&c->up, bytes);
    else
      c->pending_up.append(bytes);
  } else {
    bool was = c->welcomed;
    track_welcome(c, bytes);
    write_to(&c->down, bytes);
    if (!was && c->welcomed && c->m == mode::timed && r->chaos)
      arm_timer(c, r->uniform(r->min_life, r->max_life));
  }
}

void alloc_buf(uv_handle_t*, std::size_t suggested, uv_buf_t* buf) {
  buf->base = static_cast<char*>(std::malloc(suggested));
  buf->len = buf->base ? suggested : 0;
}

void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  auto* c = static_cast<conn*>(s->data);
  bool c2s = s == reinterpret_cast<uv_stream_t*>(&c->down);
  if (n > 0 && !c->closing)
    forward(c, c2s, std::string_view(buf->base, static_cast<std::size_t>(n)));
  std::free(buf->base);
  // EOF or error on either side ends both: the relay adds no half-close.
  if (n < 0 && !c->closing) close_conn(c);
}

void on_upstream(uv_connect_t* req, int status) {
  auto* c = static_cast<conn*>(req->data);
  if (c->closing) return;
  if (status != 0) {
    log(std::string("upstream connect failed: ") + uv_strerror(status));
    close_conn(c);
    return;
  }
  c->up_ready = true;
  write_to(&c->up, c->pending_up);
  c->pending_up.clear();
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->up), alloc_buf, on_read);
}

void connect_upstream(conn* c) {
  uv_tcp_connect(&c->connect_req, &c->up, reinterpret_cast<const sockaddr*>(&c->r->target),
                 on_upstream);
}

void on_accept(uv_stream_t* server, int status) {
  auto* l = static_cast<listener*>(server->data);
  relay* r = l->r;
  if (status != 0) return;
  auto* c = new conn;
  c->r = r;
  c->l = l;
  c->id = ++r->next_id;
  uv_tcp_init(r->loop, &c->down);
  uv_tcp_init(r->loop, &c->up);
  uv_timer_init(r->loop, &c->timer);
  c->open_handles = 3;
  for (uv_handle_t* h :
       {reinterpret_cast<uv_handle_t*>(&c->down), reinterpret_cast<uv_handle_t*>(&c->up),
        reinterpret_cast<uv_handle_t*>(&c->timer)})
    h->data = c;
  l->live.push_back(c);
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&c->down)) != 0) {
    close_conn(c);
    return;
  }
  std::uint64_t now = uv_now(r->loop);
  if (now < l->refuse_until && !r->park) {  // held away: the client sees a dead server
    ++l->st.held;
    close_conn(c);
    return;
  }
  ++l->st.connections;
  // Pick how this connection will die. A reconnect right after a cut gets
  // the resend cut often, because that is where resend bugs live.
  bool reconnect = l->last_was_cut;
  l->last_was_cut = false;
  double x = r->chance();
  if (reconnect && x < 0.3)
    c->m = mode::resend;
  else if (x < 0.36)
    c->m = mode::handshake;
  else if (x < 0.68)
    c->m = mode::midframe;
  else
    c->m = mode::timed;
  c->budget = r->uniform(512, 48 * 1024);
  c->budget_c2s = r->chance() < 0.5;
  // Every mode also has a deadline, so a quiet connection still dies.
  if (r->chaos && c->m != mode::timed) arm_timer(c, r->max_life * 2);
  uv_tcp_nodelay(&c->down, 1);
  uv_tcp_nodelay(&c->up, 1);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->down), alloc_buf, on_read);
  c->connect_req.data = c;
  if (now < l->refuse_until) {  // parked: reach the server only when the hold ends
    ++l->st.held;
    uv_timer_start(
        &c->timer, [](uv_timer_t* t) { connect_upstream(static_cast<conn*>(t->data)); },
        l->refuse_until - now, 0);
    return;
  }
  connect_upstream(c);
}

void print_stats(relay* r) {
  for (auto& l : r->listeners) {
    const auto& s = l->st;
    std::printf(
        "CUTS listener=%d total=%llu welcomed=%llu timed=%llu midframe=%llu resend=%llu "
        "handshake=%llu held=%llu connections=%llu\n",
        l->index, (unsigned long long)s.total, (unsigned long long)s.welcomed,
        (unsigned long long)s.timed, (unsigned long long)s.midframe, (unsigned long long)s.resend,
        (unsigned long long)s.handshake, (unsigned long long)s.held,
        (unsigned long long)s.connections);
  }
  std::fflush(stdout);
}

void on_term(uv_signal_t* h, int) {
  auto* r = static_cast<relay*>(h->data);
  print_stats(r);
  for (auto& l : r->listeners) {
    while (!l->live.empty())
      close_conn(l->live.back());
    uv_close(reinterpret_cast<uv_handle_t*>(&l->tcp), nullptr);
  }
  for (uv_signal_t* s : {&r->sigterm, &r->sigint, &r->sigusr1})
    uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);
}

void on_hold(uv_signal_t* h, int) {
  auto* r = static_cast<relay*>(h->data);
  if (r->hold_index < 0 || r->hold_index >= static_cast<int>(r->listeners.size())) return;
  listener* l = r->listeners[static_cast<std::size_t>(r->hold_index)].get();
  l->refuse_until = uv_now(r->loop) + r->hold_ms;
  log("hold listener=" + std::to_string(l->index) + " for " + std::to_string(r->hold_ms) + " ms");
  while (!l->live.empty())
    cut(l->live.back(), mode::timed, /*held=*/true);
}

[[noreturn]] void usage(const std::string& msg) {
  std::fprintf(stderr, "chaos_relay: %s\n", msg.c_str());
  std::exit(2);
}

std::uint64_t number(const char* s) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (!end || *end) usage(std::string("not a number: ") + s);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  relay r;
  r.loop = &loop;
  std::uint64_t seed = std::random_device{}();
  int count = 1;
  std::string target;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto val = [&] {
      if (i + 1 >= argc) usage(std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--target")
      target = val();
    else if (a == "--listeners")
      count = static_cast<int>(number(val()));
    else if (a == "--seed")
      seed = number(val());
    else if (a == "--grace")
      r.grace = number(val());
    else if (a == "--min-life")
      r.min_life = number(val());
    else if (a == "--max-life")
      r.max_life = number(val());
    else if (a == "--no-chaos")
      r.chaos = false;
    else if (a == "--hold-mode") {
      std::string_view v = val();
      if (v != "park" && v != "refuse") usage("--hold-mode park|refuse");
      r.park = v == "park";
    } else if (a == "--hold") {
      std::string v = val();
      auto colon = v.find(':');
      if (colon == std::string::npos) usage("--hold IDX:MS");
      r.hold_index = static_cast<int>(number(v.substr(0, colon).c_str()));
      r.hold_ms = number(v.substr(colon + 1).c_str());
    } else
      usage("unknown option " + std::string(a));
  }
  auto colon = target.rfind(':');
  if (colon == std::string::npos) usage("--target HOST:PORT required");
  if (uv_ip4_addr(target.substr(0, colon).c_str(),
                  static_cast<int>(number(target.substr(colon + 1).c_str())),
                  reinterpret_cast<sockaddr_in*>(&r.target)) != 0)
    usage("bad --target " + target);
  if (r.min_life == 0 || r.max_life < r.min_life) usage("need 0 < --min-life <= --max-life");
  r.rng.seed(seed);
  r.start = uv_now(&loop);
  std::printf("SEED %llu\n", static_cast<unsigned long long>(seed));

  for (int i = 0; i < count; ++i) {
    auto l = std::make_unique<listener>();
    l->r = &r;
    l->index = i;
    uv_tcp_init(&loop, &l->tcp);
    l->tcp.data = l.get();
    sockaddr_in any{};
    uv_ip4_addr("127.0.0.1", 0, &any);
    int rc = uv_tcp_bind(&l->tcp, reinterpret_cast<const sockaddr*>(&any), 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&l->tcp), 128, on_accept);
    if (rc != 0) usage(std::string("listen: ") + uv_strerror(rc));
    sockaddr_storage bound{};
    int len = sizeof bound;
    uv_tcp_getsockname(&l->tcp, reinterpret_cast<sockaddr*>(&bound), &len);
    std::printf("PORT %d %d\n", i, ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port));
    r.listeners.push_back(std::move(l));
  }
  std::fflush(stdout);

  for (auto [h, sig, cb] :
       {std::tuple{&r.sigterm, SIGTERM, &on_term}, std::tuple{&r.sigint, SIGINT, &on_term},
        std::tuple{&r.sigusr1, SIGUSR1, &on_hold}}) {
    uv_signal_init(&loop, h);
    h->data = &r;
    uv_signal_start(h, cb, sig);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  int rc = uv_loop_close(&loop);
  return rc == 0 ? 0 : 1;
}
