#include "resock/wire/frame_parser.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// cmocka 1.1.5 (Debian) declares its C functions without an extern "C" guard.
extern "C" {
#include <cmocka.h>
}

#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string_view>
#include <vector>

namespace {

// Counts global allocations so the tests can prove parsing allocates nothing.
std::size_t g_allocations = 0;

}  // namespace

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

using resock::errc;
using namespace resock::wire;
using bytes = std::vector<std::uint8_t>;

bytes from(std::string_view s) {
  return {s.begin(), s.end()};
}

// A test-local encoder, independent of frame_writer so a writer bug cannot
// hide a parser bug.
void encode(bytes& out, bool fin, std::uint8_t op, const bytes& payload, bool masked,
            mask_key key = {}, std::uint8_t rsv = 0) {
  out.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | (rsv << 4) | op));
  const std::uint8_t m = masked ? 0x80 : 0;
  const std::uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<std::uint8_t>(m | n));
  } else if (n <= 0xFFFF) {
    out.push_back(m | 126);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(m | 127);
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  }
  if (masked) out.insert(out.end(), key.begin(), key.end());
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(masked ? static_cast<std::uint8_t>(payload[i] ^ key[i % 4]) : payload[i]);
}

frame_parser_options opts(peer sender) {
  frame_parser_options o;
  o.sender = sender;
  return o;
}

// One event with consecutive payload events merged: how many payload events
// a frame produces depends on the split, their bytes must not.
struct record {
  frame_event event;
  frame_header header{};
  bytes payload{};
  std::size_t start = 0;  // stream offset of the payload's first byte
  errc error = errc::ok;
};

bool same_header(const frame_header& a, const frame_header& b) {
  return a.fin == b.fin && a.rsv == b.rsv && a.op == b.op && a.masked == b.masked &&
         a.mask == b.mask && a.length == b.length;
}

// Drives the parser over `buf`, cut into chunks ending at cut(pos), checking
// the step invariants and handing each non-need_more step to `sink`.
// Written with raw pointers and a single check per step because the split
// tests run it some 130k times (unoptimised, and under ASan in CI).
template <class Cut, class Sink>
void drive(frame_parser& p, std::span<std::uint8_t> buf, Cut cut, Sink&& sink) {
  std::uint8_t* const base = buf.data();
  const std::size_t size = buf.size();
  std::size_t pos = 0;
  do {
    const std::size_t end = cut(pos);
    if (end <= pos && size != 0) fail_msg("empty chunk at %zu", pos);
    for (;;) {
      std::uint8_t* const at = base + pos;
      const std::size_t avail = end - pos;
      const frame_step s = p.next({at, avail});
      bool ok = s.consumed <= avail;
      switch (s.event) {
        case frame_event::need_more:
          ok = ok && s.consumed == avail;
          break;
        case frame_event::payload:
          ok = ok && s.consumed == s.payload.size() && s.payload.data() == at && s.consumed != 0;
          break;
        case frame_event::header:
          break;
        case frame_event::frame_end:
          ok = ok && s.consumed == 0 && p.payload_offset() == p.header().length;
          break;
        case frame_event::error:
          ok = ok && s.consumed == 0;
          break;
      }
      if (!ok) fail_msg("bad step (event %d) at %zu", static_cast<int>(s.event), pos);
      pos += s.consumed;
      if (s.event == frame_event::need_more) break;
      sink(s, p);
      if (s.event == frame_event::error) return;
    }
  } while (pos < size);
}

// Parses `data` in place (it ends up unmasked) in chunks of `chunk` bytes
// (0: whole) and returns the merged events.
std::vector<record> parse_in_place(bytes& data, const frame_parser_options& o,
                                   std::size_t chunk = 0) {
  std::vector<record> out;
  frame_parser p(o);
  auto cut = [&](std::size_t pos) {
    return chunk == 0 ? data.size() : std::min(data.size(), pos + chunk);
  };
  drive(p, data, cut, [&](const frame_step& s, const frame_parser& fp) {
    if (s.event == frame_event::payload && !out.empty() &&
        out.back().event == frame_event::payload) {
      out.back().payload.insert(out.back().payload.end(), s.payload.begin(), s.payload.end());
      return;
    }
    record r{s.event};
    if (s.event == frame_event::header) r.header = fp.header();
    if (s.event == frame_event::payload) {
      r.payload.assign(s.payload.begin(), s.payload.end());
      r.start = static_cast<std::size_t>(s.payload.data() - data.data());
    }
    if (s.event == frame_event::error) r.error = fp.error().code;
    out.push_back(std::move(r));
  });
  return out;
}

std::vector<record> parse(bytes data, const frame_parser_options& o, std::size_t chunk = 0) {
  return parse_in_place(data, o, chunk);
}

// Compares a run against reference records as the events arrive. Payload
// is checked by position only (the bytes are compared once per run, over the
// whole buffer), so thousands of runs over a large stream stay fast.
struct checker {
  const std::vector<record>* ref;
  const std::uint8_t* base;
  std::size_t i = 0;
  std::size_t off = 0;
  bool ok = true;

  void operator()(const frame_step& s, const frame_parser& p) {
    if (!ok) return;
    const record* r = ref->data() + i;
    const record* const last = ref->data() + ref->size();
    if (s.event != frame_event::payload && r != last && r->event == frame_event::payload) {
      if (off != r->payload.size()) ok = false;
      ++r;
      ++i;
      off = 0;
    }
    if (r == last || r->event != s.event) {
      ok = false;
      return;
    }
    switch (s.event) {
      case frame_event::payload:
        if (s.payload.data() != base + r->start + off || off + s.payload.size() > r->payload.size())
          ok = false;
        off += s.payload.size();
        return;
      case frame_event::header:
        if (!same_header(r->header, p.header())) ok = false;
        break;
      case frame_event::error:
        if (r->error != p.error().code) ok = false;
        break;
      default:
        break;
    }
    ++i;
  }
  bool done() const { return ok && i == ref->size(); }
};

// ---------------------------------------------------------------------------
// RFC 6455 section 5.7 examples.

void expect_single(const bytes& wire, peer sender, opcode op, bool masked, std::string_view body) {
  const auto r = parse(wire, opts(sender));
  assert_int_equal(r.size(), body.empty() ? 2 : 3);
  assert_int_equal(r[0].event, frame_event::header);
  assert_true(r[0].header.fin);
  assert_int_equal(r[0].header.op, op);
  assert_int_equal(r[0].header.masked, masked);
  assert_int_equal(r[0].header.length, body.size());
  assert_int_equal(r[1].event, frame_event::payload);
  assert_int_equal(r[1].payload.size(), body.size());
  assert_memory_equal(r[1].payload.data(), body.data(), body.size());
  assert_int_equal(r[2].event, frame_event::frame_end);
}

void test_rfc_unmasked_text(void**) {
  expect_single({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}, peer::server, opcode::text, false,
                "Hello");
}

void test_rfc_masked_text(void**) {
  const bytes wire{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  expect_single(wire, peer::client, opcode::text, true, "Hello");
  const auto r = parse(wire, opts(peer::client));
  const mask_key key{0x37, 0xfa, 0x21, 0x3d};
  assert_true(r[0].header.mask == key);
}

void test_rfc_fragmented_text(void**) {
  const bytes wire{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f};
  const auto r = parse(wire, opts(peer::server));
  assert_int_equal(r.size(), 6);
  assert_int_equal(r[0].event, frame_event::header);
  assert_false(r[0].header.fin);
  assert_int_equal(r[0].header.op, opcode::text);
  assert_int_equal(r[0].header.length, 3);
  assert_memory_equal(r[1].payload.data(), "Hel", 3);
  assert_int_equal(r[2].event, frame_event::frame_end);
  assert_true(r[3].header.fin);
  assert_int_equal(r[3].header.op, opcode::continuation);
  assert_int_equal(r[3].header.length, 2);
  assert_memory_equal(r[4].payload.data(), "lo", 2);
  assert_int_equal(r[5].event, frame_event::frame_end);
}

void test_rfc_ping_pong(void**) {
  expect_single({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}, peer::server, opcode::ping, false,
                "Hello");
  expect_single({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, peer::client,
                opcode::pong, true, "Hello");
}

void test_rfc_256_and_64k_binary(void**) {
  for (const std::size_t n : {std::size_t{256}, std::size_t{65536}}) {
    bytes wire{0x82};
    if (n == 256) {
      wire.insert(wire.end(), {0x7E, 0x01, 0x00});
    } else {
      wire.insert(wire.end(), {0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00});
    }
    bytes body(n);
    for (std::size_t i = 0; i < n; ++i)
      body[i] = static_cast<std::uint8_t>(i * 31 + 7);
    wire.insert(wire.end(), body.begin(), body.end());
    const auto r = parse(wire, opts(peer::server));
    assert_int_equal(r.size(), 3);
    assert_int_equal(r[0].header.op, opcode::binary);
    assert_int_equal(r[0].header.length, n);
    assert_true(r[1].payload == body);
    assert_int_equal(r[2].event, frame_event::frame_end);
  }
}

// ---------------------------------------------------------------------------
// Step semantics.

void test_step_semantics(void**) {
  frame_parser p(opts(peer::server));
  bytes wire{0x82, 0x00, 0x81, 0x03, 'a', 'b', 'c'};
  std::span<std::uint8_t> in(wire);

  // A zero-length frame: header, then frame_end right away with no input.
  frame_step s = p.next(in.first(1));
  assert_int_equal(s.event, frame_event::need_more);
  assert_int_equal(s.consumed, 1);
  s = p.next(in.subspan(1, 1));
  assert_int_equal(s.event, frame_event::header);
  assert_int_equal(s.consumed, 1);
  assert_int_equal(p.header().length, 0);
  s = p.next({});
  assert_int_equal(s.event, frame_event::frame_end);
  assert_int_equal(s.consumed, 0);
  s = p.next({});
  assert_int_equal(s.event, frame_event::need_more);
  assert_int_equal(s.consumed, 0);

  // Payload never runs past the frame; frame_end follows with consumed 0.
  s = p.next(in.subspan(2));
  assert_int_equal(s.event, frame_event::header);
  assert_int_equal(s.consumed, 2);
  bytes more = {'a', 'b', 'c', 0x89, 0x00};
  s = p.next(more);
  assert_int_equal(s.event, frame_event::payload);
  assert_int_equal(s.consumed, 3);
  assert_true(s.payload.data() == more.data());
  assert_int_equal(p.payload_offset(), 3);
  s = p.next(std::span(more).subspan(3));
  assert_int_equal(s.event, frame_event::frame_end);
  assert_int_equal(s.consumed, 0);
  s = p.next(std::span(more).subspan(3));
  assert_int_equal(s.event, frame_event::header);
  assert_int_equal(p.header().op, opcode::ping);
}

void test_unmask_off_and_phase(void**) {
  const mask_key key{0x01, 0x02, 0x03, 0x04};
  bytes wire;
  encode(wire, true, 0x2, {10, 20, 30, 40, 50, 60}, true, key);
  bytes copy = wire;

  frame_parser_options o = opts(peer::client);
  o.unmask = false;
  const auto raw = parse(copy, o);
  assert_true(raw[1].payload == bytes(wire.begin() + 6, wire.end()));

  // Delivered in odd pieces the key phase follows the payload offset.
  frame_parser p(opts(peer::client));
  std::span<std::uint8_t> in(copy = wire);
  frame_step s = p.next(in);
  in = in.subspan(s.consumed);
  bytes got;
  for (const std::size_t n : {1, 2, 3}) {
    s = p.next(in.first(n));
    assert_int_equal(s.event, frame_event::payload);
    assert_int_equal(p.payload_offset(), got.size() + n);
    got.insert(got.end(), s.payload.begin(), s.payload.end());
    in = in.subspan(n);
  }
  assert_true(got == (bytes{10, 20, 30, 40, 50, 60}));
}

void test_reset_and_rsv(void**) {
  frame_parser p(opts(peer::server));
  bytes wire{0xC1, 0x00};
  assert_int_equal(p.next(wire).event, frame_event::error);
  assert_int_equal(p.error().code, errc::reserved_bits_set);
  p.reset();
  assert_int_equal(p.error().code, errc::ok);
  p.set_allowed_rsv(rsv::rsv1);
  const frame_step s = p.next(wire);
  assert_int_equal(s.event, frame_event::header);
  assert_int_equal(p.header().rsv, rsv::rsv1);
  // RSV2 is still not claimed.
  p.reset();
  bytes rsv2{0xA1, 0x00};
  assert_int_equal(p.next(rsv2).event, frame_event::error);
  assert_int_equal(p.error().code, errc::reserved_bits_set);
}

void test_tolerated_lengths(void**) {
  frame_parser_options o = opts(peer::server);
  o.require_minimal_length = false;
  o.max_frame_size = 0;
  struct {
    bytes wire;
    std::uint64_t length;
  } const cases[] = {
      {{0x82, 0x7E, 0x00, 0x05}, 5},
      {{0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0x00, 0x7D}, 125},
      {{0x89, 0x7E, 0x00, 0x7D}, 125},  // control frame, non-minimal but short
      {{0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 0x7FFFFFFFFFFFFFFFull},
  };
  for (const auto& c : cases) {
    for (const std::size_t chunk : {std::size_t{0}, std::size_t{1}}) {
      const auto r = parse(c.wire, o, chunk);
      assert_int_equal(r.size(), 1);
      assert_int_equal(r[0].event, frame_event::header);
      assert_true(r[0].header.length == c.length);
    }
  }
  // Minimal-form boundaries are accepted with the strict default too.
  o = opts(peer::server);
  o.max_frame_size = 0;
  for (const bytes& wire :
       {bytes{0x82, 0x7D}, bytes{0x82, 0x7E, 0x00, 0x7E}, bytes{0x82, 0x7E, 0xFF, 0xFF},
        bytes{0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}}) {
    const auto r = parse(wire, o, 1);
    assert_int_equal(r.size(), 1);
    assert_int_equal(r[0].event, frame_event::header);
  }
}

// ---------------------------------------------------------------------------
// Errors: code, close code, and the byte at which each is reported.

struct error_case {
  const char* name;
  bytes wire;
  frame_parser_options options;
  errc code;
  std::uint16_t close_code;
  std::size_t fail_at;  // index of the byte that makes the header invalid
};

frame_parser_options with_max(peer sender, std::uint64_t max) {
  frame_parser_options o = opts(sender);
  o.max_frame_size = max;
  return o;
}
frame_parser_options lenient(peer sender) {
  frame_parser_options o = opts(sender);
  o.require_minimal_length = false;
  return o;
}

std::vector<error_case> error_cases() {
  const auto S = opts(peer::server);
  const auto C = opts(peer::client);
  std::vector<error_case> v = {
      {"rsv1", {0xC1, 0x00}, S, errc::reserved_bits_set, 1002, 0},
      {"rsv2", {0xA2, 0x00}, S, errc::reserved_bits_set, 1002, 0},
      {"rsv3", {0x91, 0x80, 1, 2, 3, 4}, C, errc::reserved_bits_set, 1002, 0},
      {"fragmented ping", {0x09, 0x00}, S, errc::fragmented_control, 1002, 0},
      {"fragmented close", {0x08, 0x80}, C, errc::fragmented_control, 1002, 0},
      {"control 126 form", {0x89, 0x7E, 0x00, 0x10}, S, errc::control_too_long, 1002, 1},
      {"control 127 form", {0x8A, 0xFF}, C, errc::control_too_long, 1002, 1},
      {"lenient control 126",
       {0x89, 0x7E, 0x00, 0x7E},
       lenient(peer::server),
       errc::control_too_long,
       1002,
       3},
      {"lenient control 127",
       {0x88, 0x7F, 0, 0, 0, 0, 0, 0, 0x01, 0x00},
       lenient(peer::server),
       errc::control_too_long,
       1002,
       8},
      {"msb", {0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}, S, errc::length_msb_set, 1002, 2},
      {"msb lenient", {0x82, 0xFF, 0xFF}, lenient(peer::client), errc::length_msb_set, 1002, 2},
      {"126 form for 125", {0x82, 0x7E, 0x00, 0x7D}, S, errc::length_not_minimal, 1002, 3},
      {"126 form for 0", {0x81, 0xFE, 0x00, 0x00}, C, errc::length_not_minimal, 1002, 3},
      // After six zero bytes no value of the last two can exceed 0xFFFF.
      {"127 form for 0xFFFF",
       {0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF},
       S,
       errc::length_not_minimal,
       1002,
       7},
      {"mask required", {0x81, 0x05, 'H'}, C, errc::mask_required, 1002, 1},
      {"mask forbidden", {0x81, 0x85, 1, 2, 3, 4}, S, errc::mask_forbidden, 1002, 1},
      {"too big 7-bit", {0x82, 0x0B}, with_max(peer::server, 10), errc::frame_too_big, 1009, 1},
      {"too big 126",
       {0x82, 0x7E, 0x00, 0xC9},
       with_max(peer::server, 200),
       errc::frame_too_big,
       1009,
       3},
      {"too big 126 early",
       {0x82, 0x7E, 0x01, 0x00},
       with_max(peer::server, 200),
       errc::frame_too_big,
       1009,
       2},
      // 16 MiB is allowed, 16 MiB + 1 is not: decided only at the last byte.
      {"too big 127 last byte",
       {0x82, 0xFF, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x01},
       C,
       errc::frame_too_big,
       1009,
       9},
      {"too big 127 early",
       {0x82, 0x7F, 0, 0, 0, 0x01, 0, 0, 0, 0},
       S,
       errc::frame_too_big,
       1009,
       5},
  };
  for (std::uint8_t op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    v.push_back({"unknown opcode",
                 {static_cast<std::uint8_t>(0x80 | op), 0x00},
                 S,
                 errc::unknown_opcode,
                 1002,
                 0});
  }
  return v;
}

void check_error(const frame_parser& p, const error_case& c) {
  if (p.error().code != c.code || p.error().close_code != c.close_code)
    fail_msg("%s: got errc %d close %u", c.name, static_cast<int>(p.error().code),
             p.error().close_code);
  assert_non_null(p.error().reason);
  assert_true(std::strlen(p.error().reason) > 0);
}

void test_errors_fail_fast(void**) {
  for (const error_case& c : error_cases()) {
    // One byte at a time: need_more up to the offending byte, error on it.
    frame_parser p(c.options);
    bytes wire = c.wire;
    for (std::size_t i = 0; i < c.fail_at; ++i) {
      const frame_step s = p.next(std::span(wire).subspan(i, 1));
      if (s.event != frame_event::need_more || s.consumed != 1)
        fail_msg("%s: byte %zu gave event %d", c.name, i, static_cast<int>(s.event));
    }
    frame_step s = p.next(std::span(wire).subspan(c.fail_at, 1));
    if (s.event != frame_event::error) fail_msg("%s: no error at byte %zu", c.name, c.fail_at);
    assert_int_equal(s.consumed, 0);
    check_error(p, c);
    // The parser stays failed.
    s = p.next(wire);
    assert_int_equal(s.event, frame_event::error);
    assert_int_equal(s.consumed, 0);
    check_error(p, c);

    // Whole and in two chunks at every split: the same error.
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
      frame_parser q(c.options);
      bytes w = c.wire;
      std::span<std::uint8_t> in(w);
      s = q.next(in.first(cut));
      if (s.event == frame_event::need_more) {
        if (cut > c.fail_at) fail_msg("%s: cut %zu missed the error", c.name, cut);
        s = q.next(in.subspan(cut));
      }
      if (s.event != frame_event::error) fail_msg("%s: cut %zu no error", c.name, cut);
      check_error(q, c);
    }
  }
}

// ---------------------------------------------------------------------------
// Split invariance over a long mixed stream of client frames.

bytes pattern(std::size_t n, std::uint8_t seed) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::uint8_t>(seed + i * 13 + (i >> 8));
  return b;
}

// The same frames from a client (masked) or a server (unmasked).
bytes mixed_stream(bool masked) {
  bytes s;
  std::uint8_t k = 1;
  auto key = [&] {
    k = static_cast<std::uint8_t>(k * 7 + 3);
    return mask_key{k, static_cast<std::uint8_t>(k ^ 0xA5), static_cast<std::uint8_t>(k + 0x3C),
                    static_cast<std::uint8_t>(~k)};
  };
  auto add = [&](bool fin, std::uint8_t op, const bytes& payload) {
    encode(s, fin, op, payload, masked, key());
  };
  // Text whose fragments cut through multi-byte sequences, with control
  // frames between the fragments.
  const bytes text = from("Gr\xC3\xBC\xC3\x9F\x65, \xE4\xB8\x96\xE7\x95\x8C \xF0\x9D\x84\x9E!");
  add(false, 0x1, bytes(text.begin(), text.begin() + 3));
  add(true, 0x9, from("p1"));
  add(false, 0x0, bytes(text.begin() + 3, text.begin() + 11));
  add(true, 0xA, {});
  add(true, 0x0, bytes(text.begin() + 11, text.end()));
  add(true, 0x2, {});
  add(true, 0x2, pattern(125, 1));
  add(true, 0x1, bytes(126, 'x'));
  add(true, 0x9, pattern(125, 9));
  add(true, 0x2, pattern(65535, 2));
  add(false, 0x1, {});
  add(true, 0x0, from("tail"));
  add(true, 0x2, pattern(65536, 3));
  add(false, 0x2, pattern(7, 4));
  add(true, 0x0, {});
  add(true, 0x8, bytes{0x03, 0xE8, 'b', 'y', 'e'});
  return s;
}

struct split_fixture {
  bytes stream;    // as sent
  bytes expected;  // after a correct parse: payload unmasked in place
  std::vector<record> ref;
  frame_parser_options options;
  bytes work;

  explicit split_fixture(peer sender) : stream(mixed_stream(sender == peer::client)) {
    options = opts(sender);
    expected = stream;
    ref = parse_in_place(expected, options);
    work = stream;
  }

  // Parses a fresh copy cut at cut(pos); true when events and bytes match.
  template <class Cut>
  bool run(Cut cut) {
    const bool masked = options.sender == peer::client;
    if (masked) std::memcpy(work.data(), stream.data(), stream.size());
    frame_parser p(options);
    checker c{&ref, work.data()};
    drive(p, work, cut, c);
    return c.done() && (!masked || work == expected);
  }
  bool run_split(std::size_t at) {
    return run([&](std::size_t pos) { return pos < at ? at : stream.size(); });
  }
};

void check_reference(const split_fixture& f) {
  // 16 frames: header and frame_end each, plus 12 non-empty payloads.
  assert_int_equal(f.ref.size(), 16 * 2 + 12);
  assert_int_equal(f.ref.back().event, frame_event::frame_end);
  assert_int_equal(f.ref[1].payload.size(), 3);
  assert_memory_equal(f.ref[1].payload.data(), "Gr\xC3", 3);
  assert_true(f.ref[26].payload == pattern(65535, 2));
  assert_true(f.ref[34].payload == pattern(65536, 3));
}

void split_everywhere(split_fixture& f, bool sample_large) {
  // Payload interiors of the 64 KiB frames are sampled when the run is
  // O(stream) (masked: every run unmasks and compares the whole buffer):
  // every position within 256 bytes of a payload edge, then a prime stride
  // that hits every key phase. Everything else is split at every position.
  std::vector<std::pair<std::size_t, std::size_t>> big;
  for (const record& r : f.ref)
    if (r.event == frame_event::payload && r.payload.size() > 1024)
      big.emplace_back(r.start + 256, r.start + r.payload.size() - 256);
  for (std::size_t at = 1; at < f.stream.size(); ++at) {
    if (sample_large) {
      bool skip = false;
      for (const auto& [lo, hi] : big)
        skip |= at > lo && at < hi && (at - lo) % 251 != 0;
      if (skip) continue;
    }
    if (!f.run_split(at)) fail_msg("split at %zu differs", at);
  }
}

void split_bytes_and_random(split_fixture& f) {
  assert_true(f.run([](std::size_t pos) { return pos + 1; }));
  std::mt19937 rng(12345);
  for (int round = 0; round < 24; ++round) {
    std::uniform_int_distribution<std::size_t> d(1, round % 2 ? 20 : 5000);
    const bool ok = f.run([&](std::size_t pos) { return std::min(f.stream.size(), pos + d(rng)); });
    if (!ok) fail_msg("random round %d differs", round);
  }
}

void test_split_invariance_unmasked(void**) {
  split_fixture f(peer::server);
  check_reference(f);
  split_everywhere(f, false);
  split_bytes_and_random(f);
}

void test_split_invariance_masked(void**) {
  split_fixture f(peer::client);
  check_reference(f);
  // The unmasked bytes equal the server stream's payload.
  split_fixture plain(peer::server);
  for (std::size_t i = 0; i < f.ref.size(); ++i) {
    if (f.ref[i].payload != plain.ref[i].payload) fail_msg("record %zu unmasked wrongly", i);
  }
  split_everywhere(f, true);
  split_bytes_and_random(f);
}

void test_no_allocation(void**) {
  bytes stream = mixed_stream(true);
  frame_parser p(opts(peer::client));
  std::size_t events = 0;
  const std::size_t before = g_allocations;
  std::span<std::uint8_t> in(stream);
  for (std::size_t pos = 0; pos < stream.size();) {
    // Odd chunk sizes exercise the buffered header path as well.
    std::span<std::uint8_t> chunk = in.subspan(pos, std::min<std::size_t>(7, stream.size() - pos));
    for (;;) {
      const frame_step s = p.next(chunk);
      chunk = chunk.subspan(s.consumed);
      pos += s.consumed;
      if (s.event == frame_event::need_more) break;
      ++events;
    }
  }
  assert_int_equal(g_allocations, before);
  assert_true(events > 16 * 2);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc_unmasked_text),
      cmocka_unit_test(test_rfc_masked_text),
      cmocka_unit_test(test_rfc_fragmented_text),
      cmocka_unit_test(test_rfc_ping_pong),
      cmocka_unit_test(test_rfc_256_and_64k_binary),
      cmocka_unit_test(test_step_semantics),
      cmocka_unit_test(test_unmask_off_and_phase),
      cmocka_unit_test(test_reset_and_rsv),
      cmocka_unit_test(test_tolerated_lengths),
      cmocka_unit_test(test_errors_fail_fast),
      cmocka_unit_test(test_split_invariance_unmasked),
      cmocka_unit_test(test_split_invariance_masked),
      cmocka_unit_test(test_no_allocation),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
