#include "compliance/report/render.h"

#include <cmath>
#include <cstdio>
#include <span>

#include "resock/wire/utf8.h"

namespace resock::conformance::report_detail {
namespace {

// Valid UTF-8, allowing a code point cut at the end when `bytes` is only
// the beginning of a longer payload.
bool looks_like_text(std::string_view bytes, bool truncated) {
  wire::utf8_validator v;
  std::span<const std::uint8_t> span(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                     bytes.size());
  if (!v.feed(span)) return false;
  return truncated || v.complete();
}

// The longest prefix of valid text with at most `limit` bytes that does not
// end inside a code point.
std::string_view text_prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
    --n;
  return text.substr(0, n);
}

}  // namespace

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string render_payload(std::string_view bytes, std::uint64_t full_length) {
  bool truncated = bytes.size() < full_length;
  std::string out;
  if (looks_like_text(bytes, truncated)) {
    out = std::string(text_prefix(bytes, shown_bytes));
  } else {
    out = "0x" + hex(bytes.substr(0, shown_bytes));
  }
  if (full_length > ellipsis_above) out += " ...";
  return out;
}

std::string render_octets(std::string_view bytes, std::uint64_t full_length) {
  std::string out = hex(bytes.substr(0, shown_bytes));
  if (full_length > ellipsis_above) out += " ...";
  return out;
}

json::value event_json(const event& e) {
  json::value v = json::value::array();
  switch (e.type) {
    case event::kind::message:
      v.push(json::value::string("message"));
      v.push(json::value::string(render_payload(e.payload, e.payload.size())));
      v.push(json::value::boolean(e.binary));
      break;
    case event::kind::pong:
      v.push(json::value::string("pong"));
      v.push(json::value::string(render_payload(e.payload, e.payload.size())));
      break;
    case event::kind::timeout:
      v.push(json::value::string("timeout"));
      v.push(json::value::string(e.payload));
      break;
  }
  return v;
}

std::string event_text(const event& e) {
  switch (e.type) {
    case event::kind::message:
      return std::string("message (") + (e.binary ? "binary" : "text") + ", " +
             std::to_string(e.payload.size()) +
             " bytes): " + render_payload(e.payload, e.payload.size());
    case event::kind::pong:
      return "pong (" + std::to_string(e.payload.size()) +
             " bytes): " + render_payload(e.payload, e.payload.size());
    case event::kind::timeout:
      return "timeout: " + e.payload;
  }
  return {};
}

std::string_view verdict_label(verdict v) noexcept {
  switch (v) {
    case verdict::ok:
      return "Pass";
    case verdict::non_strict:
      return "Non-Strict";
    case verdict::informational:
      return "Info";
    case verdict::unimplemented:
      return "Unimplemented";
    default:
      return "Fail";
  }
}

std::string_view verdict_class(verdict v) noexcept {
  switch (v) {
    case verdict::ok:
      return "pass";
    case verdict::non_strict:
      return "nonstrict";
    case verdict::informational:
      return "info";
    case verdict::unimplemented:
      return "unimpl";
    case verdict::wrong_code:
    case verdict::failed_by_client:
      return "nonstrict";
    case verdict::unclean:
      return "unclean";
    default:
      return "fail";
  }
}

std::string close_cell_text(const case_result& r) {
  switch (r.behavior_close) {
    case verdict::ok:
    case verdict::failed_by_client:
    case verdict::wrong_code:
    case verdict::informational:
      return r.close.remote_close_code ? std::to_string(*r.close.remote_close_code) : "none";
    case verdict::unclean:
      return "Unclean";
    default:
      return "Fail";
  }
}

std::string section_of(std::string_view id) {
  return std::string(id.substr(0, id.find('.')));
}

std::string subsection_of(std::string_view id) {
  auto first = id.find('.');
  if (first == std::string_view::npos) return {};
  auto second = id.find('.', first + 1);
  if (second == std::string_view::npos) return {};
  return std::string(id.substr(0, second));
}

std::string format_ms(double ms) {
  char buf[48];
  if (ms >= 10 || ms == std::floor(ms))
    std::snprintf(buf, sizeof buf, "%.0f ms", std::round(ms));
  else
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

}  // namespace resock::conformance::report_detail
