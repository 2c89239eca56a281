// Tests of the listen-address and URL parsing of the transports.
#include "http/url.h"

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

using namespace resock::http;

namespace {

void listen_forms(void**) {
  auto a = parse_listen("127.0.0.1:8080");
  assert_true(a.has_value());
  assert_string_equal(a->host.c_str(), "127.0.0.1");
  assert_int_equal(a->port, 8080);
  a = parse_listen(":0");
  assert_true(a && a->host.empty() && a->port == 0);
  a = parse_listen("*:80");
  assert_true(a && a->host.empty());
  a = parse_listen("[::1]:9000");
  assert_true(a && a->host == "::1" && a->port == 9000 && a->ipv6());
  a = parse_listen("localhost:1");
  assert_true(a && a->host == "127.0.0.1");
  assert_false(parse_listen("127.0.0.1").has_value());
  assert_false(parse_listen("127.0.0.1:").has_value());
  assert_false(parse_listen("127.0.0.1:65536").has_value());
  assert_false(parse_listen("127.0.0.1:8o").has_value());
  assert_false(parse_listen("::1:80").has_value());  // ambiguous without brackets
}

void url_forms(void**) {
  auto u = parse_url("ws://127.0.0.1:8080/rs/ws");
  assert_true(u.has_value());
  assert_false(u->tls);
  assert_string_equal(u->host.c_str(), "127.0.0.1");
  assert_int_equal(u->port, 8080);
  assert_string_equal(u->path.c_str(), "/rs/ws");
  u = parse_url("wss://example.com");
  assert_true(u && u->tls && u->port == 443 && u->path == "/");
  u = parse_url("ws://[::1]/x?y=1#frag");
  assert_true(u && u->host == "::1" && u->port == 80 && u->path == "/x?y=1");
  u = parse_url("ws://h?q");
  assert_true(u && u->path == "/?q");
  assert_false(parse_url("http:/x").has_value());
  assert_false(parse_url("ftp://x/").has_value());
  assert_false(parse_url("ws:///path").has_value());
  assert_false(parse_url("ws://h:0/").has_value());
  assert_false(parse_url("ws://user@h/").has_value());
}

}  // namespace

int main() {
  const CMUnitTest tests[] = {
      cmocka_unit_test(listen_forms),
      cmocka_unit_test(url_forms),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
