// The engine against a scripted in-test server (blocking sockets on a
// thread): handshake, echo, chopping, fragmentation, the close handshake
// reactions and timers, protocol violations, and engine failures.
#include "compliance/engine/engine.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "resock/wire/frame_parser.h"
#include "resock/wire/frame_writer.h"
#include "resock/wire/handshake.h"
#include "resock/wire/http_head.h"

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

namespace rc = resock::conformance;
namespace wire = resock::wire;
using rc::event;
using rc::verdict;

namespace {

// ------------------------------------------------------------ the server

enum class mode {
  echo,                 // echo messages, answer ping, answer close then close TCP
  close_first,          // send close 1000 right after the handshake
  ignore_close,         // never answer a close
  reply_keep_tcp,       // answer a close but never close TCP
  bad_rsv,              // send a text frame with RSV1 after the handshake
  invalid_close_reply,  // answer a close with code 999
  ping_first,           // send a ping after the handshake, then behave as echo
  silent,               // accept TCP, never answer the handshake
};

struct seen_frame {
  int opcode;
  bool fin;
  std::string payload;
};

class test_server {
 public:
  explicit test_server(mode m) : mode_(m) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    assert_int_equal(::listen(fd_, 4), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~test_server() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/path?x=1"; }
  int port() const { return port_; }

  std::string request;             // the handshake as received
  std::vector<std::size_t> reads;  // sizes of the reads after the handshake
  std::vector<seen_frame> frames;  // client frames, unmasked
  std::optional<int> close_code;   // of the client's first close

 private:
  void send_frame(int c, int opcode, std::string_view payload, std::uint8_t rsv = 0) {
    std::vector<std::uint8_t> out;
    wire::frame_header h =
        wire::make_header(wire::peer::server, static_cast<wire::opcode>(opcode), payload.size());
    h.rsv = rsv;
    wire::append_frame(out, h,
                       {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()});
    (void)!::write(c, out.data(), out.size());
  }
  void send_close(int c, int code) {
    std::string p;
    p += static_cast<char>(code >> 8);
    p += static_cast<char>(code & 0xFF);
    send_frame(c, 8, p);
  }
  static void drain(int c) {
    char b[4096];
    while (::read(c, b, sizeof b) > 0) {
    }
  }

  void serve() {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    std::string buf;
    char chunk[65536];
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::read(c, chunk, sizeof chunk);
      if (n <= 0) {
        ::close(c);
        return;
      }
      buf.append(chunk, static_cast<std::size_t>(n));
    }
    request = buf.substr(0, end + 4);
    if (mode_ == mode::silent) {
      drain(c);
      ::close(c);
      return;
    }
    wire::http_head_parser hp(wire::head_kind::request);
    (void)hp.feed({reinterpret_cast<const std::uint8_t*>(request.data()), request.size()});
    const std::string resp = wire::build_upgrade_response(hp.head().find("Sec-WebSocket-Key"));
    (void)!::write(c, resp.data(), resp.size());
    bool sent_close = false;
    if (mode_ == mode::close_first) {
      send_close(c, 1000);
      sent_close = true;
    }
    if (mode_ == mode::bad_rsv) send_frame(c, 1, "x", wire::rsv::rsv1);
    if (mode_ == mode::ping_first) send_frame(c, 9, "pp");

    wire::frame_parser_options po;
    po.sender = wire::peer::client;
    po.max_frame_size = 0;
    wire::frame_parser parser(po);
    std::string pending = buf.substr(end + 4);
    std::string message, frame;
    int message_op = 0;
    for (;;) {
      auto* p = reinterpret_cast<std::uint8_t*>(pending.data());
      std::span<std::uint8_t> in{p, pending.size()};
      for (;;) {
        const wire::frame_step s = parser.next(in);
        in = in.subspan(s.consumed);
        if (s.event == wire::frame_event::need_more || s.event == wire::frame_event::error) break;
        if (s.event == wire::frame_event::header) frame.clear();
        if (s.event == wire::frame_event::payload)
          frame.append(reinterpret_cast<const char*>(s.payload.data()), s.payload.size());
        if (s.event != wire::frame_event::frame_end) continue;
        const wire::frame_header& h = parser.header();
        const int op = static_cast<int>(h.op);
        frames.push_back({op, h.fin, frame});
        if (op == 1 || op == 2) message_op = op;
        if (op <= 2) {
          message += frame;
          if (h.fin) {
            send_frame(c, message_op, message);
            message.clear();
          }
        } else if (op == 9) {
          send_frame(c, 10, frame);
        } else if (op == 8) {
          if (!close_code && frame.size() >= 2)
            close_code =
                (static_cast<std::uint8_t>(frame[0]) << 8) | static_cast<std::uint8_t>(frame[1]);
          if (!close_code && frame.empty()) close_code = -1;
          switch (mode_) {
            case mode::ignore_close:
              break;
            case mode::reply_keep_tcp:
              send_close(c, 1000);
              break;
            case mode::invalid_close_reply:
              send_close(c, 999);
              break;
            default:
              if (!sent_close) {
                if (frame.size() >= 2)
                  send_frame(c, 8, frame.substr(0, 2));
                else
                  send_frame(c, 8, "");
              }
              ::shutdown(c, SHUT_WR);
              drain(c);
              ::close(c);
              return;
          }
        }
      }
      pending.assign(reinterpret_cast<const char*>(in.data()), in.size());
      const ssize_t n = ::read(c, chunk, sizeof chunk);
      if (n <= 0) break;
      reads.push_back(static_cast<std::size_t>(n));
      pending.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(c);
  }

  mode mode_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// ------------------------------------------------------------ throwaway cases

class script_case final : public rc::test_case {
 public:
  std::function<void(rc::connection&)> script;
  void on_open(rc::connection& c) override {
    if (script) script(c);
  }
};

rc::case_info make_case(std::function<void(script_case&)> setup) {
  rc::case_info info;
  info.id = "99.1.1";
  info.description = "engine test";
  info.expectation = "whatever the test says";
  info.hard_timeout_s = 10;
  info.make = [setup] {
    auto tc = std::make_unique<script_case>();
    setup(*tc);
    return std::unique_ptr<rc::test_case>(std::move(tc));
  };
  return info;
}

rc::expected_close normal_close() {
  return {true, {1000}, true, false};
}

rc::engine_options fast_options() {
  rc::engine_options o;
  o.connect_timeout_s = 2;
  o.open_handshake_timeout_s = 2;
  return o;
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

std::uint64_t stat(const std::map<int, std::uint64_t>& m, int k) {
  const auto it = m.find(k);
  return it == m.end() ? 0 : it->second;
}

// ------------------------------------------------------------ tests

void urls(void**) {
  rc::parsed_url u;
  std::string err;
  assert_true(rc::parse_ws_url("ws://example.com/chat?x=1&y", u, err));
  assert_false(u.tls);
  assert_string_equal(u.host.c_str(), "example.com");
  assert_int_equal(u.port, 80);
  assert_string_equal(u.resource.c_str(), "/chat?x=1&y");
  assert_true(rc::parse_ws_url("wss://example.com", u, err));
  assert_true(u.tls);
  assert_int_equal(u.port, 443);
  assert_string_equal(u.resource.c_str(), "/");
  assert_true(rc::parse_ws_url("ws://127.0.0.1:9001?q", u, err));
  assert_int_equal(u.port, 9001);
  assert_string_equal(u.resource.c_str(), "/?q");
  assert_true(rc::parse_ws_url("WS://[::1]:8080/a", u, err));
  assert_string_equal(u.host.c_str(), "::1");
  assert_int_equal(u.port, 8080);
  assert_false(rc::parse_ws_url("http://example.com/", u, err));
  assert_false(rc::parse_ws_url("ws://:80/", u, err));
  assert_false(rc::parse_ws_url("ws://h:70000/", u, err));
  assert_false(rc::parse_ws_url("ws://h:/", u, err));
  assert_false(rc::parse_ws_url("ws://h/#frag", u, err));
  assert_false(err.empty());
}

void echo_round_trip(void**) {
  test_server s(mode::echo);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {event::message("Hello")}}};
    tc.expect_close = normal_close();
    tc.script = [](rc::connection& c) {
      c.send_message("Hello");
      c.kill_after(2);
    };
  });
  const auto t0 = std::chrono::steady_clock::now();
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, fast_options());
  s.join();
  assert_true(elapsed_ms(t0) < 1500);
  assert_string_equal(r.engine_error.c_str(), "");
  assert_true(r.behavior == verdict::ok);
  assert_true(r.behavior_close == verdict::ok);
  assert_int_equal(r.received.size(), 1);
  assert_true(r.close.opened && r.close.closed_by_me && r.close.was_clean);
  assert_false(r.close.dropped_by_me);
  assert_int_equal(*r.close.remote_close_code, 1000);
  assert_int_equal(*r.close.local_close_code, 1000);
  assert_int_equal(*s.close_code, 1000);
  // The handshake, line by line in Autobahn's order.
  const std::string head =
      "GET /path?x=1 HTTP/1.1\r\nUser-Agent: resock-conformance/0.1\r\nHost: 127.0.0.1:" +
      std::to_string(s.port()) +
      "\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nPragma: no-cache\r\n"
      "Cache-Control: no-cache\r\nSec-WebSocket-Key: ";
  assert_true(r.http_request.starts_with(head));
  assert_true(r.http_request.ends_with("\r\nSec-WebSocket-Version: 13\r\n\r\n"));
  assert_string_equal(r.http_request.c_str(), s.request.c_str());
  assert_true(r.http_response.starts_with("HTTP/1.1 101"));
  assert_true(r.http_response.ends_with("\r\n\r\n"));
  assert_int_equal(stat(r.tx_frame_stats, 1), 1);
  assert_int_equal(stat(r.tx_frame_stats, 8), 1);
  assert_int_equal(stat(r.rx_frame_stats, 1), 1);
  assert_int_equal(stat(r.rx_frame_stats, 8), 1);
  // Wire log: request out first, then the TF/TO of the message, KL, ...
  assert_true(r.wirelog.size() >= 6);
  assert_string_equal(r.wirelog[0].code.c_str(), "TO");
  assert_string_equal(r.wirelog[1].code.c_str(), "RO");
  assert_string_equal(r.wirelog[2].code.c_str(), "TF");
  assert_int_equal(r.wirelog[2].length, 5);
  assert_string_equal(r.wirelog[2].data.c_str(), "Hello");
  assert_int_equal(r.wirelog[2].mask_hex.size(), 8);
  assert_string_equal(r.wirelog[3].code.c_str(), "TO");
  assert_int_equal(r.wirelog[3].length, 2 + 4 + 5);
  assert_string_equal(r.wirelog[4].code.c_str(), "KL");
  assert_true(r.started.size() == 24 && r.started.back() == 'Z');
  assert_true(r.duration_ms >= 0 && r.duration_ms < 1500);
  assert_string_equal(r.id.c_str(), "99.1.1");
  assert_string_equal(r.agent.c_str(), "agent");
}

void chopsize_writes_each_piece(void**) {
  test_server s(mode::echo);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {event::message(std::string(200, 'z'))}}};
    tc.expect_close = normal_close();
    tc.script = [](rc::connection& c) {
      rc::connection::frame_options o;
      o.chopsize = 1;
      o.repeat_to = 200;
      c.send_frame(1, "z", o);
      c.kill_after(2);
    };
  });
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, fast_options());
  s.join();
  assert_true(r.behavior == verdict::ok);
  // 4 header + 4 mask + 200 payload bytes: 208 one-byte writes, each sync.
  assert_int_equal(r.tx_octet_stats.at(1), 208);
  int one_byte_to = 0;
  for (const auto& e : r.wirelog)
    if (e.code == "TO" && e.length == 1 && e.sync) ++one_byte_to;
  assert_int_equal(one_byte_to, 208);
  // The server saw the frame arrive in pieces (how many depends on how
  // often its thread got to read, so only the split itself is asserted).
  assert_true(s.reads.size() >= 2);
  assert_true(s.reads.front() < 208);
}

void fragmentation_rule(void**) {
  test_server s(mode::echo);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {
        {verdict::ok,
         {event::message("aaaaaaaa"), event::message("bbbbbbbbb", true), event::message("ccc")}}};
    tc.expect_close = normal_close();
    tc.script = [](rc::connection& c) {
      c.send_message("aaaaaaaa", false, 4);  // exact multiple: extra empty FIN frame
      c.set_auto_fragment_size(4);
      c.send_message("bbbbbbbbb", true);  // 4 + 4 + 1
      c.send_message("ccc");              // shorter than the size: one frame
      c.kill_after(2);
    };
  });
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, fast_options());
  s.join();
  assert_true(r.behavior == verdict::ok);
  assert_true(s.frames.size() >= 7);
  const std::vector<seen_frame> want = {{1, false, "aaaa"}, {0, false, "aaaa"}, {0, true, ""},
                                        {2, false, "bbbb"}, {0, false, "bbbb"}, {0, true, "b"},
                                        {1, true, "ccc"}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    assert_int_equal(s.frames[i].opcode, want[i].opcode);
    assert_int_equal(s.frames[i].fin, want[i].fin);
    assert_string_equal(s.frames[i].payload.c_str(), want[i].payload.c_str());
  }
  assert_int_equal(stat(r.tx_frame_stats, 0), 4);
}

void streaming_api(void**) {
  test_server s(mode::echo);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {event::message("hello")}}};
    tc.expect_close = normal_close();
    tc.script = [](rc::connection& c) {
      c.begin_message();
      c.begin_message_frame(5);
      c.send_message_frame_data("he");
      c.send_message_frame_data("llo");  // mask offset continues at 2
      c.end_message();
      c.kill_after(2);
    };
  });
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, fast_options());
  s.join();
  assert_true(r.behavior == verdict::ok);
  assert_true(s.frames.size() >= 2);
  assert_int_equal(s.frames[0].opcode, 1);
  assert_false(s.frames[0].fin);
  assert_string_equal(s.frames[0].payload.c_str(), "hello");
  assert_int_equal(s.frames[1].opcode, 0);
  assert_true(s.frames[1].fin);
  assert_string_equal(s.frames[1].payload.c_str(), "");
}

void server_closes_first(void**) {
  test_server s(mode::close_first);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {}}};
    tc.expect_close = {false, {1000}, true, false};
    tc.script = [](rc::connection& c) { c.kill_after(2); };
  });
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, fast_options());
  s.join();
  assert_true(r.behavior == verdict::ok);
  assert_true(r.behavior_close == verdict::ok);
  assert_false(r.close.closed_by_me);
  assert_true(r.close.was_clean);
  assert_int_equal(*r.close.remote_close_code, 1000);
  assert_int_equal(*r.close.local_close_code, 1000);  // the reply is always 1000
  assert_int_equal(*s.close_code, 1000);
}

void server_never_closes_tcp(void**) {
  test_server s(mode::reply_keep_tcp);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {}}};
    tc.expect_close = normal_close();
    tc.script = [](rc::connection& c) { c.send_close(1000); };
  });
  rc::engine_options o = fast_options();
  o.server_drop_timeout_s = 0.2;
  const auto t0 = std::chrono::steady_clock::now();
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, o);
  s.join();
  assert_true(elapsed_ms(t0) < 1500);
  assert_true(r.close.was_server_connection_drop_timeout);
  assert_false(r.close.was_clean);
  assert_true(r.close.dropped_by_me);
  assert_string_equal(r.close.was_not_clean_reason.c_str(),
                      "server did not drop TCP connection (in time)");
  assert_true(r.behavior_close == verdict::unclean);
}

void kill_after_in_closing_keeps_clean(void**) {
  test_server s(mode::reply_keep_tcp);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {}}};
    tc.expect_close = normal_close();
    tc.script = [](rc::connection& c) {
      c.send_close(1000);
      c.kill_after(0.2);  // fires before the 5 s server-drop timer
    };
  });
  rc::engine_options o = fast_options();
  o.server_drop_timeout_s = 5;
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, o);
  s.join();
  assert_true(r.close.was_clean);
  assert_true(r.close.dropped_by_me);
  assert_true(r.close.failed_by_me);
  assert_true(r.behavior_close == verdict::failed_by_client);
  bool kle = false;
  for (const auto& e : r.wirelog)
    kle = kle || e.code == "KLE";
  assert_true(kle);
}

void no_close_reply(void**) {
  test_server s(mode::ignore_close);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {}}};
    tc.expect_close = normal_close();
    tc.script = [](rc::connection& c) { c.close_after(0.05); };
  });
  rc::engine_options o = fast_options();
  o.close_handshake_timeout_s = 0.2;
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, o);
  s.join();
  assert_true(r.close.was_close_handshake_timeout);
  assert_false(r.close.was_clean);
  assert_true(r.close.closed_by_me);
  assert_false(r.close.local_close_code.has_value());  // close_after sends an empty close
  assert_int_equal(*s.close_code, -1);
  assert_true(r.behavior_close == verdict::unclean);
}

void server_protocol_violation(void**) {
  test_server s(mode::bad_rsv);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {}}};
    tc.expect_close = {false, {1002}, false, false};
    tc.script = [](rc::connection& c) { c.kill_after(2); };
  });
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, fast_options());
  s.join();
  assert_int_equal(*s.close_code, 1002);  // the fuzzer failed the connection with a close
  assert_true(r.close.failed_by_me && r.close.closed_by_me);
  assert_true(r.received.empty());  // the message is suppressed after the failure
  assert_true(r.close.was_clean);   // the server answered the close
  assert_true(r.behavior_close == verdict::failed);
  assert_int_equal(stat(r.rx_frame_stats, 1), 1);
}

void invalid_close_code_kept_raw(void**) {
  test_server s(mode::invalid_close_reply);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {}}};
    tc.expect_close = {true, {1000}, false, false};
    tc.script = [](rc::connection& c) { c.send_close(1000); };
  });
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, fast_options());
  s.join();
  assert_int_equal(*r.close.remote_close_code, 999);
  assert_true(r.close.dropped_by_me);  // second failure in CLOSING drops TCP
  assert_true(r.behavior_close == verdict::wrong_code);
}

void ping_answered_and_pong_recorded(void**) {
  test_server s(mode::ping_first);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {event::pong("q")}}};
    tc.expect_close = normal_close();
    tc.script = [](rc::connection& c) {
      c.send_frame(9, "q");  // the echo server answers with pong "q"
      c.kill_after(2);
    };
  });
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, fast_options());
  s.join();
  bool pong_pp = false;
  for (const auto& f : s.frames)
    pong_pp = pong_pp || (f.opcode == 10 && f.payload == "pp");
  assert_true(pong_pp);                    // auto pong with the ping's payload
  assert_true(r.behavior == verdict::ok);  // pings are not recorded, pongs are
  assert_true(r.behavior_close == verdict::ok);
}

void wirelog_switch(void**) {
  test_server s(mode::echo);
  const auto info = make_case([](script_case& tc) {
    tc.expected = {{verdict::ok, {event::message("x")}}};
    tc.expect_close = normal_close();
    tc.script = [](rc::connection& c) {
      c.set_wirelog(false);
      c.send_message("x");
      c.kill_after(2);
    };
  });
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, fast_options());
  s.join();
  assert_false(r.create_wirelog);
  bool after = false;
  for (const auto& e : r.wirelog) {
    if (e.code == "WLM") {
      assert_false(e.flag);
      after = true;
      continue;
    }
    if (after) assert_true(e.code != "RO" && e.code != "TO" && e.code != "RF" && e.code != "TF");
  }
  assert_true(after);
  assert_int_equal(stat(r.tx_frame_stats, 1), 1);  // stats still count
  assert_int_equal(stat(r.rx_frame_stats, 1), 1);
}

void refused_connection(void**) {
  // A port that was just free: nothing listens there.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  ::close(fd);
  const auto info = make_case([](script_case& tc) { tc.expected = {{verdict::ok, {}}}; });
  const auto t0 = std::chrono::steady_clock::now();
  const rc::case_result r = rc::run_case(
      {"agent", "ws://127.0.0.1:" + std::to_string(port) + "/", "", {}}, info, fast_options());
  assert_true(elapsed_ms(t0) < 1000);
  const std::string want =
      "connect to 127.0.0.1:" + std::to_string(port) + ": connection refused (ECONNREFUSED)";
  assert_string_equal(r.engine_error.c_str(), want.c_str());
  assert_true(r.behavior == verdict::failed);
  assert_true(r.behavior_close == verdict::failed);
  assert_false(r.close.opened);
  assert_string_equal(r.http_response.c_str(), "?");
}

void hard_timeout(void**) {
  test_server s(mode::silent);
  auto info = make_case([](script_case& tc) { tc.expected = {{verdict::ok, {}}}; });
  info.hard_timeout_s = 0.6;
  rc::engine_options o = fast_options();
  o.open_handshake_timeout_s = 30;
  o.hard_timeout_scale = 0.5;
  const auto t0 = std::chrono::steady_clock::now();
  const rc::case_result r = rc::run_case({"agent", s.url(), "", {}}, info, o);
  s.join();
  assert_true(elapsed_ms(t0) < 1500);
  assert_string_equal(r.engine_error.c_str(), "case did not finish within 0.3 s");
  assert_true(r.behavior == verdict::failed);
  assert_true(r.behavior_close == verdict::failed);
}

void open_handshake_timeout(void**) {
  test_server s(mode::silent);
  const auto info = make_case([](script_case& tc) { tc.expected = {{verdict::ok, {}}}; });
  rc::engine_options o = fast_options();
  o.open_handshake_timeout_s = 0.2;
  const rc::case_result r = rc::run_case({"", s.url(), "", {}}, info, o);
  s.join();
  assert_string_equal(r.engine_error.c_str(), "opening handshake timed out after 0.2 s");
  assert_true(r.close.was_open_handshake_timeout);
  assert_true(r.behavior_close == verdict::failed);
  assert_string_equal(r.agent.c_str(), "UnknownServer");
}

void bad_url(void**) {
  const auto info = make_case([](script_case&) {});
  const rc::case_result r = rc::run_case({"agent", "http://x/", "", {}}, info, fast_options());
  assert_false(r.engine_error.empty());
  assert_true(r.behavior == verdict::failed);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(urls),
      cmocka_unit_test(echo_round_trip),
      cmocka_unit_test(chopsize_writes_each_piece),
      cmocka_unit_test(fragmentation_rule),
      cmocka_unit_test(streaming_api),
      cmocka_unit_test(server_closes_first),
      cmocka_unit_test(server_never_closes_tcp),
      cmocka_unit_test(kill_after_in_closing_keeps_clean),
      cmocka_unit_test(no_close_reply),
      cmocka_unit_test(server_protocol_violation),
      cmocka_unit_test(invalid_close_code_kept_raw),
      cmocka_unit_test(ping_answered_and_pong_recorded),
      cmocka_unit_test(wirelog_switch),
      cmocka_unit_test(refused_connection),
      cmocka_unit_test(hard_timeout),
      cmocka_unit_test(open_handshake_timeout),
      cmocka_unit_test(bad_url),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
