// Payload masking (RFC 6455 5.3). XOR is byte-wise, so once the key is
// rotated to the current phase any multiple of 4 bytes can be processed as
// one wide word; only the head (to align the stores) and the tail are
// done a byte at a time.
#include "resock/wire/mask.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define RESOCK_MASK_SSE2 1
#endif

namespace resock::wire {
namespace {

// Vector width the head aligns `dst` to; unaligned stores that straddle a
// cache line cost more than the few scalar head bytes.
constexpr std::size_t kAlign = 16;

void mask_bytes(std::uint8_t* dst, const std::uint8_t* src, std::size_t n, const mask_key& key,
                std::size_t phase) noexcept {
  for (std::size_t i = 0; i < n; ++i)
    dst[i] = src[i] ^ key[(phase + i) & 3];
}

void mask_fast(std::uint8_t* dst, const std::uint8_t* src, std::size_t n, const mask_key& key,
               std::size_t phase) noexcept {
  phase &= 3;
  std::size_t head =
      (kAlign - (reinterpret_cast<std::uintptr_t>(dst) & (kAlign - 1))) & (kAlign - 1);
  if (head > n) head = n;
  mask_bytes(dst, src, head, key, phase);
  dst += head;
  src += head;
  n -= head;
  phase = (phase + head) & 3;

  // Key rotated so that its byte 0 lines up with dst[0]; every wider
  // register is this pattern repeated.
  const std::uint8_t rotated[4] = {key[phase], key[(phase + 1) & 3], key[(phase + 2) & 3],
                                   key[(phase + 3) & 3]};
  std::uint32_t k32;
  std::memcpy(&k32, rotated, 4);

#if RESOCK_MASK_SSE2
  const __m128i kv = _mm_set1_epi32(static_cast<int>(k32));
  while (n >= 64) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 16));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 32));
    const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 48));
    _mm_store_si128(reinterpret_cast<__m128i*>(dst), _mm_xor_si128(a, kv));
    _mm_store_si128(reinterpret_cast<__m128i*>(dst + 16), _mm_xor_si128(b, kv));
    _mm_store_si128(reinterpret_cast<__m128i*>(dst + 32), _mm_xor_si128(c, kv));
    _mm_store_si128(reinterpret_cast<__m128i*>(dst + 48), _mm_xor_si128(d, kv));
    src += 64;
    dst += 64;
    n -= 64;
  }
  while (n >= 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    _mm_store_si128(reinterpret_cast<__m128i*>(dst), _mm_xor_si128(a, kv));
    src += 16;
    dst += 16;
    n -= 16;
  }
#endif

  const std::uint64_t k64 = (static_cast<std::uint64_t>(k32) << 32) | k32;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, src, 8);
    w ^= k64;
    std::memcpy(dst, &w, 8);
    src += 8;
    dst += 8;
    n -= 8;
  }
  // Every block above was a multiple of 4 bytes, so the phase is unchanged.
  mask_bytes(dst, src, n, key, phase);
}

}  // namespace

void mask_inplace(std::span<std::uint8_t> data, mask_key key, std::size_t phase) noexcept {
  mask_fast(data.data(), data.data(), data.size(), key, phase);
}

void mask_copy(std::uint8_t* dst, const std::uint8_t* src, std::size_t n, mask_key key,
               std::size_t phase) noexcept {
  mask_fast(dst, src, n, key, phase);
}

void mask_scalar(std::span<std::uint8_t> data, mask_key key, std::size_t phase) noexcept {
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] ^= key[(phase + i) % 4];
}

mask_key random_mask_key() noexcept {
  mask_key key;
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    // A predictable key would defeat the cache-poisoning defence of
    // RFC 6455 10.3; there is no safe fallback.
    std::fputs("resock: RAND_bytes failed, cannot generate a WebSocket mask key\n", stderr);
    std::abort();
  }
  return key;
}

}  // namespace resock::wire
