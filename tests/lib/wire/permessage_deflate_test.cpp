#include "resock/wire/permessage_deflate.h"

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

#include <random>
#include <string>
#include <vector>

namespace {

using namespace resock::wire;

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string hex(std::initializer_list<int> v) {
  std::string s;
  for (int b : v)
    s.push_back(static_cast<char>(b));
  return s;
}

// --- negotiation (RFC 7692 7.1) -------------------------------------------------

void offer_plain(void**) {
  auto a = accept_deflate("permessage-deflate");
  assert_true(a.has_value());
  // Our default policy: no context takeover either way.
  assert_true(a->server_no_context_takeover);
  assert_true(a->client_no_context_takeover);
  assert_int_equal(a->server_max_window_bits, 15);
  assert_false(a->client_max_window_bits.has_value());
  assert_string_equal(deflate_response(*a).c_str(),
                      "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
}

void offer_browser_style(void**) {
  // What Chromium and python-websockets send.
  auto a = accept_deflate("permessage-deflate; client_max_window_bits");
  assert_true(a.has_value());
  assert_int_equal(*a->client_max_window_bits, 15);
  // 15 need not be echoed.
  assert_string_equal(deflate_response(*a).c_str(),
                      "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
}

void offer_window_bits(void**) {
  auto a =
      accept_deflate("permessage-deflate; server_max_window_bits=10; client_max_window_bits=12");
  assert_true(a.has_value());
  assert_int_equal(a->server_max_window_bits, 10);
  assert_int_equal(*a->client_max_window_bits, 12);
  assert_string_equal(deflate_response(*a).c_str(),
                      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                      "server_max_window_bits=10; client_max_window_bits=12");
  // A quoted value is the same value (RFC 7692 7.1: after unquoting).
  a = accept_deflate("permessage-deflate; server_max_window_bits=\"11\"");
  assert_true(a.has_value());
  assert_int_equal(a->server_max_window_bits, 11);
}

void offer_policy_with_takeover(void**) {
  deflate_policy p{.server_context_takeover = true, .client_context_takeover = true};
  auto a = accept_deflate("permessage-deflate", p);
  assert_true(a.has_value());
  assert_false(a->server_no_context_takeover);
  assert_string_equal(deflate_response(*a).c_str(), "permessage-deflate");
  // The client asks for no server takeover: it must be honoured.
  a = accept_deflate("permessage-deflate; server_no_context_takeover", p);
  assert_true(a->server_no_context_takeover);
}

void offer_declined(void**) {
  const char* bad[] = {
      "",
      "x-webkit-deflate-frame",
      "permessage-deflate; foo",  // unknown parameter
      "permessage-deflate; server_no_context_takeover; server_no_context_takeover",  // twice
      "permessage-deflate; server_no_context_takeover=1",  // takes no value
      "permessage-deflate; server_max_window_bits",        // needs a value
      "permessage-deflate; server_max_window_bits=7",      // out of range
      "permessage-deflate; server_max_window_bits=16",
      "permessage-deflate; server_max_window_bits=010",  // leading zero
      "permessage-deflate; server_max_window_bits=8",    // zlib cannot (documented)
      "permessage-deflate; client_max_window_bits=abc",
      "permessage-deflate; client_max_window_bits=\"9",  // unclosed quote
      "permessage-deflate x",                            // junk
  };
  for (const char* offer : bad) {
    if (accept_deflate(offer).has_value()) fail_msg("accepted: %s", offer);
  }
}

void offer_first_acceptable_wins(void**) {
  auto a = accept_deflate(
      "permessage-deflate; foo=\"a,b\", permessage-deflate; server_max_window_bits=12, "
      "permessage-deflate");
  assert_true(a.has_value());
  assert_int_equal(a->server_max_window_bits, 12);
  a = accept_deflate("x-other; a=1, ,PerMessage-Deflate ;client_no_context_takeover");
  assert_true(a.has_value());
}

// --- codec (RFC 7692 7.2.3 examples) ---------------------------------------------

void inflate_rfc_examples(void**) {
  message_inflater inf;
  std::string out;
  // 7.2.3.1: "Hello" in one compressed message.
  assert_int_equal(static_cast<int>(inf.decompress(
                       bytes(hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), out, 0)),
                   static_cast<int>(inflate_status::ok));
  assert_string_equal(out.c_str(), "Hello");
  // 7.2.3.2: the same twice with context takeover; the second refers back.
  message_inflater keep;
  out.clear();
  assert_true(keep.decompress(bytes(hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), out, 0,
                              true) == inflate_status::ok);
  assert_true(keep.decompress(bytes(hex({0xf2, 0x00, 0x11, 0x00, 0x00})), out, 0, true) ==
              inflate_status::ok);
  assert_string_equal(out.c_str(), "HelloHello");
  // 7.2.3.3: a stored (uncompressed) block.
  out.clear();
  assert_true(
      inf.decompress(bytes(hex({0x00, 0x05, 0x00, 0xfa, 0xff, 'H', 'e', 'l', 'l', 'o', 0x00})), out,
                     0) == inflate_status::ok);
  assert_string_equal(out.c_str(), "Hello");
  // 7.2.3.4: a block with BFINAL set, then an empty stored block.
  out.clear();
  assert_true(inf.decompress(bytes(hex({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00})), out,
                             0) == inflate_status::ok);
  assert_string_equal(out.c_str(), "Hello");
}

void deflate_rfc_example(void**) {
  message_deflater def;
  std::string out;
  const std::string hello = "Hello";
  assert_true(def.compress(bytes(hello), out));
  // zlib's output for "Hello" at level 6 is the RFC's example.
  assert_true(out == hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
}

void round_trips(void**) {
  message_deflater def;
  message_inflater inf;
  std::mt19937 rng(7);
  for (std::size_t size : {0u, 1u, 100u, 4096u, 70000u, 1u << 20}) {
    std::string text;
    for (std::size_t i = 0; i < size; ++i)  // compressible but not trivial
      text.push_back(static_cast<char>('a' + rng() % 8));
    std::string z, back;
    assert_true(def.compress(bytes(text), z));
    assert_true(inf.decompress(bytes(z), back, 0) == inflate_status::ok);
    assert_true(back == text);
    if (size >= 4096) assert_true(z.size() < size / 2);
  }
  // Random bytes do not compress but still round-trip.
  std::string noise(100000, '\0');
  for (auto& c : noise)
    c = static_cast<char>(rng());
  std::string z, back;
  assert_true(def.compress(bytes(noise), z));
  assert_true(inf.decompress(bytes(z), back, 0) == inflate_status::ok);
  assert_true(back == noise);
}

// One compressed body behind per-message heads (fan-out): each message
// inflates to its head followed by the body, with a fresh inflater or one
// that kept the previous message's context.
void stored_head_then_shared_body(void**) {
  message_deflater def;
  const std::string body = R"("ch":"news","d":{"title":"hello hello hello hello hello"}})";
  std::string zbody;
  assert_true(def.compress(bytes(body), zbody));
  message_inflater fresh;
  message_inflater kept;
  for (int s = 1; s <= 3; ++s) {
    const std::string head = R"({"t":"msg","s":)" + std::to_string(s) + ",";
    std::string msg;
    append_stored_block(msg, bytes(head));
    msg += zbody;
    std::string back;
    assert_true(fresh.decompress(bytes(msg), back, 0) == inflate_status::ok);
    assert_true(back == head + body);
    std::string back2;
    assert_true(kept.decompress(bytes(msg), back2, 0, true) == inflate_status::ok);
    assert_true(back2 == head + body);
  }
}

void context_takeover_round_trip(void**) {
  message_deflater def;
  message_inflater inf;
  const std::string m = R"({"t":"msg","s":1,"ch":"chat","d":{"text":"hello there"}})";
  std::string z1, z2, back;
  assert_true(def.compress(bytes(m), z1, true));
  assert_true(def.compress(bytes(m), z2, true));
  assert_true(z2.size() < z1.size());  // the second refers to the first
  assert_true(inf.decompress(bytes(z1), back, 0, true) == inflate_status::ok);
  assert_true(inf.decompress(bytes(z2), back, 0, true) == inflate_status::ok);
  assert_true(back == m + m);
  // An empty message right after one with context kept: zlib writes
  // nothing for it, the codec must still produce a valid message.
  std::string z3;
  assert_true(def.compress({}, z3, true));
  assert_true(!z3.empty());
  assert_true(inf.decompress(bytes(z3), back, 0, true) == inflate_status::ok);
  assert_true(back == m + m);
}

void inflate_limits_and_garbage(void**) {
  message_deflater def;
  message_inflater inf;
  // A 1 MiB run of zeros compresses to about 1 KiB: the limit must hold
  // while inflating, not after.
  std::string zeros(1 << 20, '\0'), z, out = "keep";
  assert_true(def.compress(bytes(zeros), z));
  assert_true(z.size() < 4096);
  assert_true(inf.decompress(bytes(z), out, 65536) == inflate_status::too_big);
  assert_string_equal(out.c_str(), "keep");  // untouched on failure
  assert_true(out.capacity() < (1u << 20));
  // Exactly at the limit is fine.
  out.clear();
  assert_true(inf.decompress(bytes(z), out, 1 << 20) == inflate_status::ok);
  assert_int_equal(out.size(), 1 << 20);
  // Not deflate: invalid block type 3.
  out.clear();
  assert_true(inf.decompress(bytes(hex({0xff, 0xff, 0xff})), out, 0) == inflate_status::corrupt);
  // Garbage after a final block.
  assert_true(inf.decompress(bytes(hex({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xff})), out,
                             0) == inflate_status::corrupt);
  // The inflater is usable again after an error.
  assert_true(inf.decompress(bytes(hex({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), out, 0) ==
              inflate_status::ok);
  assert_string_equal(out.c_str(), "Hello");
}

}  // namespace

int main() {
  const CMUnitTest tests[] = {
      cmocka_unit_test(offer_plain),
      cmocka_unit_test(offer_browser_style),
      cmocka_unit_test(offer_window_bits),
      cmocka_unit_test(offer_policy_with_takeover),
      cmocka_unit_test(offer_declined),
      cmocka_unit_test(offer_first_acceptable_wins),
      cmocka_unit_test(inflate_rfc_examples),
      cmocka_unit_test(deflate_rfc_example),
      cmocka_unit_test(round_trips),
      cmocka_unit_test(stored_head_then_shared_body),
      cmocka_unit_test(context_takeover_round_trip),
      cmocka_unit_test(inflate_limits_and_garbage),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
