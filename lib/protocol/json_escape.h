// Writing JSON strings by hand for the envelopes on the hot path (msg, ack,
// ping/pong), where building a cJSON tree per message would cost more than
// the message itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace resock::protocol {

// Appends `s` as a JSON string literal, quotes included. Escapes '"', '\\'
// and every byte below 0x20 (RFC 8259 7); other bytes, UTF-8 included,
// are copied as they are.
void append_json_string(std::string& out, std::string_view s);

// Appends the decimal form of `v`.
void append_uint(std::string& out, std::uint64_t v);

}  // namespace resock::protocol
