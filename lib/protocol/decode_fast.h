// The decoder's fast path for the envelopes a client sends by the
// thousand (msg, ack), without building a cJSON tree: one validating pass
// over the object's members (json_scan.h's member_reader).
//
// It only ever succeeds: anything unusual (an escape in a key or name, an
// unknown or repeated member, a number that is not a plain integer, a
// missing field) returns nullopt and the full decoder (decode.cpp)
// decides, errors included. So the fast path can only differ from the full
// one by being faster; fuzz/fuzz_envelope.cpp checks that it agrees.
#pragma once

#include <optional>
#include <string_view>

#include "protocol/envelope.h"

namespace resock::protocol {

// `text` is known to be valid UTF-8 and within the size limit. True with
// `out` filled as decode() would fill it; false: use the full decoder
// (`out` may then hold anything).
[[nodiscard]] bool decode_client_fast(std::string_view text, envelope& out);

}  // namespace resock::protocol
