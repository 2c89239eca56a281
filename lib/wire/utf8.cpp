// UTF-8 validation as a "shift DFA": each byte maps to a 64-bit row that
// holds, for every state, the next state's bit offset. The next state is
// then one shift (row >> state), so the loop-carried dependency is a single
// instruction instead of a dependent table load. States are bit offsets
// (multiples of 6) and 0 is "between code points", which lets the header's
// state_ == 0 double as complete().
//
// The states follow RFC 3629 section 4 exactly: after a lead byte the
// first continuation byte has a narrowed range for E0, ED, F0 and F4, which
// is what makes overlongs, surrogates and values above U+10FFFF fail at the
// second byte rather than at the end of the sequence.
#include "resock/wire/utf8.h"

#include <array>
#include <cstring>

namespace resock::wire {
namespace {

enum state : unsigned {
  s_accept = 0,  // between code points
  s_tail1,       // one 80-BF byte left
  s_tail2,       // two 80-BF bytes left
  s_tail3,       // three 80-BF bytes left
  s_e0,          // after E0: A0-BF, then one tail (no overlongs)
  s_ed,          // after ED: 80-9F, then one tail (no surrogates)
  s_f0,          // after F0: 90-BF, then two tails (no overlongs)
  s_f4,          // after F4: 80-8F, then two tails (nothing above U+10FFFF)
  s_reject,
  state_count
};

constexpr bool in(unsigned b, unsigned lo, unsigned hi) {
  return b >= lo && b <= hi;
}

constexpr state next_state(state s, unsigned b) {
  switch (s) {
    case s_accept:
      if (b <= 0x7F) return s_accept;
      if (in(b, 0xC2, 0xDF)) return s_tail1;
      if (b == 0xE0) return s_e0;
      if (b == 0xED) return s_ed;
      if (in(b, 0xE1, 0xEF)) return s_tail2;
      if (b == 0xF0) return s_f0;
      if (in(b, 0xF1, 0xF3)) return s_tail3;
      if (b == 0xF4) return s_f4;
      return s_reject;  // 80-C1 (stray tail, overlong 2-byte lead), F5-FF
    case s_tail1:
      return in(b, 0x80, 0xBF) ? s_accept : s_reject;
    case s_tail2:
      return in(b, 0x80, 0xBF) ? s_tail1 : s_reject;
    case s_tail3:
      return in(b, 0x80, 0xBF) ? s_tail2 : s_reject;
    case s_e0:
      return in(b, 0xA0, 0xBF) ? s_tail1 : s_reject;
    case s_ed:
      return in(b, 0x80, 0x9F) ? s_tail1 : s_reject;
    case s_f0:
      return in(b, 0x90, 0xBF) ? s_tail2 : s_reject;
    case s_f4:
      return in(b, 0x80, 0x8F) ? s_tail2 : s_reject;
    default:
      return s_reject;
  }
}

constexpr unsigned kBits = 6;
constexpr std::uint64_t kStateMask = 63;
constexpr std::uint64_t kAccept = s_accept * kBits;
constexpr std::uint64_t kReject = s_reject * kBits;
static_assert(state_count * kBits <= 64);
static_assert(kReject < 0xFF, "internal states must not collide with utf8_validator::reject");

constexpr std::array<std::uint64_t, 256> make_rows() {
  std::array<std::uint64_t, 256> rows{};
  for (unsigned b = 0; b < 256; ++b) {
    std::uint64_t row = 0;
    for (unsigned s = 0; s < state_count; ++s) {
      row |= static_cast<std::uint64_t>(next_state(static_cast<state>(s), b) * kBits)
             << (s * kBits);
    }
    rows[b] = row;
  }
  return rows;
}

constexpr std::array<std::uint64_t, 256> kRows = make_rows();

// x86 and AArch64 shifts only use the low 6 bits of the count, so the mask
// compiles away and the state stays a single register.
inline std::uint64_t step(std::uint64_t s, std::uint8_t b) noexcept {
  return kRows[b] >> (s & kStateMask);
}

inline bool ascii16(const std::uint8_t* p) noexcept {
  std::uint64_t a, b;
  std::memcpy(&a, p, 8);
  std::memcpy(&b, p + 8, 8);
  return ((a | b) & 0x8080808080808080ull) == 0;
}

// Non-ASCII input goes through the DFA in blocks; checking for rejection
// once per block keeps the branch out of the per-byte loop, and a rejected
// block (rare) is replayed byte by byte to find the exact failing byte.
constexpr std::size_t kBlock = 32;

// Runs the DFA over p[0..n) from state `s`. Returns the final state, or
// kReject with *error set to the failing byte's index.
__attribute__((always_inline)) inline std::uint64_t validate(std::uint64_t s, const std::uint8_t* p,
                                                             std::size_t n,
                                                             std::size_t* error) noexcept {
  std::size_t i = 0;
  while (i < n) {
    if (s == kAccept) {
      while (i + 16 <= n && ascii16(p + i))
        i += 16;
      if (i == n) break;
    }
    std::size_t end;
    std::uint64_t t = s;
    if (n - i >= kBlock) {
      // A fixed trip count lets the compiler drop the per-byte loop
      // overhead, leaving load, load, shift.
      end = i + kBlock;
#pragma GCC unroll 32
      for (std::size_t j = 0; j < kBlock; ++j)
        t = step(t, p[i + j]);
    } else {
      end = n;
      for (std::size_t j = i; j < end; ++j)
        t = step(t, p[j]);
    }
    if ((t & kStateMask) == kReject) {
      for (std::size_t j = i;; ++j) {
        s = step(s, p[j]) & kStateMask;
        if (s == kReject) {
          *error = j;
          return kReject;
        }
      }
    }
    s = t & kStateMask;
    i = end;
  }
  return s;
}

std::uint64_t validate_generic(std::uint64_t s, const std::uint8_t* p, std::size_t n,
                               std::size_t* error) noexcept {
  return validate(s, p, n, error);
}

using validate_fn = std::uint64_t (*)(std::uint64_t, const std::uint8_t*, std::size_t,
                                      std::size_t*) noexcept;

#if defined(__x86_64__) && defined(__GNUC__)
// Baseline x86-64 can only shift by %cl, which adds a move and an extra
// uop to the one-instruction dependency chain; BMI2's shrx takes the count
// from any register and roughly doubles multibyte throughput.
__attribute__((target("bmi2"))) std::uint64_t validate_bmi2(std::uint64_t s, const std::uint8_t* p,
                                                            std::size_t n,
                                                            std::size_t* error) noexcept {
  return validate(s, p, n, error);
}

// Chosen on first use rather than at static initialisation so that a
// validator used from another translation unit's initialiser still works.
validate_fn pick_validate() noexcept {
  static const validate_fn fn = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("bmi2") ? validate_bmi2 : validate_generic;
  }();
  return fn;
}
#else
constexpr validate_fn pick_validate() noexcept {
  return validate_generic;
}
#endif

}  // namespace

bool utf8_validator::feed(std::span<const std::uint8_t> chunk) noexcept {
  if (state_ == reject) return false;
  std::size_t error = 0;
  const std::uint64_t s = pick_validate()(state_, chunk.data(), chunk.size(), &error);
  if (s == kReject) {
    state_ = reject;
    error_offset_ = error;
    return false;
  }
  state_ = static_cast<std::uint8_t>(s);
  return true;
}

bool is_valid_utf8(std::span<const std::uint8_t> data) noexcept {
  utf8_validator v;
  return v.feed(data) && v.complete();
}

}  // namespace resock::wire
