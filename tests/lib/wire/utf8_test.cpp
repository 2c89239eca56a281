#include "resock/wire/utf8.h"

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
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "lib/wire/utf8_reference.h"

namespace {

using resock::wire::is_valid_utf8;
using resock::wire::utf8_validator;
using resock::wire::detail::utf8_reference_first_error;
using bytes = std::vector<std::uint8_t>;

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

struct outcome {
  std::size_t error = kNone;  // absolute index of the failing byte
  bool complete = false;
};

// Feeds `in` split at the given cut points and reports the absolute
// position of the failure.
outcome run(const bytes& in, const std::vector<std::size_t>& cuts) {
  utf8_validator v;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t end = i < cuts.size() ? cuts[i] : in.size();
    if (!v.feed({in.data() + start, end - start})) {
      if (!v.failed()) fail_msg("feed returned false but failed() is false");
      if (v.complete()) fail_msg("failed validator reports complete");
      // Further input is refused until reset().
      const std::uint8_t a = 'a';
      if (v.feed({&a, 1})) fail_msg("feed after failure succeeded");
      return {start + v.error_offset(), false};
    }
    start = end;
  }
  return {kNone, v.complete()};
}

std::string hex(const bytes& in) {
  std::string s;
  char buf[4];
  for (std::uint8_t b : in) {
    snprintf(buf, sizeof buf, "%02X ", b);
    s += buf;
  }
  return s;
}

// Checks one vector whole, split in two at every position, and byte by byte.
void check(const bytes& in, std::size_t expect_error, bool expect_complete) {
  const outcome whole = run(in, {});
  if (whole.error != expect_error || whole.complete != expect_complete) {
    fail_msg("[%s] whole: error %zd complete %d, want %zd %d", hex(in).c_str(),
             static_cast<ssize_t>(whole.error), whole.complete, static_cast<ssize_t>(expect_error),
             expect_complete);
  }
  for (std::size_t k = 0; k <= in.size(); ++k) {
    const outcome o = run(in, {k});
    if (o.error != expect_error || o.complete != expect_complete) {
      fail_msg("[%s] split at %zu: error %zd complete %d", hex(in).c_str(), k,
               static_cast<ssize_t>(o.error), o.complete);
    }
  }
  std::vector<std::size_t> every;
  for (std::size_t k = 1; k < in.size(); ++k)
    every.push_back(k);
  const outcome o = run(in, every);
  if (o.error != expect_error || o.complete != expect_complete) {
    fail_msg("[%s] byte by byte: error %zd", hex(in).c_str(), static_cast<ssize_t>(o.error));
  }
  assert_int_equal(is_valid_utf8(in), expect_error == kNone && expect_complete);
  // The oracle must agree too, or the differential test proves nothing.
  bool ref_complete = false;
  const std::size_t ref = utf8_reference_first_error(in.data(), in.size(), &ref_complete);
  if ((ref == in.size() ? kNone : ref) != expect_error || ref_complete != expect_complete) {
    fail_msg("[%s] reference disagrees: %zu", hex(in).c_str(), ref);
  }
}

void valid(const bytes& in) {
  check(in, kNone, true);
}
void fails_at(const bytes& in, std::size_t at) {
  check(in, at, false);
}
void truncated(const bytes& in) {
  check(in, kNone, false);
}

// Prefixing ASCII moves the vector past the 16-byte fast path and across
// the DFA block boundary.
void check_with_prefixes(const bytes& in, std::size_t expect_error, bool expect_complete) {
  for (std::size_t pad : {0, 1, 15, 16, 17, 31, 32, 33, 47, 64}) {
    bytes padded(pad, 'x');
    padded.insert(padded.end(), in.begin(), in.end());
    check(padded, expect_error == kNone ? kNone : expect_error + pad, expect_complete);
  }
}

void test_empty(void**) {
  utf8_validator v;
  assert_true(v.complete());
  assert_true(v.feed({}));
  assert_true(v.complete());
  assert_true(is_valid_utf8({}));
}

void test_boundary_code_points(void**) {
  const bytes vectors[] = {
      {0x00},                    // U+0000
      {0x7F},                    // U+007F
      {0xC2, 0x80},              // U+0080
      {0xDF, 0xBF},              // U+07FF
      {0xE0, 0xA0, 0x80},        // U+0800
      {0xED, 0x9F, 0xBF},        // U+D7FF
      {0xEE, 0x80, 0x80},        // U+E000
      {0xEF, 0xBF, 0xBF},        // U+FFFF
      {0xF0, 0x90, 0x80, 0x80},  // U+10000
      {0xF4, 0x8F, 0xBF, 0xBF},  // U+10FFFF
      {0xE1, 0x80, 0x80},        // U+1000
      {0xEC, 0xBF, 0xBF},        // U+CFFF
      {0xF1, 0x80, 0x80, 0x80},  // U+40000
      {0xF3, 0xBF, 0xBF, 0xBF},  // U+FFFFF
  };
  for (const auto& v : vectors)
    check_with_prefixes(v, kNone, true);
  valid({'H', 'i', 0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xF0, 0x9F, 0x98, 0x80, '!'});
}

void test_rejections(void**) {
  struct {
    bytes in;
    std::size_t at;
  } const cases[] = {
      {{0xF4, 0x90, 0x80, 0x80}, 1},  // U+110000
      {{0xF4, 0xBF, 0xBF, 0xBF}, 1},
      {{0xC0, 0x80}, 0},              // overlong U+0000
      {{0xC1, 0xBF}, 0},              // overlong U+007F
      {{0xE0, 0x80, 0x80}, 1},        // overlong U+0000
      {{0xE0, 0x9F, 0xBF}, 1},        // overlong U+07FF
      {{0xF0, 0x80, 0x80, 0x80}, 1},  // overlong U+0000
      {{0xF0, 0x8F, 0xBF, 0xBF}, 1},  // overlong U+FFFF
      {{0xED, 0xA0, 0x80}, 1},        // U+D800
      {{0xED, 0xBF, 0xBF}, 1},        // U+DFFF
      {{0x80}, 0},                    // lone continuation
      {{0xBF}, 0},
      {{'a', 0x80, 'b'}, 1},
      {{0xC2, 0x80, 0x80}, 2},  // one continuation too many
      {{0xC2, 'a'}, 1},         // sequence cut by ASCII
      {{0xE1, 0x80, 'a'}, 2},
      {{0xF1, 0x80, 0x80, 0xC2}, 3},  // sequence cut by a new lead
      {{0xE0, 0xE0}, 1},
      {{0xF8, 0x88, 0x80, 0x80, 0x80}, 0},  // old 5-byte form
      {{0xFC, 0x84, 0x80, 0x80, 0x80, 0x80}, 0},
      {{0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80, 'e', 'd'}, 10},
  };
  for (const auto& c : cases)
    check_with_prefixes(c.in, c.at, false);
  for (unsigned b = 0xF5; b <= 0xFF; ++b) {
    fails_at({static_cast<std::uint8_t>(b)}, 0);
    fails_at({'o', 'k', static_cast<std::uint8_t>(b), 0x80}, 2);
  }
  for (unsigned b = 0x80; b <= 0xC1; ++b)
    fails_at({static_cast<std::uint8_t>(b)}, 0);
}

void test_truncated_at_end(void**) {
  const bytes cases[] = {
      {0xC2},           {0xE0},       {0xE0, 0xA0},       {0xED, 0x9F},
      {0xF0},           {0xF0, 0x90}, {0xF0, 0x90, 0x80}, {0xF4, 0x8F, 0xBF},
      {'a', 'b', 0xF3},
  };
  for (const auto& c : cases)
    check_with_prefixes(c, kNone, false);
  // Open at the end even after a long valid run.
  truncated({0xE2, 0x82, 0xAC, 0xE2, 0x82, 0xAC, 0xE2, 0x82});
}

void test_reset(void**) {
  utf8_validator v;
  const std::uint8_t bad[] = {'a', 'b', 0xFF};
  assert_false(v.feed(bad));
  assert_int_equal(v.error_offset(), 2);
  assert_true(v.failed());
  v.reset();
  assert_false(v.failed());
  assert_true(v.complete());
  const std::uint8_t open[] = {0xE2, 0x82};
  assert_true(v.feed(open));
  assert_false(v.complete());
  v.reset();
  assert_true(v.complete());
}

// Random byte strings, biased towards the bytes where UTF-8's rules change,
// validated in random chunks and compared with the slow reference.
std::uint8_t interesting_byte(std::mt19937& rng) {
  static constexpr std::uint8_t kEdges[] = {
      0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
      0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFE, 0xFF};
  switch (rng() % 4) {
    case 0:
      return kEdges[rng() % sizeof kEdges];
    case 1:
      return static_cast<std::uint8_t>(0x80 + rng() % 0x40);  // continuation
    case 2:
      return static_cast<std::uint8_t>(rng());
    default:
      return static_cast<std::uint8_t>(0x20 + rng() % 0x5F);  // ASCII
  }
}

void append_code_point(bytes& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<std::uint8_t>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<std::uint8_t>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<std::uint8_t>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<std::uint8_t>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<std::uint8_t>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<std::uint8_t>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<std::uint8_t>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<std::uint8_t>(0x80 | (cp & 0x3F)));
  }
}

void differential(const bytes& in, std::mt19937& rng) {
  bool ref_complete = false;
  const std::size_t ref = utf8_reference_first_error(in.data(), in.size(), &ref_complete);
  const std::size_t expect = ref == in.size() ? kNone : ref;
  std::vector<std::size_t> cuts;
  const std::size_t pieces = in.empty() ? 0 : rng() % 4;
  for (std::size_t i = 0; i < pieces; ++i)
    cuts.push_back(rng() % (in.size() + 1));
  std::sort(cuts.begin(), cuts.end());
  const outcome o = run(in, cuts);
  if (o.error != expect || o.complete != ref_complete) {
    fail_msg("[%s] validator error %zd complete %d, reference %zd %d", hex(in).c_str(),
             static_cast<ssize_t>(o.error), o.complete, static_cast<ssize_t>(expect), ref_complete);
  }
}

void test_differential_short(void**) {
  std::mt19937 rng(20240601);
  for (int iter = 0; iter < 100000; ++iter) {
    bytes in(rng() % 12);
    for (auto& b : in)
      b = interesting_byte(rng);
    differential(in, rng);
  }
}

// Longer mostly-valid text with a few corrupted bytes, to exercise the
// ASCII fast path and the block replay that locates the failing byte.
void test_differential_long(void**) {
  std::mt19937 rng(424242);
  int invalid = 0;
  for (int iter = 0; iter < 5000; ++iter) {
    bytes in;
    const std::size_t cps = rng() % 120;
    const bool mostly_ascii = rng() % 2;
    for (std::size_t i = 0; i < cps; ++i) {
      std::uint32_t cp;
      const unsigned pick = rng() % 16;
      if (mostly_ascii ? pick < 13 : pick < 3) {
        cp = 0x20 + rng() % 0x5F;
      } else if (pick % 3 == 0) {
        cp = 0x80 + rng() % (0x800 - 0x80);
      } else if (pick % 3 == 1) {
        do {
          cp = 0x800 + rng() % (0x10000 - 0x800);
        } while (cp >= 0xD800 && cp <= 0xDFFF);
      } else {
        cp = 0x10000 + rng() % (0x110000 - 0x10000);
      }
      append_code_point(in, cp);
    }
    const unsigned corruptions = in.empty() ? 0 : rng() % 3;
    for (unsigned c = 0; c < corruptions; ++c)
      in[rng() % in.size()] = interesting_byte(rng);
    if (!is_valid_utf8(in)) ++invalid;
    differential(in, rng);
  }
  assert_true(invalid > 1000);  // the corruption really produced bad input
}

// A multibyte character straddling every position of the 32-byte blocks,
// after a run of multibyte text (so the fast path is not the ASCII skip):
// state must carry across block boundaries, valid and invalid alike.
void test_block_boundaries(void**) {
  for (std::size_t lead = 0; lead < 80; ++lead) {
    for (std::uint32_t cp : {0xE9u, 0x20ACu, 0x1F600u}) {
      bytes in;
      while (in.size() < lead) {
        if (in.size() % 3 == 0) {
          in.push_back(0x78);  // 'x'
        } else {
          in.insert(in.end(), {0xC3, 0xA9});  // U+00E9
        }
      }
      const std::size_t at = in.size();
      append_code_point(in, cp);
      in.insert(in.end(), {0xCE, 0xBA, 0x78});
      valid(in);
      // The same text with the character's last byte replaced by ASCII
      // fails exactly there.
      bytes bad = in;
      const std::size_t last = at + (cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3);
      bad[last] = 0x41;
      fails_at(bad, last);
    }
  }
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_boundary_code_points),
      cmocka_unit_test(test_rejections),
      cmocka_unit_test(test_truncated_at_end),
      cmocka_unit_test(test_reset),
      cmocka_unit_test(test_differential_short),
      cmocka_unit_test(test_differential_long),
      cmocka_unit_test(test_block_boundaries),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
