// A small strict JSON scanner (RFC 8259) that allocates nothing. It serves
// two purposes cJSON cannot: find the raw text of one member of an object
// (so "d" is handed on byte for byte, never re-encoded), and check that
// application-supplied JSON is valid before it is spliced into envelopes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace resock::protocol {

// Deeper nesting is refused; the same limit cJSON applies by default, so
// anything cJSON parsed can be scanned too.
inline constexpr int kMaxJsonDepth = 1000;

// True when `text` is exactly one JSON value, optionally surrounded by
// whitespace.
[[nodiscard]] bool is_valid_json(std::string_view text) noexcept;

// The raw text of the value of the first member named `key` of the JSON
// object `object_text` (whitespace around it trimmed), or nullopt when the
// text is not a valid object or has no such member. Keys are compared
// after unescaping, as a JSON parser would ("\u0064" is "d").
[[nodiscard]] std::optional<std::string_view> find_member(std::string_view object_text,
                                                          std::string_view key);

// Reads the members of one JSON object in order, validating as it goes,
// without allocating: the decoder's fast path for the common envelopes.
class member_reader {
 public:
  // `text`: the object, optionally surrounded by whitespace.
  explicit member_reader(std::string_view text) noexcept;
  // The next member: its key as written (inside the quotes, escapes
  // untouched) and its value's raw text. False at the end or on invalid
  // input; then ok() tells which.
  [[nodiscard]] bool next(std::string_view& key, std::string_view& value) noexcept;
  // After next() returned false: the text was exactly one valid object.
  [[nodiscard]] bool ok() const noexcept { return ok_; }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  bool first_ = true;
  bool done_ = false;
  bool ok_ = false;
};

// Decodes the inside of a JSON string literal (without the quotes); nullopt
// when an escape is malformed.
[[nodiscard]] std::optional<std::string> json_unescape(std::string_view inner);

}  // namespace resock::protocol
