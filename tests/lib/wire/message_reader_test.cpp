#include "resock/wire/message_reader.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
// cmocka 1.1.5 (Debian) declares its C functions without an extern "C" guard.
extern "C" {
#include <cmocka.h>
}

#include <random>
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

// Test-local encoder so a writer bug cannot hide a reader bug.
void encode(bytes& out, bool fin, std::uint8_t op, const bytes& payload, bool masked,
            mask_key key = {0x11, 0x22, 0x33, 0x44}) {
  out.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | op));
  const std::uint8_t m = masked ? 0x80 : 0;
  const std::uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<std::uint8_t>(m | n));
  } else if (n <= 0xFFFF) {
    out.insert(out.end(), {static_cast<std::uint8_t>(m | 126), static_cast<std::uint8_t>(n >> 8),
                           static_cast<std::uint8_t>(n)});
  } else {
    out.push_back(m | 127);
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  }
  if (masked) out.insert(out.end(), key.begin(), key.end());
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(masked ? static_cast<std::uint8_t>(payload[i] ^ key[i % 4]) : payload[i]);
}

reader_options opts(peer sender) {
  reader_options o;
  o.frame.sender = sender;
  return o;
}

// An application-visible event; consecutive data events are merged since
// their number depends on how the input was split.
struct item {
  ev event;
  bytes data;
  std::uint16_t close_code = 0;
  bool operator==(const item&) const = default;
};

struct outcome {
  std::vector<item> items;
  std::size_t consumed = 0;  // input bytes used in total
  errc error = errc::ok;
};

// Feeds `wire` in chunks of `chunk` bytes (0: whole), like a transport would.
outcome read_all(message_reader& r, bytes wire, std::size_t chunk = 0) {
  outcome out;
  std::size_t pos = 0;
  do {
    const std::size_t end = chunk == 0 ? wire.size() : std::min(wire.size(), pos + chunk);
    std::span<std::uint8_t> in(wire.data() + pos, end - pos);
    for (;;) {
      const read_step s = r.next(in);
      assert_true(s.consumed <= in.size());
      in = in.subspan(s.consumed);
      pos += s.consumed;
      out.consumed += s.consumed;
      if (s.event == ev::none) {
        assert_true(in.empty());  // none means everything was used
        break;
      }
      if (s.event == ev::error) {
        out.error = r.error().code;
        return out;
      }
      if (s.event == ev::data && !out.items.empty() && out.items.back().event == ev::data) {
        out.items.back().data.insert(out.items.back().data.end(), s.data.begin(), s.data.end());
        continue;
      }
      item it{s.event, bytes(s.data.begin(), s.data.end())};
      if (s.event == ev::close) it.close_code = r.close().code;
      out.items.push_back(std::move(it));
    }
  } while (pos < wire.size());
  return out;
}

outcome read_all(peer sender, const bytes& wire, std::size_t chunk = 0) {
  message_reader r(opts(sender));
  return read_all(r, wire, chunk);
}

void expect_items(const outcome& o, const std::vector<item>& want) {
  assert_int_equal(o.error, errc::ok);
  if (o.items.size() != want.size()) fail_msg("%zu events, want %zu", o.items.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (!(o.items[i] == want[i])) fail_msg("event %zu differs", i);
  }
}

// ---------------------------------------------------------------------------
// RFC 6455 section 5.7 examples.

void test_rfc_examples(void**) {
  const item hello{ev::data, from("Hello")};
  const item end{ev::message_end, {}};
  expect_items(read_all(peer::server, {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), {hello, end});
  expect_items(
      read_all(peer::client, {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}),
      {hello, end});
  // Fragmented "Hel" + "lo": one merged data item between the fragments'
  // events, so check unmerged by reading chunk by chunk.
  message_reader r(opts(peer::server));
  bytes frag{0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f};
  read_step s = r.next(frag);
  assert_int_equal(s.event, ev::data);
  assert_int_equal(s.consumed, 5);
  assert_memory_equal(s.data.data(), "Hel", 3);
  assert_true(r.assembler().in_message());
  s = r.next(std::span(frag).subspan(5));
  assert_int_equal(s.event, ev::data);
  assert_int_equal(s.consumed, 4);
  assert_memory_equal(s.data.data(), "lo", 2);
  assert_true(r.frame().op == opcode::continuation);
  s = r.next({});
  assert_int_equal(s.event, ev::message_end);
  assert_int_equal(s.consumed, 0);
  assert_int_equal(r.message_opcode(), opcode::text);
  s = r.next({});
  assert_int_equal(s.event, ev::none);

  expect_items(read_all(peer::server, {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}),
               {{ev::ping, from("Hello")}});
  expect_items(
      read_all(peer::client, {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}),
      {{ev::pong, from("Hello")}});

  for (const std::size_t n : {std::size_t{256}, std::size_t{65536}}) {
    bytes body(n);
    for (std::size_t i = 0; i < n; ++i)
      body[i] = static_cast<std::uint8_t>(i * 7);
    bytes wire;
    encode(wire, true, 0x2, body, false);
    assert_int_equal(wire[1], n == 256 ? 0x7E : 0x7F);
    const outcome o = read_all(peer::server, wire);
    expect_items(o, {{ev::data, body}, end});
    assert_int_equal(o.consumed, wire.size());
  }
}

void test_none_needs_more(void**) {
  message_reader r(opts(peer::client));
  bytes wire;
  encode(wire, true, 0x1, from("abc"), true);
  // A partial header, then a header with no payload yet: all used, none.
  read_step s = r.next(std::span(wire).first(3));
  assert_int_equal(s.event, ev::none);
  assert_int_equal(s.consumed, 3);
  s = r.next(std::span(wire).subspan(3, 3));
  assert_int_equal(s.event, ev::none);
  assert_int_equal(s.consumed, 3);
  s = r.next(std::span(wire).subspan(6));
  assert_int_equal(s.event, ev::data);
  assert_int_equal(s.consumed, 3);
  assert_memory_equal(s.data.data(), "abc", 3);
}

void test_controls_inside_message(void**) {
  bytes wire;
  encode(wire, false, 0x2, {1, 2}, true);
  encode(wire, true, 0x9, from("ping"), true);
  encode(wire, false, 0x0, {}, true);
  encode(wire, true, 0xA, {}, true);
  encode(wire, true, 0x0, {3}, true);
  encode(wire, true, 0x8, {0x0F, 0xA0, 'o', 'k'}, true);  // 4000 "ok"
  for (const std::size_t chunk : {0, 1, 3}) {
    const outcome o = read_all(peer::client, wire, chunk);
    expect_items(o, {{ev::data, {1, 2}},
                     {ev::ping, from("ping")},
                     {ev::pong, {}},
                     {ev::data, {3}},
                     {ev::message_end, {}},
                     {ev::close, {0x0F, 0xA0, 'o', 'k'}, 4000}});
    assert_int_equal(o.consumed, wire.size());
  }
  message_reader r(opts(peer::client));
  (void)read_all(r, wire);
  assert_int_equal(r.close().code, 4000);
  assert_true(r.close().reason == "ok");
  assert_int_equal(r.message_opcode(), opcode::binary);
}

// ---------------------------------------------------------------------------
// Errors from both layers.

void expect_error(message_reader& r, const bytes& wire, errc code, std::uint16_t close) {
  const outcome o = read_all(r, wire);
  assert_int_equal(o.error, code);
  assert_int_equal(r.error().code, code);
  assert_int_equal(r.error().close_code, close);
  // Stays failed, consuming nothing.
  bytes more{0x81, 0x00};
  const read_step s = r.next(more);
  assert_int_equal(s.event, ev::error);
  assert_int_equal(s.consumed, 0);
  assert_int_equal(r.error().code, code);
}

void test_errors(void**) {
  {
    // Parser layer.
    message_reader r(opts(peer::client));
    bytes wire;
    encode(wire, true, 0x1, from("hi"), false);
    expect_error(r, wire, errc::mask_required, 1002);
    assert_int_equal(r.parser().error().code, errc::mask_required);
    assert_int_equal(r.assembler().error().code, errc::ok);
  }
  {
    // Assembler layer.
    message_reader r(opts(peer::server));
    bytes wire;
    encode(wire, true, 0x0, from("hi"), false);
    expect_error(r, wire, errc::unexpected_continuation, 1002);
    assert_int_equal(r.parser().error().code, errc::ok);
    assert_int_equal(r.assembler().error().code, errc::unexpected_continuation);
  }
  {
    message_reader r(opts(peer::server));
    bytes wire;
    encode(wire, false, 0x1, from("a"), false);
    encode(wire, true, 0x2, from("b"), false);
    expect_error(r, wire, errc::expected_continuation, 1002);
  }
  {
    message_reader r(opts(peer::server));
    bytes wire;
    encode(wire, true, 0x1, from("caf\xC3\xA9 \xC3\x28"), false);
    expect_error(r, wire, errc::invalid_utf8, 1007);
  }
  {
    message_reader r(opts(peer::server));
    bytes wire;
    encode(wire, true, 0x8, {0x03, 0xED}, false);  // 1005 is never sent
    expect_error(r, wire, errc::invalid_close_code, 1002);
  }
  {
    reader_options o = opts(peer::server);
    o.frame.max_frame_size = 100;
    message_reader r(o);
    bytes wire;
    encode(wire, true, 0x2, bytes(101), false);
    expect_error(r, wire, errc::frame_too_big, 1009);
  }
  {
    reader_options o = opts(peer::server);
    o.message.max_message_size = 100;
    message_reader r(o);
    bytes wire;
    encode(wire, false, 0x2, bytes(60), false);
    encode(wire, true, 0x0, bytes(41), false);
    expect_error(r, wire, errc::message_too_big, 1009);
    r.reset();
    assert_int_equal(r.error().code, errc::ok);
    bytes ok;
    encode(ok, true, 0x2, bytes(100), false);
    expect_items(read_all(r, ok), {{ev::data, bytes(100)}, {ev::message_end, {}}});
  }
}

void test_fail_fast_consumption(void**) {
  // The bad byte sits early in a long text frame: the reader stops there
  // instead of reading the rest of the frame.
  bytes text(4000, 'a');
  text[10] = 0xFF;
  bytes wire;
  encode(wire, true, 0x1, text, true);
  const outcome o = read_all(peer::client, wire, 16);
  assert_int_equal(o.error, errc::invalid_utf8);
  // Header (8 bytes) and the first chunk's payload, then the chunk with the
  // bad byte: nothing after it.
  assert_true(o.consumed <= 8 + 2 * 16);

  // A too-big message fails on its header, before any payload.
  reader_options opt = opts(peer::client);
  opt.message.max_message_size = 1000;
  message_reader r(opt);
  const outcome big = read_all(r, wire);
  assert_int_equal(big.error, errc::message_too_big);
  assert_int_equal(big.consumed, 2 + 2 + 4);
  assert_int_equal(r.error().close_code, 1009);
}

void test_split_invariance(void**) {
  const bytes text = from("h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xF0\x9F\x98\x80");
  bytes wire;
  std::uint8_t k = 0;
  auto key = [&] {
    ++k;
    return mask_key{k, static_cast<std::uint8_t>(k * 3), static_cast<std::uint8_t>(k * 5), 0x5A};
  };
  encode(wire, false, 0x1, bytes(text.begin(), text.begin() + 2), true, key());
  encode(wire, true, 0x9, from("x"), true, key());
  encode(wire, false, 0x0, bytes(text.begin() + 2, text.begin() + 17), true, key());
  encode(wire, true, 0xA, bytes(125, 'p'), true, key());
  encode(wire, true, 0x0, bytes(text.begin() + 17, text.end()), true, key());
  const std::size_t big_at = wire.size() + 2 + 8 + 4;  // payload of the next frame
  bytes big(70000);
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<std::uint8_t>(i * 29);
  encode(wire, true, 0x2, big, true, key());
  encode(wire, true, 0x1, bytes(126, 'y'), true, key());
  encode(wire, true, 0x2, {}, true, key());
  encode(wire, true, 0x8, {0x03, 0xE8}, true, key());

  const outcome whole = read_all(peer::client, wire);
  expect_items(whole, {{ev::data, bytes(text.begin(), text.begin() + 2)},
                       {ev::ping, from("x")},
                       {ev::data, bytes(text.begin() + 2, text.begin() + 17)},
                       {ev::pong, bytes(125, 'p')},
                       {ev::data, bytes(text.begin() + 17, text.end())},
                       {ev::message_end, {}},
                       {ev::data, big},
                       {ev::message_end, {}},
                       {ev::data, bytes(126, 'y')},
                       {ev::message_end, {}},
                       {ev::message_end, {}},
                       {ev::close, {0x03, 0xE8}, 1000}});
  assert_int_equal(whole.consumed, wire.size());

  const outcome one = read_all(peer::client, wire, 1);
  assert_true(one.items == whole.items);
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    const outcome o = read_all(peer::client, wire, 1 + rng() % (round % 2 ? 9 : 3000));
    if (!(o.items == whole.items)) fail_msg("round %d differs", round);
  }
  // Two chunks at every position, sampled (prime stride) inside the large
  // payload where each run costs the whole 70 KB.
  for (std::size_t at = 1; at < wire.size(); ++at) {
    if (at > big_at + 64 && at < big_at + big.size() - 64 && (at - big_at) % 97 != 0) continue;
    message_reader r(opts(peer::client));
    bytes w = wire;
    outcome o;
    std::span<std::uint8_t> in(w);
    for (const std::span<std::uint8_t> part : {in.first(at), in.subspan(at)}) {
      std::span<std::uint8_t> rest = part;
      for (;;) {
        const read_step s = r.next(rest);
        rest = rest.subspan(s.consumed);
        if (s.event == ev::none) break;
        if (s.event == ev::data && !o.items.empty() && o.items.back().event == ev::data) {
          o.items.back().data.insert(o.items.back().data.end(), s.data.begin(), s.data.end());
          continue;
        }
        o.items.push_back({s.event, bytes(s.data.begin(), s.data.end()),
                           s.event == ev::close ? r.close().code : std::uint16_t{0}});
      }
    }
    if (!(o.items == whole.items)) fail_msg("split at %zu differs", at);
  }
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc_examples),
      cmocka_unit_test(test_none_needs_more),
      cmocka_unit_test(test_controls_inside_message),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_fail_fast_consumption),
      cmocka_unit_test(test_split_invariance),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
