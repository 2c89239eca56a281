// A small JSON tree and a printer with the layout of Python's
// json.dumps(obj, sort_keys=True, indent=3, separators=(',', ': ')), which
// is how Autobahn writes its reports. cJSON cannot sort keys, indent by 3
// or hold strings with NUL bytes, hence this.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace resock::conformance::json {

struct value {
  enum class kind : std::uint8_t { null, boolean, number, string, array, object };
  kind type = kind::null;
  bool boolean_value = false;
  double number_value = 0;
  std::string string_value;  // any bytes; written as UTF-8 with \u escapes
  std::vector<value> items;  // array
  std::vector<std::pair<std::string, value>> members;  // object
  // Objects are written with sorted keys unless this is set. Python sorts
  // integer keys numerically before turning them into strings (the frame
  // and octet statistics), so such objects are built in numeric order.
  bool keep_order = false;

  static value null() { return {}; }
  static value boolean(bool b) {
    value v;
    v.type = kind::boolean;
    v.boolean_value = b;
    return v;
  }
  static value number(double n) {
    value v;
    v.type = kind::number;
    v.number_value = n;
    return v;
  }
  static value string(std::string s) {
    value v;
    v.type = kind::string;
    v.string_value = std::move(s);
    return v;
  }
  static value array() {
    value v;
    v.type = kind::array;
    return v;
  }
  static value object() {
    value v;
    v.type = kind::object;
    return v;
  }

  value& push(value v) {
    items.push_back(std::move(v));
    return *this;
  }
  value& set(std::string key, value v) {
    members.emplace_back(std::move(key), std::move(v));
    return *this;
  }
};

// The document as Python would print it: ASCII only (ensure_ascii), keys
// sorted by code point, 3-space indentation, no trailing newline.
[[nodiscard]] std::string write(const value& v);

// A number the way Python's repr prints it: integral values without a
// fraction, others with the shortest round-tripping precision.
[[nodiscard]] std::string format_number(double n);

}  // namespace resock::conformance::json
