#include "resock/wire/frame_writer.h"
// Before cmocka.h: its fail() macro would mangle frame_parser's member.
#include "resock/wire/close.h"
#include "resock/wire/frame_parser.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// cmocka 1.1.5 (Debian) declares its C functions without an extern "C" guard.
extern "C" {
#include <cmocka.h>
}

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace resock::wire;
using bytes = std::vector<std::uint8_t>;

bytes from(std::string_view s) {
  return {s.begin(), s.end()};
}

constexpr mask_key rfc_key{0x37, 0xfa, 0x21, 0x3d};

frame_header hdr(opcode op, bool fin = true, bool masked = false, mask_key key = {}) {
  frame_header h;
  h.op = op;
  h.fin = fin;
  h.masked = masked;
  h.mask = key;
  return h;
}

void expect_bytes(const bytes& got, const bytes& want) {
  if (got.size() != want.size()) fail_msg("size %zu, want %zu", got.size(), want.size());
  assert_memory_equal(got.data(), want.data(), want.size());
}

// ---------------------------------------------------------------------------
// RFC 6455 section 5.7 examples, byte for byte.

void test_rfc_text_frames(void**) {
  bytes out;
  append_frame(out, hdr(opcode::text), from("Hello"));
  expect_bytes(out, {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});

  out.clear();
  append_frame(out, hdr(opcode::text, true, true, rfc_key), from("Hello"));
  expect_bytes(out, {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});

  out.clear();
  append_frame(out, hdr(opcode::text, false), from("Hel"));
  append_frame(out, hdr(opcode::continuation), from("lo"));
  expect_bytes(out, {0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f});
}

void test_rfc_ping_pong(void**) {
  bytes out;
  append_frame(out, hdr(opcode::ping), from("Hello"));
  expect_bytes(out, {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
  out.clear();
  append_frame(out, hdr(opcode::pong, true, true, rfc_key), from("Hello"));
  expect_bytes(out, {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
}

void test_rfc_binary_lengths(void**) {
  bytes body(65536);
  for (std::size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<std::uint8_t>(i ^ (i >> 8));

  bytes out;
  append_frame(out, hdr(opcode::binary), std::span(body).first(256));
  bytes want{0x82, 0x7E, 0x01, 0x00};
  want.insert(want.end(), body.begin(), body.begin() + 256);
  expect_bytes(out, want);

  out.clear();
  append_frame(out, hdr(opcode::binary), body);
  want = {0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
  want.insert(want.end(), body.begin(), body.end());
  expect_bytes(out, want);
}

// ---------------------------------------------------------------------------
// write_header encodes exactly what it is given.

void test_header_lengths(void**) {
  struct {
    std::uint64_t length;
    bytes want;  // without the mask key
  } const cases[] = {
      {0, {0x82, 0x00}},
      {125, {0x82, 0x7D}},
      {126, {0x82, 0x7E, 0x00, 0x7E}},
      {0xFFFF, {0x82, 0x7E, 0xFF, 0xFF}},
      {0x10000, {0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}},
      {0x0123456789ABCDEFull, {0x82, 0x7F, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}},
      // The writer does not police the protocol: a conformance test may
      // want to send the illegal top bit.
      {0x8000000000000000ull, {0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}},
  };
  for (const auto& c : cases) {
    for (const bool masked : {false, true}) {
      frame_header h = hdr(opcode::binary, true, masked, {1, 2, 3, 4});
      h.length = c.length;
      std::uint8_t out[max_header_size + 1];
      out[max_header_size] = 0xEE;
      const std::size_t n = write_header(out, h);
      assert_int_equal(n, header_size(c.length, masked));
      bytes want = c.want;
      if (masked) {
        want[1] |= 0x80;
        want.insert(want.end(), {1, 2, 3, 4});
      }
      expect_bytes(bytes(out, out + n), want);
      assert_int_equal(out[max_header_size], 0xEE);
    }
  }
}

void test_header_bits(void**) {
  std::uint8_t out[max_header_size];
  // Every opcode value, reserved ones included, and every RSV combination.
  for (unsigned op = 0; op < 16; ++op) {
    for (std::uint8_t rsv = 0; rsv < 8; ++rsv) {
      for (const bool fin : {false, true}) {
        frame_header h = hdr(static_cast<opcode>(op), fin);
        h.rsv = rsv;
        h.length = 3;
        assert_int_equal(write_header(out, h), 2);
        assert_int_equal(out[0], (fin ? 0x80 : 0) | (rsv << 4) | op);
        assert_int_equal(out[1], 0x03);
      }
    }
  }
  // A fragmented ping is written as asked.
  frame_header h = hdr(opcode::ping, false);
  assert_int_equal(write_header(out, h), 2);
  assert_int_equal(out[0], 0x09);
}

void test_append_frame_appends(void**) {
  bytes out{0xAA, 0xBB};
  frame_header h = hdr(opcode::binary, true, true, {0xFF, 0x00, 0xFF, 0x00});
  h.length = 999;  // ignored: the payload decides
  append_frame(out, h, bytes{0x0F, 0x0F, 0x0F});
  expect_bytes(out, {0xAA, 0xBB, 0x82, 0x83, 0xFF, 0x00, 0xFF, 0x00, 0xF0, 0x0F, 0xF0});
  append_frame(out, hdr(opcode::close), {});
  assert_int_equal(out.size(), 11 + 2);
  assert_int_equal(out[11], 0x88);
  assert_int_equal(out[12], 0x00);
}

// ---------------------------------------------------------------------------
// Role-aware helpers.

void test_make_header(void**) {
  const frame_header s = make_header(peer::server, opcode::text, 300);
  assert_false(s.masked);
  assert_true(s.fin);
  assert_int_equal(s.op, opcode::text);
  assert_int_equal(s.length, 300);
  assert_int_equal(s.rsv, 0);

  const frame_header f = make_header(peer::client, opcode::continuation, 7, false);
  assert_true(f.masked);
  assert_false(f.fin);
  assert_int_equal(f.op, opcode::continuation);

  // Fresh keys: 16 draws of 32 random bits are all equal with p = 2^-480.
  std::set<std::uint32_t> keys;
  for (int i = 0; i < 16; ++i) {
    const mask_key k = make_header(peer::client, opcode::binary, 1).mask;
    keys.insert(std::uint32_t{k[0]} << 24 | std::uint32_t{k[1]} << 16 | k[2] << 8 | k[3]);
  }
  assert_true(keys.size() > 1);
}

// Parses `wire` as sent by `sender`; returns the payload of its only frame.
bytes parse_one(bytes wire, peer sender, frame_header& h) {
  frame_parser_options o;
  o.sender = sender;
  o.max_frame_size = 0;
  frame_parser p(o);
  std::span<std::uint8_t> in(wire);
  bytes payload;
  bool ended = false;
  for (;;) {
    const frame_step s = p.next(in);
    in = in.subspan(s.consumed);
    if (s.event == frame_event::need_more || s.event == frame_event::error) break;
    if (s.event == frame_event::header) h = p.header();
    if (s.event == frame_event::payload)
      payload.insert(payload.end(), s.payload.begin(), s.payload.end());
    if (s.event == frame_event::frame_end) ended = true;
  }
  assert_int_equal(p.error().code, resock::errc::ok);
  assert_true(ended);
  assert_true(in.empty());
  return payload;
}

void test_append_message_round_trip(void**) {
  for (const std::size_t n : {0, 1, 125, 126, 127, 4096, 65535, 65536, 70001}) {
    bytes body(n);
    for (std::size_t i = 0; i < n; ++i)
      body[i] = static_cast<std::uint8_t>(i * 131 + n);
    for (const peer sender : {peer::client, peer::server}) {
      bytes wire;
      append_message(wire, sender, opcode::binary, body);
      assert_int_equal(wire.size(), header_size(n, sender == peer::client) + n);
      frame_header h;
      const bytes got = parse_one(wire, sender, h);
      assert_true(got == body);
      assert_int_equal(h.masked, sender == peer::client);
      assert_int_equal(h.op, opcode::binary);
      assert_true(h.fin);
      if (sender == peer::client && n >= 16) {
        // The payload really is masked on the wire.
        assert_false(std::equal(body.begin(), body.end(), wire.end() - n));
      }
    }
  }
}

void test_append_close(void**) {
  bytes out;
  append_close(out, peer::server, 1000, "bye");
  expect_bytes(out, {0x88, 0x05, 0x03, 0xE8, 'b', 'y', 'e'});

  out.clear();
  append_close(out, peer::server, close_code::no_status);
  expect_bytes(out, {0x88, 0x00});

  out.clear();
  append_close(out, peer::server, 1001);
  expect_bytes(out, {0x88, 0x02, 0x03, 0xE9});

  // A reason too long for a control frame is cut to fit 125 bytes.
  out.clear();
  append_close(out, peer::server, 4000, std::string(300, 'r'));
  assert_int_equal(out.size(), 2 + 125);
  assert_int_equal(out[1], 125);
  assert_int_equal(out[2], 4000 >> 8);
  assert_int_equal(out[3], 4000 & 0xFF);

  // From a client: masked, and the parser recovers the body.
  out.clear();
  append_close(out, peer::client, 3001, "\xC3\xA9");
  frame_header h;
  const bytes body = parse_one(out, peer::client, h);
  assert_int_equal(h.op, opcode::close);
  assert_true(h.masked);
  expect_bytes(body, {0x0B, 0xB9, 0xC3, 0xA9});
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc_text_frames),    cmocka_unit_test(test_rfc_ping_pong),
      cmocka_unit_test(test_rfc_binary_lengths), cmocka_unit_test(test_header_lengths),
      cmocka_unit_test(test_header_bits),        cmocka_unit_test(test_append_frame_appends),
      cmocka_unit_test(test_make_header),        cmocka_unit_test(test_append_message_round_trip),
      cmocka_unit_test(test_append_close),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
