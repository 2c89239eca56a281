// Shared pieces of the report renderers: payload and octet rendering in
// Autobahn's style, verdict labels and colours, section ids.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "compliance/case_result.h"
#include "compliance/report/json_writer.h"

namespace resock::conformance::report_detail {

// Autobahn shows at most 64 bytes of a payload and marks longer ones.
inline constexpr std::size_t shown_bytes = 64;
inline constexpr std::uint64_t ellipsis_above = 60;

[[nodiscard]] std::string hex(std::string_view bytes);

// A payload as Autobahn renders it in expected/received and in frame log
// entries: the UTF-8 text when it is valid UTF-8 (a prefix cut inside a
// code point still counts when `bytes` is only the start of
// `full_length`), else "0x" + hex; at most 64 bytes, " ..." appended when
// the payload is longer than 60 bytes.
[[nodiscard]] std::string render_payload(std::string_view bytes, std::uint64_t full_length);
// Octets of a socket read/write: hex of the first 64 bytes (+ " ...").
[[nodiscard]] std::string render_octets(std::string_view bytes, std::uint64_t full_length);

// ["message", text, isBinary] / ["pong", text] / ["timeout", tag].
[[nodiscard]] json::value event_json(const event& e);
// "message (text, 13 bytes): Hello, world!" for the HTML pages.
[[nodiscard]] std::string event_text(const event& e);

// "Pass", "Non-Strict", "Info", "Fail" (Autobahn's index.html words).
[[nodiscard]] std::string_view verdict_label(verdict v) noexcept;
// CSS class of a verdict cell: "pass", "nonstrict", "info", "unimpl", "fail".
[[nodiscard]] std::string_view verdict_class(verdict v) noexcept;
// The close column: the remote close code for OK / FAILED BY CLIENT /
// WRONG CODE / INFORMATIONAL ("none" without one), "Unclean", else "Fail".
[[nodiscard]] std::string close_cell_text(const case_result& r);

// "6" for "6.4.2"; "6.4" for "6.4.2" but "" for two-level ids like "2.1".
[[nodiscard]] std::string section_of(std::string_view id);
[[nodiscard]] std::string subsection_of(std::string_view id);

// Milliseconds for display: "1003 ms", "0.4 ms".
[[nodiscard]] std::string format_ms(double ms);

}  // namespace resock::conformance::report_detail
