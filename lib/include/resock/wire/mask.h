// XOR masking of payloads (RFC 6455 section 5.3). The fast versions work a
// machine word (or vector) at a time and run near memory bandwidth; the
// scalar version is the obviously-correct reference used by the tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "resock/config.h"
#include "resock/wire/frame.h"

namespace resock::wire {

// XORs `data` in place with `key`, starting at key byte `phase % 4` (the
// payload offset of data[0] inside its frame). Masking twice restores the
// input. Thread-safe; no allocation.
RESOCK_API void mask_inplace(std::span<std::uint8_t> data, mask_key key,
                             std::size_t phase = 0) noexcept;

// Writes src XOR key to dst (n bytes; dst and src may be equal but must not
// otherwise overlap).
RESOCK_API void mask_copy(std::uint8_t* dst, const std::uint8_t* src, std::size_t n,
                          mask_key key, std::size_t phase = 0) noexcept;

// Byte-at-a-time reference implementation of mask_inplace.
RESOCK_API void mask_scalar(std::span<std::uint8_t> data, mask_key key,
                            std::size_t phase = 0) noexcept;

// A fresh key from OpenSSL's CSPRNG (RFC 6455 10.3 asks for unpredictable
// keys). Aborts only if the CSPRNG itself is unusable.
[[nodiscard]] RESOCK_API mask_key random_mask_key() noexcept;

}  // namespace resock::wire
