// A slow UTF-8 checker written straight from the definition, used as the
// oracle for utf8_validator in tests and the differential fuzzer. It shares
// no tables or state machine with utf8.cpp: after each byte of a sequence it
// asks "is there still a valid scalar value (right length, not overlong, not
// a surrogate, <= U+10FFFF) whose encoding starts with these bytes?".
#pragma once

#include <cstddef>
#include <cstdint>

namespace resock::wire::detail {

// True when some value in [v << 6*rest, (v << 6*rest) | all-ones] is a
// scalar value that needs exactly `len` bytes.
inline bool utf8_reference_viable(std::uint32_t v, int rest, int len) {
  constexpr std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
  constexpr std::uint32_t max_for_len[5] = {0, 0x7F, 0x7FF, 0xFFFF, 0x10FFFF};
  std::uint32_t lo = v << (6 * rest);
  std::uint32_t hi = lo | ((std::uint32_t{1} << (6 * rest)) - 1);
  if (lo < min_for_len[len]) lo = min_for_len[len];
  if (hi > max_for_len[len]) hi = max_for_len[len];
  if (lo > hi) return false;
  const bool all_surrogates = lo >= 0xD800 && hi <= 0xDFFF;
  return !all_surrogates;
}

// Index of the first byte after which p[0..n) can no longer be a prefix of
// valid UTF-8 (n if there is none); *complete says whether the whole input
// is complete, valid UTF-8.
inline std::size_t utf8_reference_first_error(const std::uint8_t* p, std::size_t n,
                                              bool* complete) {
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t b = p[i];
    int len;
    std::uint32_t v;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      v = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      v = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      v = b & 0x07;
    } else {
      *complete = false;  // a continuation byte or F8-FF cannot start anything
      return i;
    }
    for (int k = 1;; ++k) {
      // Bytes p[i .. i+k) belong to this sequence.
      if (!utf8_reference_viable(v, len - k, len)) {
        *complete = false;
        return i + static_cast<std::size_t>(k) - 1;
      }
      if (k == len) break;
      if (i + static_cast<std::size_t>(k) >= n) {
        *complete = false;  // valid so far, but the input ends mid-sequence
        return n;
      }
      const std::uint8_t c = p[i + static_cast<std::size_t>(k)];
      if ((c & 0xC0) != 0x80) {
        *complete = false;
        return i + static_cast<std::size_t>(k);
      }
      v = (v << 6) | (c & 0x3F);
    }
    i += static_cast<std::size_t>(len);
  }
  *complete = true;
  return n;
}

}  // namespace resock::wire::detail
