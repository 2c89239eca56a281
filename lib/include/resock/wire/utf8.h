// Incremental UTF-8 validation (RFC 3629) for text messages and close
// reasons. Fail-fast: the validator rejects the first byte after which no
// continuation could make the input valid, even when the offending sequence
// is split across chunks (Autobahn section 6.4 checks exactly this).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "resock/config.h"

namespace resock::wire {

class RESOCK_API utf8_validator {
 public:
  // Validates the next chunk. Returns false at the first invalid byte; then
  // error_offset() is that byte's index inside this chunk and the validator
  // stays failed until reset(). ASCII runs are checked 16 bytes at a time.
  [[nodiscard]] bool feed(std::span<const std::uint8_t> chunk) noexcept;

  // True when everything fed so far is complete, valid UTF-8 (no sequence
  // left open). Call at the end of a message.
  [[nodiscard]] bool complete() const noexcept { return state_ == 0; }

  [[nodiscard]] bool failed() const noexcept { return state_ == reject; }
  [[nodiscard]] std::size_t error_offset() const noexcept { return error_offset_; }

  void reset() noexcept {
    state_ = 0;
    error_offset_ = 0;
  }

  static constexpr std::uint8_t reject = 0xFF;

 private:
  std::uint8_t state_ = 0;  // 0 = between code points
  std::size_t error_offset_ = 0;
};

// One-shot check of a whole buffer.
[[nodiscard]] RESOCK_API bool is_valid_utf8(std::span<const std::uint8_t> data) noexcept;

}  // namespace resock::wire
