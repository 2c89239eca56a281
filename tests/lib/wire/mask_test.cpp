#include "resock/wire/mask.h"

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

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <vector>

namespace {

using namespace resock::wire;

constexpr mask_key kKey = {0x37, 0xFA, 0x21, 0x3D};

void fill_random(std::uint8_t* p, std::size_t n, std::mt19937& rng) {
  for (std::size_t i = 0; i < n; ++i)
    p[i] = static_cast<std::uint8_t>(rng());
}

void test_scalar_known_bytes(void**) {
  // RFC 6455 5.7: "Hello" masked with 37 fa 21 3d.
  std::uint8_t data[] = {'H', 'e', 'l', 'l', 'o'};
  mask_scalar(data, kKey);
  const std::uint8_t expect[] = {0x7f, 0x9f, 0x4d, 0x51, 0x58};
  assert_memory_equal(data, expect, sizeof expect);
  // Phase 2 starts at key byte 2.
  std::uint8_t two[] = {0, 0, 0};
  mask_scalar(two, kKey, 2);
  const std::uint8_t expect_two[] = {0x21, 0x3D, 0x37};
  assert_memory_equal(two, expect_two, sizeof expect_two);
  // Phase is taken modulo 4.
  std::uint8_t six[] = {0, 0};
  mask_scalar(six, kKey, 6);
  assert_memory_equal(six, expect_two, 2);
}

// Every length, phase and misalignment of the buffer start, plus bytes on
// either side that must stay untouched.
void test_fast_matches_scalar(void**) {
  std::mt19937 rng(12345);
  alignas(64) std::uint8_t src[16 + 300 + 16];
  alignas(64) std::uint8_t a[16 + 300 + 16];
  alignas(64) std::uint8_t b[16 + 300 + 16];
  alignas(64) std::uint8_t c[16 + 300 + 16];
  fill_random(src, sizeof src, rng);
  for (std::size_t len = 0; len <= 300; ++len) {
    for (std::size_t phase = 0; phase < 4; ++phase) {
      for (std::size_t off = 0; off < 16; ++off) {
        mask_key key;
        fill_random(key.data(), 4, rng);
        std::memcpy(a, src, sizeof src);
        std::memcpy(b, src, sizeof src);
        std::memset(c, 0x5A, sizeof c);
        mask_scalar({a + off, len}, key, phase);
        mask_inplace({b + off, len}, key, phase);
        if (std::memcmp(a, b, sizeof a) != 0) {
          fail_msg("mask_inplace len=%zu phase=%zu off=%zu", len, phase, off);
        }
        // mask_copy with a source misaligned differently from dst.
        const std::size_t src_off = 15 - off;
        mask_copy(c + off, src + src_off, len, key, phase);
        std::memcpy(a, src + src_off, len);
        mask_scalar({a, len}, key, phase);
        if (std::memcmp(c + off, a, len) != 0 ||
            std::any_of(c, c + off, [](std::uint8_t x) { return x != 0x5A; }) ||
            std::any_of(c + off + len, c + sizeof c, [](std::uint8_t x) { return x != 0x5A; })) {
          fail_msg("mask_copy len=%zu phase=%zu off=%zu", len, phase, off);
        }
      }
    }
  }
}

void test_large_buffer(void**) {
  std::mt19937 rng(777);
  const std::size_t n = (1u << 20) + 13;
  std::vector<std::uint8_t> orig(n), a, b, c(n);
  fill_random(orig.data(), n, rng);
  for (std::size_t phase = 0; phase < 4; ++phase) {
    a = orig;
    b = orig;
    mask_scalar({a.data() + 1, n - 1}, kKey, phase);
    mask_inplace({b.data() + 1, n - 1}, kKey, phase);
    assert_true(a == b);
    mask_copy(c.data(), orig.data() + 1, n - 1, kKey, phase);
    assert_memory_equal(c.data(), a.data() + 1, n - 1);
    // Masking twice restores the input.
    mask_inplace({b.data() + 1, n - 1}, kKey, phase);
    assert_true(b == orig);
  }
}

void test_copy_in_place_allowed(void**) {
  std::uint8_t a[77], b[77];
  for (std::size_t i = 0; i < sizeof a; ++i)
    a[i] = b[i] = static_cast<std::uint8_t>(i * 7);
  mask_copy(a + 3, a + 3, 70, kKey, 1);
  mask_scalar({b + 3, 70}, kKey, 1);
  assert_memory_equal(a, b, sizeof a);
}

void test_split_chunks_equal_whole(void**) {
  // Masking a payload in pieces, passing the payload offset as the phase,
  // equals masking it at once: this is how the frame parser uses it.
  std::mt19937 rng(99);
  std::vector<std::uint8_t> whole(1000);
  fill_random(whole.data(), whole.size(), rng);
  std::vector<std::uint8_t> pieces = whole;
  mask_inplace(whole, kKey);
  std::size_t off = 0;
  while (off < pieces.size()) {
    const std::size_t len = std::min<std::size_t>(rng() % 40, pieces.size() - off);
    mask_inplace({pieces.data() + off, len}, kKey, off);
    off += len;
  }
  assert_true(whole == pieces);
}

void test_random_keys_differ(void**) {
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 100; ++i) {
    const mask_key k = random_mask_key();
    std::uint32_t v;
    std::memcpy(&v, k.data(), 4);
    seen.insert(v);
  }
  // 100 draws from 2^32 collide with probability ~1e-6.
  assert_true(seen.size() >= 99);
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scalar_known_bytes),
      cmocka_unit_test(test_fast_matches_scalar),
      cmocka_unit_test(test_large_buffer),
      cmocka_unit_test(test_copy_in_place_allowed),
      cmocka_unit_test(test_split_chunks_equal_whole),
      cmocka_unit_test(test_random_keys_differ),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
