#include "compliance/report/html.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <utility>

namespace resock::conformance::html {
namespace {

// Length of the valid UTF-8 sequence at text[i], 0 if invalid.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  auto b = static_cast<unsigned char>(text[i]);
  std::size_t n = b < 0x80             ? 1
                  : (b & 0xE0) == 0xC0 ? 2
                  : (b & 0xF0) == 0xE0 ? 3
                  : (b & 0xF8) == 0xF0 ? 4
                                       : 0;
  if (n == 0 || i + n > text.size()) return 0;
  std::uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
  for (std::size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(text[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  static constexpr std::array<std::uint32_t, 5> min{0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  if (cp == 0xFFFE || cp == 0xFFFF) return 0;  // not XML characters
  return n;
}

constexpr std::array<std::string_view, 17> allowed_tags{
    "<br>",     "<br/>",     "<br />", "<b>",     "</b>", "<i>",  "</i>", "<em>", "</em>",
    "<strong>", "</strong>", "<code>", "</code>", "<p>",  "</p>", "<tt>", "</tt>"};

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    ++i;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F)
          out += c;
        else if (c == '\t' || c == '\n' || c == '\r')
          out += c;
        break;
    }
  }
  return out;
}

std::string description(std::string_view text) {
  std::string out;
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '<') continue;
    for (std::string_view tag : allowed_tags) {
      if (text.size() - i < tag.size()) continue;
      bool same = true;
      for (std::size_t k = 0; k < tag.size() && same; ++k)
        same = std::tolower(static_cast<unsigned char>(text[i + k])) == tag[k];
      if (!same) continue;
      out += escape(text.substr(plain, i - plain));
      out += tag;
      i += tag.size() - 1;
      plain = i + 1;
      break;
    }
  }
  out += escape(text.substr(plain));
  return out;
}

std::string strip_tags(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '<') {
      auto end = text.find('>', i);
      if (end != std::string_view::npos) {
        std::string_view tag = text.substr(i, end - i + 1);
        if (tag.starts_with("<br") || tag.starts_with("<p") || tag.starts_with("</p"))
          if (!out.empty() && out.back() != ' ') out += ' ';
        i = end;
        continue;
      }
    }
    if (c == '&') {
      static constexpr std::array<std::pair<std::string_view, char>, 6> entities{{{"&amp;", '&'},
                                                                                  {"&lt;", '<'},
                                                                                  {"&gt;", '>'},
                                                                                  {"&quot;", '"'},
                                                                                  {"&#39;", '\''},
                                                                                  {"&nbsp;", ' '}}};
      bool decoded = false;
      for (auto [name, ch] : entities) {
        if (text.substr(i, name.size()) == name) {
          out += ch;
          i += name.size() - 1;
          decoded = true;
          break;
        }
      }
      if (decoded) continue;
    }
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

}  // namespace resock::conformance::html
