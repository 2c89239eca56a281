#include "compliance/report/json_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace resock::conformance::json {
namespace {

void append_escape(std::string& out, std::uint32_t unit) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(unit));
  out += buf;
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when the
// bytes there are not valid UTF-8 (the caller then takes the byte as
// Latin-1, the only loss-free way to show arbitrary bytes in JSON text).
std::size_t decode(const std::string& s, std::size_t i, std::uint32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  std::uint32_t min = 0;
  if (b < 0x80) {
    cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    n = 2, cp = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, cp = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, cp = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void write_string(std::string& out, const std::string& s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    std::size_t n = decode(s, i, cp);
    if (n == 0) {
      cp = static_cast<unsigned char>(s[i]);
      n = 1;
    }
    i += n;
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp < 0x7F) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      append_escape(out, cp);
    } else {
      cp -= 0x10000;
      append_escape(out, 0xD800 + (cp >> 10));
      append_escape(out, 0xDC00 + (cp & 0x3FF));
    }
  }
  out += '"';
}

void newline(std::string& out, int depth) {
  out += '\n';
  out.append(static_cast<std::size_t>(depth) * 3, ' ');
}

void write_value(std::string& out, const value& v, int depth) {
  switch (v.type) {
    case value::kind::null:
      out += "null";
      return;
    case value::kind::boolean:
      out += v.boolean_value ? "true" : "false";
      return;
    case value::kind::number:
      out += format_number(v.number_value);
      return;
    case value::kind::string:
      write_string(out, v.string_value);
      return;
    case value::kind::array: {
      if (v.items.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        newline(out, depth + 1);
        write_value(out, v.items[i], depth + 1);
      }
      newline(out, depth);
      out += ']';
      return;
    }
    case value::kind::object: {
      if (v.members.empty()) {
        out += "{}";
        return;
      }
      std::vector<const std::pair<std::string, value>*> order;
      for (const auto& m : v.members)
        order.push_back(&m);
      // Byte order of UTF-8 keys is code point order, as Python sorts.
      if (!v.keep_order)
        std::stable_sort(order.begin(), order.end(),
                         [](const auto* a, const auto* b) { return a->first < b->first; });
      out += '{';
      for (std::size_t i = 0; i < order.size(); ++i) {
        if (i) out += ',';
        newline(out, depth + 1);
        write_string(out, order[i]->first);
        out += ": ";
        write_value(out, order[i]->second, depth + 1);
      }
      newline(out, depth);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string format_number(double n) {
  if (std::isnan(n) || std::isinf(n)) return "null";  // not valid JSON otherwise
  char buf[40];
  if (n == std::floor(n) && std::fabs(n) < 1e16) {
    std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, n);
    if (std::strtod(buf, nullptr) == n) break;
  }
  return buf;
}

std::string write(const value& v) {
  std::string out;
  write_value(out, v, 0);
  return out;
}

}  // namespace resock::conformance::json
