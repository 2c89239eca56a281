// Tests of the RFC 6455 opening handshake checks and builders.
#include "resock/wire/handshake.h"

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

constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// RFC 6455 section 1.2, verbatim.
const std::string kSampleRequest =
    "GET /chat HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Protocol: chat, superchat\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";
const std::string kSampleResponse =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: chat\r\n"
    "\r\n";

void assert_sv(std::string_view actual, std::string_view expected) {
  assert_int_equal(actual.size(), expected.size());
  assert_memory_equal(actual.data(), expected.data(), expected.size());
}

// Parses a complete head; the parser owns the bytes the head points into.
const http_head& parse(http_head_parser& p, std::string_view text) {
  head_step s = p.feed({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::complete));
  assert_int_equal(s.consumed, text.size());
  return p.head();
}

// The sample request with line `from` replaced by `to` (`to` may be empty
// to drop the line; include the trailing CRLF).
std::string edit(std::string text, std::string_view from, std::string_view to) {
  auto at = text.find(from);
  assert_true(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

errc check_request(std::string_view text) {
  http_head_parser p(head_kind::request);
  upgrade_request req;
  return validate_upgrade_request(parse(p, text), req);
}

void expect_request_error(std::string_view text, errc expected, int status) {
  errc e = check_request(text);
  assert_int_equal(static_cast<int>(e), static_cast<int>(expected));
  assert_int_equal(http_status_for(e), status);
}

errc check_response(std::string_view text, std::string_view offered_protocols = "chat, superchat",
                    std::string_view offered_extensions = {}) {
  http_head_parser p(head_kind::response);
  return validate_upgrade_response(parse(p, text), kKey, offered_protocols, offered_extensions);
}

void test_accept_key(void**) {
  assert_sv(accept_key(kKey), kAccept);
  assert_int_equal(accept_key("").size(), 28);
  assert_true(accept_key("x") != accept_key("y"));
}

void test_client_key(void**) {
  std::string a = make_client_key();
  std::string b = make_client_key();
  assert_int_equal(a.size(), 24);
  assert_true(is_valid_client_key(a));
  assert_true(is_valid_client_key(b));
  assert_true(a != b);
}

void test_is_valid_client_key(void**) {
  assert_true(is_valid_client_key(kKey));
  assert_true(is_valid_client_key("AAAAAAAAAAAAAAAAAAAAAA=="));
  assert_true(is_valid_client_key("/+/+/+/+/+/+/+/+/+/+/w=="));
  assert_false(is_valid_client_key(""));
  assert_false(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ="));    // 23 chars
  assert_false(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ==="));  // 25 chars
  assert_false(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ"));     // unpadded
  assert_false(is_valid_client_key("0123456789abcdef"));           // 16 raw chars
  assert_false(is_valid_client_key("dGhlIHNhbXBsZSBub25jZ==="));   // padding starts early
  assert_false(is_valid_client_key("dGhlIHNhbXBsZSBub25j*Q=="));   // not base64
  assert_false(is_valid_client_key("dGhlIHNhbXBsZSBub25jZ-=="));   // base64url digit
  assert_false(is_valid_client_key("dGhlIHNhbXBsZSBub25jZQ=A"));   // bad padding
  assert_false(is_valid_client_key("dGhlIHNhbXBsZSBub25jZXhh"));   // 18 bytes, no padding
  // Non-canonical: 'R' = 17 has low bits set that 16 bytes cannot carry.
  assert_false(is_valid_client_key("dGhlIHNhbXBsZSBub25jZR=="));
  assert_false(is_valid_client_key("AAAAAAAAAAAAAAAAAAAAAB=="));
}

void test_sample_request(void**) {
  http_head_parser p(head_kind::request);
  upgrade_request req;
  req.origin = "stale";
  assert_int_equal(static_cast<int>(validate_upgrade_request(parse(p, kSampleRequest), req)), 0);
  assert_sv(req.key, kKey);
  assert_sv(req.host, "server.example.com");
  assert_sv(req.origin, "http://example.com");
  assert_sv(req.protocols, "chat, superchat");
  assert_sv(req.extensions, "");
}

void test_request_variants_accepted(void**) {
  assert_int_equal(static_cast<int>(check_request(edit(kSampleRequest, "Connection: Upgrade",
                                                       "Connection: keep-alive, Upgrade"))),
                   0);
  assert_int_equal(static_cast<int>(check_request(
                       edit(kSampleRequest, "Upgrade: websocket", "Upgrade: WebSocket"))),
                   0);
  assert_int_equal(static_cast<int>(check_request(
                       edit(kSampleRequest, "Connection: Upgrade", "connection: upgrade"))),
                   0);
  // Later minor versions are HTTP/1.1 or later too.
  assert_int_equal(static_cast<int>(check_request(edit(kSampleRequest, "HTTP/1.1", "HTTP/1.2"))),
                   0);
  // No Origin, protocols or extensions: they stay empty.
  http_head_parser p(head_kind::request);
  upgrade_request req;
  std::string bare = edit(kSampleRequest, "Origin: http://example.com\r\n", "");
  bare = edit(bare, "Sec-WebSocket-Protocol: chat, superchat\r\n", "");
  bare = edit(bare, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
  assert_int_equal(static_cast<int>(validate_upgrade_request(parse(p, bare), req)), 0);
  assert_sv(req.origin, "");
  assert_sv(req.protocols, "");
  assert_sv(req.extensions, "permessage-deflate");
}

void test_request_errors(void**) {
  const std::string& r = kSampleRequest;
  expect_request_error(edit(r, "GET", "POST"), errc::handshake_not_get, 405);
  expect_request_error(edit(r, "GET", "get"), errc::handshake_not_get, 405);
  expect_request_error(edit(r, "HTTP/1.1", "HTTP/1.0"), errc::handshake_http_version, 400);
  expect_request_error(edit(r, "HTTP/1.1", "HTTP/0.9"), errc::handshake_http_version, 400);
  expect_request_error(edit(r, "Host: server.example.com\r\n", ""), errc::handshake_no_host, 400);
  expect_request_error(edit(r, "Host: server.example.com", "Host:"), errc::handshake_no_host, 400);
  expect_request_error(edit(r, "Host: server.example.com", "Host: a\r\nHost: b"),
                       errc::http_malformed, 400);
  expect_request_error(edit(r, "Upgrade: websocket\r\n", ""), errc::handshake_no_upgrade, 400);
  expect_request_error(edit(r, "Upgrade: websocket", "Upgrade: h2c"), errc::handshake_no_upgrade,
                       400);
  expect_request_error(edit(r, "Connection: Upgrade\r\n", ""), errc::handshake_no_connection, 400);
  expect_request_error(edit(r, "Connection: Upgrade", "Connection: keep-alive"),
                       errc::handshake_no_connection, 400);
  expect_request_error(edit(r, "Version: 13", "Version: 8"), errc::handshake_bad_version, 426);
  expect_request_error(edit(r, "Version: 13", "Version: 13, 8"), errc::handshake_bad_version, 426);
  expect_request_error(edit(r, "Sec-WebSocket-Version: 13\r\n", ""), errc::handshake_bad_version,
                       426);
  expect_request_error(edit(r, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", ""),
                       errc::handshake_no_key, 400);
  expect_request_error(edit(r, kKey, "dGhlIHNhbXBsZSBub25jZQ="), errc::handshake_bad_key, 400);
  expect_request_error(edit(r, kKey, "dGhlIHNhbXBsZSBub25jZQ==AAAA"), errc::handshake_bad_key, 400);
  expect_request_error(edit(r, kKey, "0123456789abcdef"), errc::handshake_bad_key, 400);
  expect_request_error(edit(r, kKey, "dGhlIHNhbXBsZSBub25j!Q=="), errc::handshake_bad_key, 400);
  expect_request_error(edit(r, "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="),
                       errc::handshake_bad_key, 400);
}

void test_check_order(void**) {
  // POST over HTTP/1.0 with nothing else: the method is reported first.
  expect_request_error("POST / HTTP/1.0\r\n\r\n", errc::handshake_not_get, 405);
  expect_request_error("GET / HTTP/1.0\r\n\r\n", errc::handshake_http_version, 400);
  expect_request_error("GET / HTTP/1.1\r\n\r\n", errc::handshake_no_host, 400);
  expect_request_error("GET / HTTP/1.1\r\nHost: h\r\n\r\n", errc::handshake_no_upgrade, 400);
  expect_request_error("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n",
                       errc::handshake_no_connection, 400);
  expect_request_error(
      "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
      errc::handshake_bad_version, 426);
  expect_request_error(
      "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n",
      errc::handshake_no_key, 400);
}

void test_http_status_for(void**) {
  assert_int_equal(http_status_for(errc::handshake_bad_version), 426);
  assert_int_equal(http_status_for(errc::handshake_not_get), 405);
  assert_int_equal(http_status_for(errc::http_head_too_large), 431);
  assert_int_equal(http_status_for(errc::http_too_many_headers), 431);
  assert_int_equal(http_status_for(errc::http_malformed), 400);
  assert_int_equal(http_status_for(errc::handshake_http_version), 400);
  assert_int_equal(http_status_for(errc::handshake_bad_key), 400);
  assert_int_equal(http_status_for(errc::handshake_no_key), 400);
}

void test_sample_response(void**) {
  assert_int_equal(static_cast<int>(check_response(kSampleResponse)), 0);
  // No subprotocol chosen is fine, even when some were offered.
  assert_int_equal(static_cast<int>(check_response(
                       edit(kSampleResponse, "Sec-WebSocket-Protocol: chat\r\n", ""))),
                   0);
  assert_int_equal(static_cast<int>(check_response(
                       edit(kSampleResponse, "Protocol: chat", "Protocol: superchat"))),
                   0);
  assert_int_equal(static_cast<int>(check_response(
                       edit(kSampleResponse, "Upgrade: websocket", "Upgrade: WEBSOCKET"))),
                   0);
}

void test_response_errors(void**) {
  auto expect = [](std::string_view text, errc expected, std::string_view protocols,
                   std::string_view extensions) {
    assert_int_equal(static_cast<int>(check_response(text, protocols, extensions)),
                     static_cast<int>(expected));
  };
  const std::string& r = kSampleResponse;
  const std::string_view offered = "chat, superchat";
  expect(edit(r, "101 Switching Protocols", "200 OK"), errc::handshake_bad_status, offered, {});
  expect(edit(r, "101 Switching Protocols", "403 Forbidden"), errc::handshake_bad_status, offered,
         {});
  expect(edit(r, "Upgrade: websocket\r\n", ""), errc::handshake_no_upgrade, offered, {});
  expect(edit(r, "Connection: Upgrade\r\n", ""), errc::handshake_no_connection, offered, {});
  expect(edit(r, kAccept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOp="), errc::handshake_bad_accept, offered, {});
  expect(edit(r, kAccept, "S3PPLMBITXAQ9KYGZZHZRBK+XOO="), errc::handshake_bad_accept, offered, {});
  expect(edit(r, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", ""),
         errc::handshake_bad_accept, offered, {});
  // The accept key for a different sent key does not match.
  {
    http_head_parser p(head_kind::response);
    assert_int_equal(static_cast<int>(validate_upgrade_response(
                         parse(p, r), "AAAAAAAAAAAAAAAAAAAAAA==", offered, {})),
                     static_cast<int>(errc::handshake_bad_accept));
  }
  expect(edit(r, "Protocol: chat", "Protocol: mqtt"), errc::handshake_unoffered_protocol, offered,
         {});
  expect(r, errc::handshake_unoffered_protocol, "", {});
  expect(edit(r, "Protocol: chat", "Protocol: Chat"), errc::handshake_unoffered_protocol, offered,
         {});
  expect(edit(r, "Protocol: chat", "Protocol: chat, superchat"), errc::handshake_unoffered_protocol,
         offered, {});
  expect(edit(r, "Protocol: chat", "Protocol: chat\r\nSec-WebSocket-Protocol: chat"),
         errc::handshake_unoffered_protocol, offered, {});
  expect(edit(r, "Protocol: chat", "Protocol:"), errc::handshake_unoffered_protocol, offered, {});
  // Subprotocols are chosen from the list, not matched as substrings.
  expect(edit(r, "Protocol: chat", "Protocol: hat"), errc::handshake_unoffered_protocol, offered,
         {});

  const std::string ext = edit(r, "\r\n\r\n",
                               "\r\nSec-WebSocket-Extensions: permessage-deflate; "
                               "server_no_context_takeover\r\n\r\n");
  expect(ext, errc::handshake_unoffered_extension, offered, {});
  expect(ext, errc::handshake_unoffered_extension, offered, "x-webkit-deflate-frame");
  expect(ext, errc::ok, offered, "permessage-deflate; client_max_window_bits");
  expect(ext, errc::ok, offered, "x-foo, permessage-deflate");
  const std::string two =
      edit(ext, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: x-foo; q=\"a,b\"\r\n\r\n");
  expect(two, errc::handshake_unoffered_extension, offered, "permessage-deflate");
  expect(two, errc::ok, offered, "permessage-deflate, x-foo");
}

void test_build_request(void**) {
  std::string req = build_upgrade_request("server.example.com", "/chat", kKey, "chat, superchat",
                                          "permessage-deflate", "Origin: http://example.com\r\n");
  assert_sv(req,
            "GET /chat HTTP/1.1\r\n"
            "Host: server.example.com\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: chat, superchat\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate\r\n"
            "Origin: http://example.com\r\n"
            "\r\n");
  // What the client builds, the server accepts.
  http_head_parser p(head_kind::request);
  upgrade_request out;
  assert_int_equal(static_cast<int>(validate_upgrade_request(parse(p, req), out)), 0);
  assert_sv(out.origin, "http://example.com");
  assert_sv(out.extensions, "permessage-deflate");

  assert_sv(build_upgrade_request("h", "/", kKey),
            "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
}

void test_build_response(void**) {
  std::string resp = build_upgrade_response(kKey, "chat");
  assert_sv(resp, kSampleResponse);
  assert_int_equal(static_cast<int>(check_response(resp)), 0);

  std::string with_ext = build_upgrade_response(kKey, {}, "permessage-deflate");
  assert_sv(with_ext,
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate\r\n"
            "\r\n");
  assert_int_equal(static_cast<int>(check_response(with_ext, {}, "permessage-deflate")), 0);
}

void test_build_rejection(void**) {
  assert_sv(build_rejection(400, "bad key"),
            "HTTP/1.1 400 Bad Request\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 7\r\n"
            "Connection: close\r\n"
            "\r\n"
            "bad key");
  assert_sv(build_rejection(426, ""),
            "HTTP/1.1 426 Upgrade Required\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 0\r\n"
            "Connection: close\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            "Upgrade: websocket\r\n"
            "\r\n");
  assert_sv(build_rejection(405, "GET only"),
            "HTTP/1.1 405 Method Not Allowed\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 8\r\n"
            "Connection: close\r\n"
            "Allow: GET\r\n"
            "\r\n"
            "GET only");
  struct {
    int status;
    std::string_view line;
  } const phrases[] = {
      {403, "HTTP/1.1 403 Forbidden\r\n"},
      {404, "HTTP/1.1 404 Not Found\r\n"},
      {429, "HTTP/1.1 429 Too Many Requests\r\n"},
      {431, "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
      {500, "HTTP/1.1 500 Internal Server Error\r\n"},
      {503, "HTTP/1.1 503 Service Unavailable\r\n"},
  };
  for (const auto& ph : phrases) {
    std::string out = build_rejection(ph.status, "x");
    assert_sv(std::string_view(out).substr(0, ph.line.size()), ph.line);
    // Only 426 advertises the version.
    assert_true(out.find("Sec-WebSocket-Version") == std::string::npos);
  }
  // Every rejection is a well-formed response head followed by its body.
  std::string rej = build_rejection(431, "too big");
  http_head_parser p(head_kind::response);
  head_step s = p.feed({reinterpret_cast<const std::uint8_t*>(rej.data()), rej.size()});
  assert_int_equal(static_cast<int>(s.status), static_cast<int>(head_status::complete));
  assert_int_equal(rej.size() - s.consumed, 7);
  assert_int_equal(p.head().status, 431);
  assert_sv(p.head().find("Content-Length"), "7");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accept_key),
      cmocka_unit_test(test_client_key),
      cmocka_unit_test(test_is_valid_client_key),
      cmocka_unit_test(test_sample_request),
      cmocka_unit_test(test_request_variants_accepted),
      cmocka_unit_test(test_request_errors),
      cmocka_unit_test(test_check_order),
      cmocka_unit_test(test_http_status_for),
      cmocka_unit_test(test_sample_response),
      cmocka_unit_test(test_response_errors),
      cmocka_unit_test(test_build_request),
      cmocka_unit_test(test_build_response),
      cmocka_unit_test(test_build_rejection),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
