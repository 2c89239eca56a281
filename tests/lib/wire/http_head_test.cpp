// Tests of the incremental HTTP/1.x head parser.
#include "resock/wire/http_head.h"

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

#include <string>
#include <string_view>

using namespace resock::wire;
using resock::errc;

namespace {

const std::string kRequest =
    "GET /chat HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Protocol: chat, superchat\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "X-Empty:\r\n"
    "X-Spaces: \t padded value \t\r\n"
    "\r\n";
const std::string kTrailer = "\x81\x05hello";

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Feeds `input` in pieces of at most `chunk` bytes (0 = whole) until the
// parser stops asking for more. Returns the total of `consumed`.
head_step feed_chunked(http_head_parser& p, std::string_view input, std::size_t chunk) {
  if (chunk == 0) chunk = input.size();
  std::size_t total = 0;
  head_step step;
  for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
    std::string_view piece = input.substr(pos, chunk);
    step = p.feed(bytes(piece));
    total += step.consumed;
    if (step.status != head_status::need_more) break;
    assert_int_equal(step.consumed, piece.size());
  }
  return {step.status, total};
}

errc parse_error(head_kind kind, std::string_view input, const http_head_limits& limits = {}) {
  http_head_parser p(kind, limits);
  head_step s = p.feed(bytes(input));
  assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::error));
  return p.error();
}

void assert_sv(std::string_view actual, std::string_view expected) {
  assert_int_equal(actual.size(), expected.size());
  assert_memory_equal(actual.data(), expected.data(), expected.size());
}

void assert_same_head(const http_head& a, const http_head& b) {
  assert_sv(a.method, b.method);
  assert_sv(a.target, b.target);
  assert_int_equal(a.status, b.status);
  assert_sv(a.reason, b.reason);
  assert_int_equal(a.version_major, b.version_major);
  assert_int_equal(a.version_minor, b.version_minor);
  assert_int_equal(a.headers.size(), b.headers.size());
  for (std::size_t i = 0; i < a.headers.size(); ++i) {
    assert_sv(a.headers[i].name, b.headers[i].name);
    assert_sv(a.headers[i].value, b.headers[i].value);
  }
}

void test_request_whole(void**) {
  http_head_parser p(head_kind::request);
  std::string input = kRequest + kTrailer;
  head_step s = p.feed(bytes(input));
  assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::complete));
  assert_int_equal(s.consumed, kRequest.size());
  assert_int_equal(static_cast<int>(p.error()), 0);
  const http_head& h = p.head();
  assert_sv(h.method, "GET");
  assert_sv(h.target, "/chat");
  assert_int_equal(h.status, 0);
  assert_int_equal(h.version_major, 1);
  assert_int_equal(h.version_minor, 1);
  assert_int_equal(h.headers.size(), 9);
  assert_sv(h.headers[0].name, "Host");
  assert_sv(h.headers[0].value, "server.example.com");
  assert_sv(h.headers[7].value, "");
  assert_sv(h.headers[8].value, "padded value");
  assert_sv(h.find("sec-websocket-key"), "dGhlIHNhbXBsZSBub25jZQ==");
  assert_sv(h.find("X-Missing"), "");
  assert_int_equal(h.count("HOST"), 1);
  assert_int_equal(h.count("X-Missing"), 0);

  // A finished parser consumes nothing more.
  head_step again = p.feed(bytes(kTrailer));
  assert_int_equal(static_cast<int>(again.status), static_cast<int>(head_status::complete));
  assert_int_equal(again.consumed, 0);
}

void test_split_invariance(void**) {
  const std::string input = kRequest + kTrailer;
  http_head_parser whole(head_kind::request);
  head_step ws = whole.feed(bytes(input));
  assert_int_equal(static_cast<int>(ws.status), static_cast<int>(head_status::complete));
  assert_int_equal(ws.consumed, kRequest.size());

  // Every split point into two chunks.
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    http_head_parser p(head_kind::request);
    head_step a = p.feed(bytes(std::string_view(input).substr(0, cut)));
    std::size_t total = a.consumed;
    if (a.status == head_status::need_more) {
      assert_int_equal(a.consumed, cut);
      head_step b = p.feed(bytes(std::string_view(input).substr(cut)));
      assert_int_equal(static_cast<int>(b.status), static_cast<int>(head_status::complete));
      total += b.consumed;
    } else {
      assert_true(cut >= kRequest.size());
    }
    assert_int_equal(total, kRequest.size());
    assert_same_head(p.head(), whole.head());
  }

  // Byte by byte, and a few odd chunk sizes.
  for (std::size_t chunk : {1, 2, 3, 7, 16}) {
    http_head_parser p(head_kind::request);
    head_step s = feed_chunked(p, input, chunk);
    assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::complete));
    assert_int_equal(s.consumed, kRequest.size());
    assert_same_head(p.head(), whole.head());
  }
}

void test_response(void**) {
  http_head_parser p(head_kind::response);
  std::string input =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
      "\r\n";
  head_step s = p.feed(bytes(input));
  assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::complete));
  assert_int_equal(s.consumed, input.size());
  assert_int_equal(p.head().status, 101);
  assert_sv(p.head().reason, "Switching Protocols");
  assert_sv(p.head().method, "");
  assert_int_equal(p.head().headers.size(), 3);

  // An empty reason, with and without the SP before it.
  for (std::string_view line : {"HTTP/1.0 404 \r\n\r\n", "HTTP/1.0 404\r\n\r\n"}) {
    http_head_parser q(head_kind::response);
    assert_int_equal(static_cast<int>(q.feed(bytes(line)).status),
                     static_cast<int>(head_status::complete));
    assert_int_equal(q.head().status, 404);
    assert_int_equal(q.head().version_minor, 0);
    assert_sv(q.head().reason, "");
  }
}

void test_lf_only(void**) {
  http_head_parser p(head_kind::request);
  std::string input = "GET / HTTP/1.1\nHost: a\nUpgrade: websocket\n\nrest";
  head_step s = p.feed(bytes(input));
  assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::complete));
  assert_int_equal(s.consumed, input.size() - 4);
  assert_sv(p.head().target, "/");
  assert_int_equal(p.head().headers.size(), 2);
  assert_sv(p.head().find("host"), "a");

  // Mixed CRLF and LF, fed byte by byte.
  http_head_parser q(head_kind::request);
  std::string mixed = "GET / HTTP/1.1\r\nHost: a\n\r\nX";
  head_step m = feed_chunked(q, mixed, 1);
  assert_int_equal(static_cast<int>(m.status), static_cast<int>(head_status::complete));
  assert_int_equal(m.consumed, mixed.size() - 1);
}

void test_too_large(void**) {
  http_head_limits limits;
  limits.max_head_size = 64;
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\n";
  head += "X-Pad: " + std::string(64 - head.size() - 11, 'p') + "\r\n\r\n";
  assert_int_equal(head.size(), 64);

  // Exactly at the limit is fine.
  http_head_parser ok(head_kind::request, limits);
  assert_int_equal(static_cast<int>(ok.feed(bytes(head)).status),
                   static_cast<int>(head_status::complete));

  // One byte more fails, whole or byte by byte, at the same point.
  std::string big = head;
  big.insert(big.size() - 4, "q");
  for (std::size_t chunk : {0, 1, 5}) {
    http_head_parser p(head_kind::request, limits);
    head_step s = feed_chunked(p, big, chunk);
    assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::error));
    assert_int_equal(static_cast<int>(p.error()), static_cast<int>(errc::http_head_too_large));
    assert_int_equal(s.consumed, 65);
  }

  // A head that never ends fails as soon as it passes the limit.
  http_head_parser p(head_kind::request, limits);
  std::string endless(40, 'a');
  assert_int_equal(static_cast<int>(p.feed(bytes(endless)).status),
                   static_cast<int>(head_status::need_more));
  head_step s = p.feed(bytes(endless));
  assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::error));
  assert_int_equal(s.consumed, 25);
  assert_int_equal(static_cast<int>(p.error()), static_cast<int>(errc::http_head_too_large));
}

void test_too_many_headers(void**) {
  http_head_limits limits;
  limits.max_headers = 3;
  std::string three = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
  http_head_parser p(head_kind::request, limits);
  assert_int_equal(static_cast<int>(p.feed(bytes(three)).status),
                   static_cast<int>(head_status::complete));
  std::string four = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n";
  assert_int_equal(static_cast<int>(parse_error(head_kind::request, four, limits)),
                   static_cast<int>(errc::http_too_many_headers));
}

void test_malformed(void**) {
  const char* requests[] = {
      "GET /chat HTTP/1.1\r\nHost : a\r\n\r\n",          // space before colon
      "GET /chat HTTP/1.1\r\nHost\t: a\r\n\r\n",         // tab before colon
      "GET /chat HTTP/1.1\r\nX: a\r\n  folded\r\n\r\n",  // obs-fold
      "GET /chat HTTP/1.1\r\nX: a\r\n\tfolded\r\n\r\n",  // obs-fold with HTAB
      "GET /chat HTTP/1.1\r\nNoColon\r\n\r\n",           // no colon
      "GET /chat HTTP/1.1\r\n: empty-name\r\n\r\n",      // empty name
      "GET /chat HTTP/1.1\r\nX\xc3\xa9: a\r\n\r\n",      // non-ASCII name
      "GET /chat HTTP/1.1\r\nX: a\x01z\r\n\r\n",         // control char in value
      "GET /chat HTTP/1.1\r\nX: a\rz\r\n\r\n",           // bare CR in value
      "GET /chat HTTP/1.1\r\nX: a\x7fz\r\n\r\n",         // DEL in value
      "GET  /chat HTTP/1.1\r\n\r\n",                     // double space
      "GET /chat  HTTP/1.1\r\n\r\n",                     // double space
      "GET /chat HTTP/1.1 \r\n\r\n",                     // trailing space
      "GET /chat\r\n\r\n",                               // no version
      "GET /chat HTTP/11\r\n\r\n",                       // bad version
      "GET /chat HTTP/1.10\r\n\r\n",                     // two-digit minor
      "GET /chat http/1.1\r\n\r\n",                      // lower-case HTTP
      "G(T /chat HTTP/1.1\r\n\r\n",                      // method not a token
      " GET /chat HTTP/1.1\r\n\r\n",                     // leading space
      "GET /ch\x01t HTTP/1.1\r\n\r\n",                   // control in target
      "HTTP/1.1 101 Switching Protocols\r\n\r\n",        // a status line
      "\r\nGET / HTTP/1.1\r\n\r\n",                      // empty first line
  };
  for (const char* r : requests)
    assert_int_equal(static_cast<int>(parse_error(head_kind::request, r)),
                     static_cast<int>(errc::http_malformed));

  const char* responses[] = {
      "HTTP/1.1 10 Short\r\n\r\n",         // two-digit status
      "HTTP/1.1 1011 Long\r\n\r\n",        // four-digit status
      "HTTP/1.1 1x1 Bad\r\n\r\n",          // not digits
      "HTTP/1.1  101 Bad\r\n\r\n",         // double space
      "HTTP/1.1\r\n\r\n",                  // no status
      "HTTP/2 101 Bad\r\n\r\n",            // version without minor
      "HTTP/1.1 101 Bad\x01\r\n\r\n",      // control char in reason
      "GET / HTTP/1.1\r\n\r\n",            // a request line
      "HTTP/1.1 101 OK\r\nX : y\r\n\r\n",  // space before colon
  };
  for (const char* r : responses)
    assert_int_equal(static_cast<int>(parse_error(head_kind::response, r)),
                     static_cast<int>(errc::http_malformed));
}

void test_has_token(void**) {
  http_head_parser p(head_kind::request);
  std::string input =
      "GET / HTTP/1.1\r\n"
      "Connection: keep-alive , UPGRADE\r\n"
      "Upgrade: h2c\r\n"
      "Upgrade: WebSocket\r\n"
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, "
      "x-quoted; p=\"a,websocket\"\r\n"
      "\r\n";
  assert_int_equal(static_cast<int>(p.feed(bytes(input)).status),
                   static_cast<int>(head_status::complete));
  const http_head& h = p.head();
  assert_true(h.has_token("connection", "upgrade"));
  assert_true(h.has_token("Connection", "Keep-Alive"));
  assert_false(h.has_token("Connection", "keep"));
  assert_false(h.has_token("Connection", "close"));
  // Tokens are searched across every field of that name.
  assert_true(h.has_token("Upgrade", "websocket"));
  assert_true(h.has_token("Upgrade", "h2c"));
  assert_false(h.has_token("Host", "websocket"));
  // Parameters do not hide the token; a quoted comma does not split.
  assert_true(h.has_token("Sec-WebSocket-Extensions", "permessage-deflate"));
  assert_true(h.has_token("Sec-WebSocket-Extensions", "x-quoted"));
  assert_false(h.has_token("Sec-WebSocket-Extensions", "websocket\""));
  assert_false(h.has_token("Sec-WebSocket-Extensions", "client_max_window_bits"));
}

void test_iequals(void**) {
  assert_true(iequals("Sec-WebSocket-Key", "sec-websocket-key"));
  assert_true(iequals("", ""));
  assert_false(iequals("abc", "abd"));
  assert_false(iequals("abc", "abcd"));
  // Only ASCII letters fold: '@' and '`' are not 'A'/'a' cased.
  assert_false(iequals("@", "`"));
}

void test_reset(void**) {
  http_head_parser p(head_kind::request);
  assert_int_equal(static_cast<int>(parse_error(head_kind::request, "BAD\r\n\r\n")),
                   static_cast<int>(errc::http_malformed));
  assert_int_equal(static_cast<int>(p.feed(bytes(std::string_view("BAD\r\n\r\n"))).status),
                   static_cast<int>(head_status::error));
  // An errored parser stays errored until reset.
  assert_int_equal(static_cast<int>(p.feed(bytes(kRequest)).status),
                   static_cast<int>(head_status::error));
  p.reset();
  assert_int_equal(static_cast<int>(p.error()), 0);
  head_step s = p.feed(bytes(kRequest));
  assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::complete));
  assert_int_equal(s.consumed, kRequest.size());
  assert_sv(p.head().target, "/chat");
  p.reset();
  assert_int_equal(p.head().headers.size(), 0);
  assert_sv(p.head().method, "");
}

void test_views_survive_move(void**) {
  // The shortest possible response fits in a small-string buffer; the views
  // must still point at live bytes after the parser is moved.
  http_head_parser p(head_kind::response);
  assert_int_equal(static_cast<int>(p.feed(bytes(std::string_view("HTTP/1.1 101\n\n"))).status),
                   static_cast<int>(head_status::complete));
  http_head_parser moved = std::move(p);
  assert_int_equal(moved.head().status, 101);
  assert_sv(moved.head().reason, "");
  http_head_parser q(head_kind::request);
  assert_int_equal(static_cast<int>(q.feed(bytes(std::string_view("GET / HTTP/1.1\n\n"))).status),
                   static_cast<int>(head_status::complete));
  http_head_parser moved_q = std::move(q);
  assert_sv(moved_q.head().method, "GET");
  assert_sv(moved_q.head().target, "/");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_request_whole),
      cmocka_unit_test(test_split_invariance),
      cmocka_unit_test(test_response),
      cmocka_unit_test(test_lf_only),
      cmocka_unit_test(test_too_large),
      cmocka_unit_test(test_too_many_headers),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_has_token),
      cmocka_unit_test(test_iequals),
      cmocka_unit_test(test_reset),
      cmocka_unit_test(test_views_survive_move),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
