#include "protocol/json_scan.h"

#include <cstdint>

namespace resock::protocol {
namespace {

constexpr std::size_t npos = std::string_view::npos;

bool is_ws(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

std::size_t skip_ws(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && is_ws(s[i]))
    ++i;
  return i;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `i` is at the opening quote; returns the index after the closing quote.
std::size_t skip_string(std::string_view s, std::size_t i) noexcept {
  ++i;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') return i + 1;
    if (c < 0x20) return npos;  // raw control characters must be escaped
    if (c == '\\') {
      if (++i >= s.size()) return npos;
      switch (s[i]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          ++i;
          break;
        case 'u':
          if (i + 4 >= s.size()) return npos;
          for (std::size_t k = 1; k <= 4; ++k) {
            if (hex_value(s[i + k]) < 0) return npos;
          }
          i += 5;
          break;
        default:
          return npos;
      }
      continue;
    }
    ++i;
  }
  return npos;
}

std::size_t skip_number(std::string_view s, std::size_t i) noexcept {
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return npos;
  if (s[i] == '0') {
    ++i;
  } else if (is_digit(s[i])) {
    while (i < s.size() && is_digit(s[i]))
      ++i;
  } else {
    return npos;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !is_digit(s[i])) return npos;
    while (i < s.size() && is_digit(s[i]))
      ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !is_digit(s[i])) return npos;
    while (i < s.size() && is_digit(s[i]))
      ++i;
  }
  return i;
}

std::size_t skip_literal(std::string_view s, std::size_t i, std::string_view word) noexcept {
  return s.substr(i, word.size()) == word ? i + word.size() : npos;
}

std::size_t skip_value(std::string_view s, std::size_t i, int depth) noexcept;

// `i` at '{' or '['.
std::size_t skip_container(std::string_view s, std::size_t i, int depth) noexcept {
  if (depth >= kMaxJsonDepth) return npos;
  const bool object = s[i] == '{';
  const char close = object ? '}' : ']';
  i = skip_ws(s, i + 1);
  if (i < s.size() && s[i] == close) return i + 1;
  for (;;) {
    if (object) {
      if (i >= s.size() || s[i] != '"') return npos;
      i = skip_string(s, i);
      if (i == npos) return npos;
      i = skip_ws(s, i);
      if (i >= s.size() || s[i] != ':') return npos;
      i = skip_ws(s, i + 1);
    }
    i = skip_value(s, i, depth + 1);
    if (i == npos) return npos;
    i = skip_ws(s, i);
    if (i >= s.size()) return npos;
    if (s[i] == close) return i + 1;
    if (s[i] != ',') return npos;
    i = skip_ws(s, i + 1);
  }
}

std::size_t skip_value(std::string_view s, std::size_t i, int depth) noexcept {
  if (i >= s.size()) return npos;
  switch (s[i]) {
    case '{':
    case '[':
      return skip_container(s, i, depth);
    case '"':
      return skip_string(s, i);
    case 't':
      return skip_literal(s, i, "true");
    case 'f':
      return skip_literal(s, i, "false");
    case 'n':
      return skip_literal(s, i, "null");
    default:
      return skip_number(s, i);
  }
}

bool key_equals(std::string_view raw_inner, std::string_view key) {
  if (raw_inner.find('\\') == std::string_view::npos) return raw_inner == key;
  auto decoded = json_unescape(raw_inner);
  return decoded && *decoded == key;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<std::uint32_t> read_hex4(std::string_view s, std::size_t i) {
  if (i + 4 > s.size()) return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    int h = hex_value(s[i + k]);
    if (h < 0) return std::nullopt;
    v = (v << 4) | static_cast<std::uint32_t>(h);
  }
  return v;
}

}  // namespace

bool is_valid_json(std::string_view text) noexcept {
  std::size_t i = skip_value(text, skip_ws(text, 0), 0);
  return i != npos && skip_ws(text, i) == text.size();
}

std::optional<std::string_view> find_member(std::string_view s, std::string_view key) {
  std::size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  i = skip_ws(s, i + 1);
  if (i < s.size() && s[i] == '}') return std::nullopt;
  for (;;) {
    if (i >= s.size() || s[i] != '"') return std::nullopt;
    std::size_t key_end = skip_string(s, i);
    if (key_end == npos) return std::nullopt;
    std::string_view raw_key = s.substr(i + 1, key_end - i - 2);
    i = skip_ws(s, key_end);
    if (i >= s.size() || s[i] != ':') return std::nullopt;
    i = skip_ws(s, i + 1);
    std::size_t value_end = skip_value(s, i, 1);
    if (value_end == npos) return std::nullopt;
    if (key_equals(raw_key, key)) return s.substr(i, value_end - i);
    i = skip_ws(s, value_end);
    if (i >= s.size()) return std::nullopt;
    if (s[i] == '}') return std::nullopt;
    if (s[i] != ',') return std::nullopt;
    i = skip_ws(s, i + 1);
  }
}

member_reader::member_reader(std::string_view text) noexcept : s_(text) {
  i_ = skip_ws(s_, 0);
  if (i_ >= s_.size() || s_[i_] != '{') {
    done_ = true;
    return;
  }
  i_ = skip_ws(s_, i_ + 1);
}

bool member_reader::next(std::string_view& key, std::string_view& value) noexcept {
  if (done_) return false;
  if (i_ < s_.size() && s_[i_] == '}') {
    // The end of the object: only whitespace may follow.
    done_ = true;
    ok_ = skip_ws(s_, i_ + 1) == s_.size();
    return false;
  }
  if (!first_) {
    if (i_ >= s_.size() || s_[i_] != ',') return done_ = true, false;
    i_ = skip_ws(s_, i_ + 1);
  }
  first_ = false;
  if (i_ >= s_.size() || s_[i_] != '"') return done_ = true, false;
  const std::size_t key_end = skip_string(s_, i_);
  if (key_end == npos) return done_ = true, false;
  key = s_.substr(i_ + 1, key_end - i_ - 2);
  std::size_t i = skip_ws(s_, key_end);
  if (i >= s_.size() || s_[i] != ':') return done_ = true, false;
  i = skip_ws(s_, i + 1);
  const std::size_t value_end = skip_value(s_, i, 1);
  if (value_end == npos) return done_ = true, false;
  value = s_.substr(i, value_end - i);
  i_ = skip_ws(s_, value_end);
  return true;
}

std::optional<std::string> json_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= s.size()) return std::nullopt;
    switch (s[i]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto hi = read_hex4(s, i + 1);
        if (!hi) return std::nullopt;
        i += 4;
        std::uint32_t cp = *hi;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // A high surrogate must be followed by an escaped low surrogate.
          if (i + 2 >= s.size() || s[i + 1] != '\\' || s[i + 2] != 'u') return std::nullopt;
          auto lo = read_hex4(s, i + 3);
          if (!lo || *lo < 0xDC00 || *lo > 0xDFFF) return std::nullopt;
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (*lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return std::nullopt;
        }
        append_utf8(out, cp);
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

}  // namespace resock::protocol
