#include "raw_attackers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "resock/wire/frame_writer.h"
#include "resock/wire/handshake.h"

namespace load {
namespace wire = resock::wire;
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// A blocking TCP connection to 127.0.0.1:port with 10 s I/O timeouts, so
// that a stuck server fails the test instead of hanging it. `rcvbuf` > 0
// shrinks the receive buffer before connecting (it sets the window).
int tcp_connect(std::uint16_t port, int rcvbuf = 0) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= std::size_t(w);
  }
  return true;
}

bool send_text(int fd, std::string_view text) {
  std::vector<std::uint8_t> out;
  wire::append_message(out, wire::peer::client, wire::opcode::text,
                       {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  return send_all(fd, out.data(), out.size());
}

// A WebSocket client connection read frame by frame from a buffer.
struct raw_ws {
  int fd = -1;
  std::string in;

  ~raw_ws() {
    if (fd >= 0) close(fd);
  }
  bool fill(std::size_t n) {
    char buf[65536];
    while (in.size() < n) {
      ssize_t r = recv(fd, buf, sizeof buf, 0);
      if (r <= 0) return false;
      in.append(buf, std::size_t(r));
    }
    return true;
  }
  // Connects and upgrades; returns the HTTP status (101), or 0 on failure.
  int open(std::uint16_t port, int rcvbuf = 0) {
    fd = tcp_connect(port, rcvbuf);
    if (fd < 0) return 0;
    std::string key = wire::make_client_key();
    std::string req = wire::build_upgrade_request("127.0.0.1:" + std::to_string(port), "/rs/ws",
                                                  key, "resock.v1");
    if (!send_all(fd, req.data(), req.size())) return 0;
    std::size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos)
      if (!fill(in.size() + 1)) return 0;
    int status = in.size() > 12 ? std::atoi(in.c_str() + 9) : 0;
    in.erase(0, end + 4);
    return status;
  }
  // The next text message (server frames are unmasked and, from resockd,
  // unfragmented); empty on failure or a close frame.
  std::string next_text() {
    for (;;) {
      if (!fill(2)) return {};
      int op = in[0] & 0x0F;
      std::uint64_t len = std::uint8_t(in[1]) & 0x7F;
      std::size_t at = 2;
      if (len == 126) {
        if (!fill(4)) return {};
        len = (std::uint64_t(std::uint8_t(in[2])) << 8) | std::uint8_t(in[3]);
        at = 4;
      } else if (len == 127) {
        if (!fill(10)) return {};
        len = 0;
        for (int i = 0; i < 8; ++i)
          len = (len << 8) | std::uint8_t(in[2 + i]);
        at = 10;
      }
      if (!fill(at + len)) return {};
      std::string payload = in.substr(at, len);
      in.erase(0, at + len);
      if (op == 0x8) return {};
      if (op == 0x1) return payload;
    }
  }
  // The next message whose "t" is `type`, skipping others.
  std::string next_of(std::string_view type) {
    std::string want = R"("t":")" + std::string(type) + "\"";
    for (;;) {
      std::string m = next_text();
      if (m.empty() || m.find(want) != std::string::npos) return m;
    }
  }
};

std::string string_member(std::string_view json, std::string_view key) {
  std::string k = "\"" + std::string(key) + "\":\"";
  auto at = json.find(k);
  if (at == std::string_view::npos) return {};
  auto start = at + k.size();
  auto end = json.find('"', start);
  return std::string(json.substr(start, end - start));
}

}  // namespace

// --- slow consumer -------------------------------------------------------------

void slow_consumer::run() {
  std::unique_ptr<raw_ws> stalled;
  // Connecting may meet a storm second (429): try again.
  while (!stop_) {
    stalled = std::make_unique<raw_ws>();
    if (stalled->open(o_.port, 4096) == 101) break;
    stalled.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  if (!stalled) {
    finished_ = true;
    return;
  }
  send_text(stalled->fd, R"({"t":"hello","v":1})");
  std::string welcome = stalled->next_of("welcome");
  r_.sid = string_member(welcome, "sid");
  std::string tk = string_member(welcome, "tk");
  send_text(stalled->fd, R"({"t":"sub","ch":"busy"})");
  if (r_.sid.empty() || stalled->next_of("suback").empty()) {
    r_.problem = "slow consumer: no welcome/suback";
    finished_ = true;
    return;
  }
  r_.subscribed = true;
  // From here on it reads nothing.
  auto since = clock_type::now();
  r_.dropped = wait_for_drop();
  r_.stalled_s = seconds_since(since);
  if (!r_.dropped) {
    r_.problem = "slow consumer: no event=detach sid=" + r_.sid + " code=4004 in resockd's log";
    finished_ = true;
    return;
  }
  stalled.reset();
  // The session must have been kept: resume it from the start (retrying
  // a 429 during a storm second, for at most 20 s).
  auto resume_start = clock_type::now();
  while (!r_.resumed && seconds_since(resume_start) < 20) {
    raw_ws again;
    if (again.open(o_.port) != 101) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      continue;
    }
    send_text(again.fd, R"({"t":"hello","v":1,"resume":{"sid":")" + r_.sid + R"(","tk":")" + tk +
                            R"(","ack":0}})");
    std::string w = again.next_of("welcome");
    std::string first = again.next_of("msg");
    r_.resumed = w.find(R"("resumed":true)") != std::string::npos &&
                 first.find(R"("s":1,)") != std::string::npos;
    if (!r_.resumed)
      r_.problem =
          "slow consumer: resume answered " + w.substr(0, 300) + " then " + first.substr(0, 80);
    // Ends the session: its replay buffer is freed now, not at the TTL.
    send_text(again.fd, R"({"t":"close","code":1000})");
    break;
  }
  finished_ = true;
}

bool slow_consumer::wait_for_drop() {
  // Tails resockd's log for the drop of this session.
  std::string needle = "event=detach sid=" + r_.sid + " code=4004";
  std::ifstream log(o_.log);
  std::string carry;
  while (!stop_) {
    std::string chunk(1 << 16, '\0');
    log.read(chunk.data(), std::streamsize(chunk.size()));
    chunk.resize(std::size_t(log.gcount()));
    log.clear();  // EOF is not the end: resockd keeps writing
    carry += chunk;
    if (carry.find(needle) != std::string::npos) return true;
    if (carry.size() > needle.size()) carry.erase(0, carry.size() - needle.size());
    if (chunk.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// --- slowloris -----------------------------------------------------------------

void slowloris::run() {
  // A head that a crawl at 5 bytes/s cannot finish within the timeout.
  const std::string head =
      "GET /rs/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: resock.v1\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  struct crawler {
    int fd = -1;
    clock_type::time_point opened;
    std::size_t sent = 0;
  };
  std::vector<crawler> cs(o_.slowloris);
  const double timeout_s = double(o_.handshake_timeout_ms) / 1000;
  // resockd checks deadlines on its loop: allow it that much lateness.
  const double slack_s = 2.0;
  auto finish = [&](crawler& c) {
    double life = seconds_since(c.opened);
    close(c.fd);
    c.fd = -1;
    ++r_.dropped;
    if (r_.dropped == 1 || life < r_.min_s) r_.min_s = life;
    if (life > r_.max_s) r_.max_s = life;
    if (life < timeout_s - 0.05) {
      ++r_.early;
      if (r_.problem.empty())
        r_.problem = "slowloris dropped after " + std::to_string(life) + " s, before the timeout";
    } else if (life > timeout_s + slack_s) {
      ++r_.late;
      if (r_.problem.empty())
        r_.problem = "slowloris dropped only after " + std::to_string(life) + " s";
    }
  };
  auto next_byte = clock_type::now();
  while (!stop_) {
    for (crawler& c : cs)
      if (c.fd < 0) {
        c.fd = tcp_connect(o_.port);
        c.opened = clock_type::now();
        c.sent = 0;
        if (c.fd >= 0) ++r_.opened;
      }
    if (clock_type::now() >= next_byte) {
      next_byte += std::chrono::milliseconds(200);
      for (crawler& c : cs)
        if (c.fd >= 0 && c.sent < head.size()) {
          if (send(c.fd, &head[c.sent], 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) ++c.sent;
        }
    }
    // Wait for the server to close one of them, until the next byte is due.
    std::vector<pollfd> pfds;
    for (crawler& c : cs)
      pfds.push_back({c.fd, POLLIN, 0});
    auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(next_byte - clock_type::now());
    poll(pfds.data(), pfds.size(), int(std::max<long>(0, long(wait.count()))));
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (cs[i].fd < 0 || pfds[i].revents == 0) continue;
      char buf[4096];
      ssize_t r = recv(cs[i].fd, buf, sizeof buf, MSG_DONTWAIT);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) finish(cs[i]);
      // Data (an HTTP error answer) is read; the close follows.
    }
    for (crawler& c : cs)
      if (c.fd >= 0 && c.sent >= head.size() && r_.problem.empty())
        r_.problem = "a slowloris sent its whole head: the test's crawl is too fast";
  }
  for (crawler& c : cs)
    if (c.fd >= 0) {
      // Still open: fine if younger than the timeout plus slack.
      if (seconds_since(c.opened) > timeout_s + slack_s) {
        ++r_.late;
        if (r_.problem.empty()) r_.problem = "a slowloris outlived the handshake timeout";
      }
      close(c.fd);
    }
}

}  // namespace load
