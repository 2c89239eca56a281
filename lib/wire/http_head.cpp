// HTTP/1.x head parsing (RFC 9112 sections 2-5). The head is buffered whole
// before anything is parsed, so the views in http_head never see a partial
// line and the result cannot depend on how the bytes were split.
#include "resock/wire/http_head.h"

#include <algorithm>
#include <cstring>

namespace resock::wire {

namespace {

constexpr char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// tchar of RFC 9110 5.6.2.
bool is_tchar(unsigned char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool is_token(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(c); });
}

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

// field-vchar / SP / HTAB (RFC 9110 5.5); obs-text is allowed, a bare CR or
// any other control byte is not (request smuggling relies on them).
bool is_field_text(std::string_view s) noexcept {
  return std::none_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3: exactly one digit each).
bool parse_version(std::string_view s, http_head& h) noexcept {
  if (s.size() != 8 || s.substr(0, 5) != "HTTP/" || !is_digit(s[5]) || s[6] != '.' ||
      !is_digit(s[7]))
    return false;
  h.version_major = s[5] - '0';
  h.version_minor = s[7] - '0';
  return true;
}

bool parse_request_line(std::string_view line, http_head& h) noexcept {
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return false;
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!is_token(method) || target.empty()) return false;
  // The target is visible ASCII only; a second SP would land here too.
  for (char ch : target) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  if (!parse_version(line.substr(sp2 + 1), h)) return false;
  h.method = method;
  h.target = target;
  return true;
}

bool parse_status_line(std::string_view line, http_head& h) noexcept {
  if (line.size() < 12 || !parse_version(line.substr(0, 8), h) || line[8] != ' ') return false;
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return false;
  // The SP before an empty reason is required by the grammar but commonly
  // dropped by servers; the reason is meaningless anyway (RFC 9112 4).
  if (line.size() > 12 && line[12] != ' ') return false;
  std::string_view reason = line.size() > 12 ? line.substr(13) : std::string_view{};
  if (!is_field_text(reason)) return false;
  h.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  h.reason = reason;
  return true;
}

// Pops the next line off `rest`, without its CRLF or LF.
std::string_view next_line(std::string_view& rest) noexcept {
  auto nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Pops the next element of a comma-separated list. Commas inside a
// quoted-string (an extension parameter value) do not split.
std::string_view next_element(std::string_view& list) noexcept {
  bool quoted = false;
  std::size_t i = 0;
  for (; i < list.size(); ++i) {
    char c = list[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      break;
    }
  }
  i = std::min(i, list.size());
  std::string_view element = list.substr(0, i);
  list.remove_prefix(i < list.size() ? i + 1 : list.size());
  return element;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view http_head::find(std::string_view name) const noexcept {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return h.value;
  return {};
}

std::size_t http_head::count(std::string_view name) const noexcept {
  return static_cast<std::size_t>(std::count_if(
      headers.begin(), headers.end(), [&](const http_header& h) { return iequals(h.name, name); }));
}

bool http_head::has_token(std::string_view name, std::string_view token) const noexcept {
  for (const auto& h : headers) {
    if (!iequals(h.name, name)) continue;
    std::string_view list = h.value;
    while (!list.empty()) {
      std::string_view element = next_element(list);
      // Parameters ("foo; x=1") do not change which token is listed.
      element = trim_ows(element.substr(0, element.find(';')));
      if (iequals(element, token)) return true;
    }
  }
  return false;
}

http_head_parser::http_head_parser(head_kind kind, const http_head_limits& limits)
    : kind_(kind), limits_(limits) {
  // A heap buffer keeps the views in head_ valid when the parser is moved
  // (a short string would live inside the object and move with it).
  buffer_.reserve(std::max<std::size_t>(std::min<std::size_t>(limits_.max_head_size, 1024), 64));
}

void http_head_parser::reset() {
  buffer_.clear();
  head_ = http_head{};
  error_ = errc::ok;
  status_ = head_status::need_more;
}

head_step http_head_parser::feed(std::span<const std::uint8_t> input) {
  if (status_ != head_status::need_more) return {status_, 0};
  const auto* data = reinterpret_cast<const char*>(input.data());
  std::size_t i = 0;
  while (i < input.size()) {
    const void* nl = std::memchr(data + i, '\n', input.size() - i);
    std::size_t end =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1 : input.size();
    if (buffer_.size() + (end - i) > limits_.max_head_size) {
      // Report the error at the first byte past the limit, wherever the
      // input was split, so the outcome is independent of chunking.
      error_ = errc::http_head_too_large;
      status_ = head_status::error;
      return {status_, i + (limits_.max_head_size - buffer_.size()) + 1};
    }
    buffer_.append(data + i, end - i);
    i = end;
    if (!nl) break;
    std::string_view b = buffer_;
    if (b == "\n" || b == "\r\n") {
      // An empty line before the start line: no WebSocket peer sends one,
      // and tolerating a run of them would let the limit be sidestepped.
      error_ = errc::http_malformed;
      status_ = head_status::error;
      return {status_, i};
    }
    if (b.ends_with("\n\n") || b.ends_with("\n\r\n")) {
      error_ = parse();
      status_ = error_ == errc::ok ? head_status::complete : head_status::error;
      return {status_, i};
    }
  }
  return {head_status::need_more, i};
}

errc http_head_parser::parse() {
  http_head h;
  std::string_view rest = buffer_;
  std::string_view start = next_line(rest);
  bool ok =
      kind_ == head_kind::request ? parse_request_line(start, h) : parse_status_line(start, h);
  if (!ok) return errc::http_malformed;
  for (std::string_view line = next_line(rest); !line.empty(); line = next_line(rest)) {
    // obs-fold (a line starting with whitespace) is rejected, RFC 9112 5.2.
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return errc::http_malformed;
    // is_token also rejects whitespace before the colon (RFC 9112 5.1).
    std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return errc::http_malformed;
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (!is_field_text(value)) return errc::http_malformed;
    if (h.headers.size() == limits_.max_headers) return errc::http_too_many_headers;
    h.headers.push_back({name, value});
  }
  head_ = std::move(h);
  return errc::ok;
}

}  // namespace resock::wire
