#include "resock/wire/message_assembler.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// cmocka 1.1.5 (Debian) declares its C functions without an extern "C" guard.
extern "C" {
#include <cmocka.h>
}

#include <algorithm>
#include <string_view>
#include <vector>

namespace {

using resock::errc;
using namespace resock::wire;
using bytes = std::vector<std::uint8_t>;
using ev = message_event;

bytes from(std::string_view s) {
  return {s.begin(), s.end()};
}

frame_header hdr(opcode op, std::uint64_t length, bool fin = true) {
  frame_header h;
  h.op = op;
  h.length = length;
  h.fin = fin;
  return h;
}

// What feeding one frame produced: every non-none event in order, the data
// passed through, and the payload of a control event.
struct result {
  std::vector<ev> events;
  bytes data;
  bytes control;
};

void collect(result& r, const message_step& s) {
  if (s.event == ev::none) return;
  r.events.push_back(s.event);
  if (s.event == ev::data) r.data.insert(r.data.end(), s.data.begin(), s.data.end());
  if (s.event == ev::ping || s.event == ev::pong || s.event == ev::close)
    r.control.assign(s.data.begin(), s.data.end());
}

// Feeds a frame whose payload arrives in the given pieces, stopping at the
// first error like message_reader does.
result feed(message_assembler& a, opcode op, const std::vector<bytes>& pieces, bool fin = true) {
  std::uint64_t n = 0;
  for (const bytes& p : pieces)
    n += p.size();
  result r;
  collect(r, a.on_header(hdr(op, n, fin)));
  for (const bytes& p : pieces) {
    if (!r.events.empty() && r.events.back() == ev::error) return r;
    const message_step s = a.on_payload(p);
    if (s.event == ev::data) assert_true(s.data.data() == p.data());  // no copy
    collect(r, s);
  }
  if (!r.events.empty() && r.events.back() == ev::error) return r;
  collect(r, a.on_frame_end());
  return r;
}
result feed(message_assembler& a, opcode op, std::string_view payload, bool fin = true) {
  if (payload.empty()) return feed(a, op, std::vector<bytes>{}, fin);
  return feed(a, op, std::vector<bytes>{from(payload)}, fin);
}

void expect_events(const result& r, std::initializer_list<ev> want) {
  assert_int_equal(r.events.size(), want.size());
  std::size_t i = 0;
  for (const ev e : want)
    assert_int_equal(r.events[i++], e);
}

void expect_error(const message_assembler& a, errc code, std::uint16_t close_code) {
  assert_int_equal(a.error().code, code);
  assert_int_equal(a.error().close_code, close_code);
  assert_true(a.error().reason != nullptr && a.error().reason[0] != '\0');
}

// ---------------------------------------------------------------------------

void test_single_frame_messages(void**) {
  message_assembler a;
  result r = feed(a, opcode::text, "Hello");
  expect_events(r, {ev::data, ev::message_end});
  assert_true(r.data == from("Hello"));
  assert_int_equal(a.message_opcode(), opcode::text);
  assert_false(a.in_message());
  assert_int_equal(a.message_size(), 5);

  r = feed(a, opcode::binary, std::vector<bytes>{{0xFF, 0x00}, {0xC0}});
  expect_events(r, {ev::data, ev::data, ev::message_end});
  assert_true(r.data == (bytes{0xFF, 0x00, 0xC0}));  // binary is never UTF-8 checked
  assert_int_equal(a.message_opcode(), opcode::binary);

  // An empty message still ends.
  r = feed(a, opcode::text, "");
  expect_events(r, {ev::message_end});
  assert_int_equal(a.message_size(), 0);
}

void test_fragmented_message(void**) {
  message_assembler a;
  result r = feed(a, opcode::text, "Hel", false);
  expect_events(r, {ev::data});
  assert_true(a.in_message());
  r = feed(a, opcode::continuation, "", false);
  expect_events(r, {});
  r = feed(a, opcode::continuation, "lo");
  expect_events(r, {ev::data, ev::message_end});
  assert_false(a.in_message());
  assert_int_equal(a.message_size(), 5);
  assert_int_equal(a.message_opcode(), opcode::text);
}

void test_unexpected_continuation(void**) {
  message_assembler a;
  expect_events(feed(a, opcode::continuation, "x"), {ev::error});
  expect_error(a, errc::unexpected_continuation, 1002);
  // Failed for good: every call reports the error.
  assert_int_equal(a.on_header(hdr(opcode::text, 1)).event, ev::error);
  assert_int_equal(a.on_payload(from("x")).event, ev::error);
  assert_int_equal(a.on_frame_end().event, ev::error);
  expect_error(a, errc::unexpected_continuation, 1002);

  // Also right after a complete message.
  message_assembler b;
  expect_events(feed(b, opcode::binary, "ab"), {ev::data, ev::message_end});
  expect_events(feed(b, opcode::continuation, "", true), {ev::error});
  expect_error(b, errc::unexpected_continuation, 1002);

  b.reset();
  assert_int_equal(b.error().code, errc::ok);
  expect_events(feed(b, opcode::text, "ok"), {ev::data, ev::message_end});
}

void test_expected_continuation(void**) {
  for (const opcode second : {opcode::text, opcode::binary}) {
    message_assembler a;
    expect_events(feed(a, opcode::binary, "ab", false), {ev::data});
    expect_events(feed(a, second, "cd"), {ev::error});
    expect_error(a, errc::expected_continuation, 1002);
  }
}

void test_control_between_fragments(void**) {
  message_assembler a;
  expect_events(feed(a, opcode::text, "Hel", false), {ev::data});

  result r = feed(a, opcode::ping, std::vector<bytes>{from("pi"), from("ng")});
  expect_events(r, {ev::ping});
  assert_true(r.control == from("ping"));
  assert_true(a.in_message());
  assert_int_equal(a.message_opcode(), opcode::text);

  r = feed(a, opcode::pong, "");
  expect_events(r, {ev::pong});
  assert_true(r.control.empty());

  r = feed(a, opcode::close, std::vector<bytes>{{0x03, 0xE8}});
  expect_events(r, {ev::close});
  assert_int_equal(a.close().code, 1000);

  // Control payload does not count towards the message.
  r = feed(a, opcode::continuation, "lo");
  expect_events(r, {ev::data, ev::message_end});
  assert_int_equal(a.message_size(), 5);
}

void test_ping_payload_limits(void**) {
  message_assembler a;
  const bytes full(125, 0x5A);
  result r = feed(a, opcode::ping,
                  std::vector<bytes>{bytes(full.begin(), full.begin() + 60),
                                     bytes(full.begin() + 60, full.end())});
  expect_events(r, {ev::ping});
  assert_true(r.control == full);
  // Headers normally come from the parser; a direct caller still cannot
  // overflow the control buffer.
  assert_int_equal(a.on_header(hdr(opcode::ping, 126)).event, ev::error);
  expect_error(a, errc::control_too_long, 1002);
}

// ---------------------------------------------------------------------------
// Close payload.

bytes close_body(std::uint16_t code, std::string_view reason = {}) {
  // Sized up front: growing a 2-byte vector trips a GCC 12 -Warray-bounds
  // false positive.
  bytes b(2 + reason.size());
  b[0] = static_cast<std::uint8_t>(code >> 8);
  b[1] = static_cast<std::uint8_t>(code);
  std::copy(reason.begin(), reason.end(), b.begin() + 2);
  return b;
}

void test_close_payload_rules(void**) {
  {
    message_assembler a;
    expect_events(feed(a, opcode::close, ""), {ev::close});
    assert_int_equal(a.close().code, close_code::no_status);
    assert_true(a.close().reason.empty());
  }
  {
    message_assembler a;
    expect_events(feed(a, opcode::close, std::vector<bytes>{{0x03}}), {ev::error});
    expect_error(a, errc::invalid_close_payload, 1002);
  }
  for (const std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    message_assembler a;
    const result r = feed(a, opcode::close, std::vector<bytes>{close_body(code)});
    if (r.events.size() != 1 || r.events[0] != ev::error) fail_msg("code %u accepted", code);
    expect_error(a, errc::invalid_close_code, 1002);
  }
  for (const std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999}) {
    message_assembler a;
    const result r = feed(a, opcode::close, std::vector<bytes>{close_body(code, "bye")});
    if (r.events.size() != 1 || r.events[0] != ev::close) fail_msg("code %u rejected", code);
    assert_int_equal(a.close().code, code);
    assert_true(a.close().reason == "bye");
    assert_true(r.control == close_body(code, "bye"));
  }
  {
    // A multi-byte reason split across payload pieces.
    message_assembler a;
    const bytes body = close_body(1001, "\xC3\xA9t\xC3\xA9");
    const result r = feed(a, opcode::close,
                          std::vector<bytes>{bytes(body.begin(), body.begin() + 3),
                                             bytes(body.begin() + 3, body.end())});
    expect_events(r, {ev::close});
    assert_true(a.close().reason == "\xC3\xA9t\xC3\xA9");
  }
  for (const std::string_view bad :
       {std::string_view("\xFF"), std::string_view("ab\xC3"), std::string_view("\xED\xA0\x80")}) {
    message_assembler a;
    expect_events(feed(a, opcode::close, std::vector<bytes>{close_body(1000, bad)}), {ev::error});
    expect_error(a, errc::invalid_utf8, 1007);
  }
  {
    // With UTF-8 checking handed to an extension the reason passes as is,
    // but the code rules still hold.
    assembler_options o;
    o.validate_utf8 = false;
    message_assembler a(o);
    expect_events(feed(a, opcode::close, std::vector<bytes>{close_body(1000, "\xFF")}),
                  {ev::close});
    assert_int_equal(a.close().code, 1000);
    assert_int_equal(a.close().reason.size(), 1);
    message_assembler b(o);
    expect_events(feed(b, opcode::close, std::vector<bytes>{close_body(1005, "\xFF")}),
                  {ev::error});
    expect_error(b, errc::invalid_close_code, 1002);
  }
}

// ---------------------------------------------------------------------------
// UTF-8 of text messages.

void test_utf8_fail_fast_across_fragments(void**) {
  {
    // E2 82 is a valid start of U+20AC; the 0x28 in the next fragment breaks it.
    message_assembler a;
    expect_events(feed(a, opcode::text, "a\xE2\x82", false), {ev::data});
    expect_events(feed(a, opcode::continuation, "(b", false), {ev::error});
    expect_error(a, errc::invalid_utf8, 1007);
  }
  {
    // A byte that can never appear fails in its own fragment, not at FIN.
    message_assembler a;
    expect_events(feed(a, opcode::text, "ok", false), {ev::data});
    expect_events(feed(a, opcode::continuation, "x\xC0", false), {ev::error});
    expect_error(a, errc::invalid_utf8, 1007);
  }
  {
    // Within one frame: the second payload piece carries the bad byte.
    message_assembler a;
    const result r =
        feed(a, opcode::text, std::vector<bytes>{from("\xF0\x9D"), from("\x84"), from("\xFF")});
    expect_events(r, {ev::data, ev::data, ev::error});
    expect_error(a, errc::invalid_utf8, 1007);
  }
  {
    // A sequence split across fragments and completed is fine.
    message_assembler a;
    expect_events(feed(a, opcode::text, "\xF0\x9D", false), {ev::data});
    expect_events(feed(a, opcode::ping, ""), {ev::ping});
    expect_events(feed(a, opcode::continuation, "\x84", false), {ev::data});
    expect_events(feed(a, opcode::continuation, "\x9E!"), {ev::data, ev::message_end});
  }
}

// permessage-deflate: RSV1 on the first frame marks a compressed message,
// whose bytes are not UTF-8 here; RSV1 anywhere else fails (RFC 7692 6.1).
void test_compressed_messages(void**) {
  {
    message_assembler a;
    frame_header h = hdr(opcode::text, 3, false);
    h.rsv = rsv::rsv1;
    expect_events(
        [&] {
          result r;
          collect(r, a.on_header(h));
          bytes p{0xF2, 0xFF, 0xC0};  // not UTF-8: compressed
          collect(r, a.on_payload(p));
          collect(r, a.on_frame_end());
          return r;
        }(),
        {ev::data});
    assert_true(a.message_compressed());
    expect_events(feed(a, opcode::continuation, "\xFF"), {ev::data, ev::message_end});
    // The next message without RSV1 is checked again.
    expect_events(feed(a, opcode::text, "\xFF"), {ev::error});
    expect_error(a, errc::invalid_utf8, 1007);
  }
  for (opcode op : {opcode::continuation, opcode::ping, opcode::close}) {
    message_assembler a;
    if (op == opcode::continuation) expect_events(feed(a, opcode::binary, "x", false), {ev::data});
    frame_header h = hdr(op, 0);
    h.rsv = rsv::rsv1;
    assert_int_equal(a.on_header(h).event, ev::error);
    expect_error(a, errc::reserved_bits_set, 1002);
  }
}

void test_utf8_incomplete_at_end(void**) {
  {
    // An open sequence at a non-final fragment end is fine ...
    message_assembler a;
    expect_events(feed(a, opcode::text, "a\xE2\x82", false), {ev::data});
    // ... but not at the end of the message.
    expect_events(feed(a, opcode::continuation, ""), {ev::error});
    expect_error(a, errc::invalid_utf8, 1007);
  }
  {
    message_assembler a;
    expect_events(feed(a, opcode::text, "\xC3"), {ev::data, ev::error});
    expect_error(a, errc::invalid_utf8, 1007);
  }
  {
    // A new message starts with a fresh validator.
    message_assembler a;
    expect_events(feed(a, opcode::binary, "\xC3"), {ev::data, ev::message_end});
    expect_events(feed(a, opcode::text, "\xA9"), {ev::error});
    expect_error(a, errc::invalid_utf8, 1007);
  }
  {
    assembler_options o;
    o.validate_utf8 = false;
    message_assembler a(o);
    expect_events(feed(a, opcode::text, "\xFF\xC3"), {ev::data, ev::message_end});
  }
}

// ---------------------------------------------------------------------------
// Message size limit.

void test_max_message_size(void**) {
  assembler_options o;
  o.max_message_size = 10;
  {
    message_assembler a(o);
    expect_events(feed(a, opcode::binary, "0123456789"), {ev::data, ev::message_end});
    // Rejected at the header: no payload of an oversized frame is needed.
    assert_int_equal(a.on_header(hdr(opcode::text, 11)).event, ev::error);
    expect_error(a, errc::message_too_big, 1009);
  }
  {
    // Cumulative over fragments, with control frames not counted.
    message_assembler a(o);
    expect_events(feed(a, opcode::text, "012345", false), {ev::data});
    expect_events(feed(a, opcode::ping, "pingpingping"), {ev::ping});
    expect_events(feed(a, opcode::continuation, "678", false), {ev::data});
    assert_int_equal(a.on_header(hdr(opcode::continuation, 2)).event, ev::error);
    expect_error(a, errc::message_too_big, 1009);
  }
  {
    // Payload beyond what the header announced still hits the limit.
    message_assembler a(o);
    assert_int_equal(a.on_header(hdr(opcode::binary, 4)).event, ev::none);
    assert_int_equal(a.on_payload(from("0123456789")).event, ev::data);
    assert_int_equal(a.on_payload(from("x")).event, ev::error);
    expect_error(a, errc::message_too_big, 1009);
  }
  {
    // 0 means no limit; the default is 64 MiB.
    o.max_message_size = 0;
    message_assembler a(o);
    assert_int_equal(a.on_header(hdr(opcode::binary, 0x7FFFFFFFFFFFFFFFull, false)).event,
                     ev::none);
    message_assembler d;
    assert_int_equal(d.on_header(hdr(opcode::binary, 64u << 20)).event, ev::none);
    message_assembler e;
    assert_int_equal(e.on_header(hdr(opcode::binary, (64u << 20) + 1)).event, ev::error);
    expect_error(e, errc::message_too_big, 1009);
  }
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_single_frame_messages),
      cmocka_unit_test(test_fragmented_message),
      cmocka_unit_test(test_unexpected_continuation),
      cmocka_unit_test(test_expected_continuation),
      cmocka_unit_test(test_control_between_fragments),
      cmocka_unit_test(test_ping_payload_limits),
      cmocka_unit_test(test_close_payload_rules),
      cmocka_unit_test(test_utf8_fail_fast_across_fragments),
      cmocka_unit_test(test_compressed_messages),
      cmocka_unit_test(test_utf8_incomplete_at_end),
      cmocka_unit_test(test_max_message_size),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
