// Decoding one envelope: a fast path for the common client envelopes
// (decode_fast.h), else cJSON validates and reads the document and the
// scanner of json_scan.h locates the raw text of "d" so payloads are
// never re-encoded.
#pragma once

#include <cstddef>
#include <string_view>

#include "protocol/envelope.h"
#include "protocol/error.h"

namespace resock::protocol {

struct decode_options {
  std::size_t max_size = 1 << 20;  // larger input: error::too_big, not parsed at all
};

// Decodes `text` as an envelope written by `from` into `out` (reset first).
// Returns error::none, or:
//   too_big        input longer than options.max_size (checked before parsing)
//   bad_json       not UTF-8, not JSON, trailing bytes, or not an object
//   unknown_type   "t" missing from a known set for `from` (also when "t"
//                  names an envelope only the other side sends)
//   bad_envelope   a field missing or of the wrong type, or a value out of
//                  range (a seq above 2^53, a close code outside 1000-4999)
//   unsupported_version  hello.v present but not 1
// On error `out` holds what was read so far (its type, and "c" of a msg
// when present, so an error envelope can name the message).
[[nodiscard]] error decode(std::string_view text, sender from, envelope& out,
                           const decode_options& options = {});

// decode() without its fast path (decode_fast.h) and without the size and
// UTF-8 checks that come first: the reference the fast path is fuzzed
// against.
[[nodiscard]] error decode_full(std::string_view text, sender from, envelope& out);

}  // namespace resock::protocol
