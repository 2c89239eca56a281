// Just enough of the session protocol (docs/protocol.md) for a load
// generator: build the few client envelopes the figures send, and pick
// the type and numbers out of server envelopes without a JSON parser.
// resockd writes "t" first and the members in a fixed order, and the
// payloads are the benchmark's own, so a scan for `"key":` is exact here
// and costs far less than a full parse (the client must not be the
// bottleneck).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bench {

enum class env_type : std::uint8_t { msg, ack, welcome, suback, error, close, ping, pong, other };

// The type of a server envelope (`"t":"..."`).
[[nodiscard]] env_type envelope_type(std::string_view json);

// The unsigned integer after `"key":` at or after `from`, if any.
[[nodiscard]] std::optional<std::uint64_t> find_uint(std::string_view json, std::string_view key,
                                                     std::size_t from = 0);

// The unsigned integer after `"key":` inside the "d" member (payloads).
[[nodiscard]] std::optional<std::uint64_t> find_in_data(std::string_view json,
                                                        std::string_view key);

// Client envelopes.
inline constexpr std::string_view hello_envelope = R"({"t":"hello","v":1})";
inline constexpr std::string_view close_envelope = R"({"t":"close","code":1000,"reason":"bye"})";
[[nodiscard]] std::string ack_envelope(std::uint64_t s);
[[nodiscard]] std::string sub_envelope(std::string_view channel);

// `{"p":"xxx..."}` of exactly `size` bytes (at least 8): a JSON payload
// whose length is the figure's message size.
[[nodiscard]] std::string padded_object(std::size_t size);

// Appends `{"t":"msg","c":<c>,"r":"<route>","d":<data>}` to `out`
// (cleared first); `"ch"` instead of `"r"` when `publish` is true.
void build_msg(std::string& out, std::uint64_t c, std::string_view target, bool publish,
               std::string_view data);

// The short text of an error envelope, for error messages.
[[nodiscard]] std::string error_text(std::string_view json);

}  // namespace bench
