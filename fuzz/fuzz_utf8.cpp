// Differential fuzzer: the fast incremental utf8_validator against the slow
// reference decoder, with the input split into chunks chosen by the input.
// Both must agree on where the input first becomes invalid and on whether it
// is complete.
#include <cstdint>
#include <cstdlib>

#include "resock/wire/utf8.h"
#include "utf8_reference.h"

using namespace resock::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t cuts = data[0] % 5;
  const std::uint8_t* text = data + 1;
  std::size_t n = size - 1;

  bool ref_complete = false;
  std::size_t ref_error = detail::utf8_reference_first_error(text, n, &ref_complete);

  utf8_validator v;
  std::size_t pos = 0, fast_error = n;
  std::size_t chunk = cuts == 0 ? n : 1 + (n / (cuts + 1));
  while (pos < n) {
    std::size_t len = std::min(chunk, n - pos);
    if (!v.feed({text + pos, len})) {
      fast_error = pos + v.error_offset();
      break;
    }
    pos += len;
  }
  if (fast_error != ref_error) abort();
  if (ref_error == n && v.complete() != ref_complete) abort();
  if (is_valid_utf8({text, n}) != (ref_error == n && ref_complete)) abort();
  return 0;
}
