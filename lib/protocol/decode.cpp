#include "protocol/decode.h"

#include <cjson/cJSON.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <span>

#include "protocol/decode_fast.h"
#include "protocol/json_scan.h"
#include "resock/wire/utf8.h"

namespace resock::protocol {
namespace {

// Sequence numbers travel as JSON numbers, which JavaScript and cJSON hold
// as doubles: above 2^53 they would silently lose precision.
constexpr double kMaxSafeInteger = 9007199254740991.0;

struct json_deleter {
  void operator()(cJSON* j) const noexcept { cJSON_Delete(j); }
};
using json_ptr = std::unique_ptr<cJSON, json_deleter>;

const cJSON* member(const cJSON* obj, const char* key) noexcept {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

// Reads a non-negative integer member. Absent: `present` false, ok.
bool read_uint(const cJSON* obj, const char* key, std::uint64_t& out, bool& present) {
  const cJSON* j = member(obj, key);
  present = j != nullptr;
  if (!j) return true;
  if (!cJSON_IsNumber(j)) return false;
  double v = j->valuedouble;
  if (!(v >= 0 && v <= kMaxSafeInteger) || std::floor(v) != v) return false;
  out = static_cast<std::uint64_t>(v);
  return true;
}

bool require_uint(const cJSON* obj, const char* key, std::uint64_t& out) {
  bool present = false;
  return read_uint(obj, key, out, present) && present;
}

bool read_string(const cJSON* obj, const char* key, std::string& out, bool& present) {
  const cJSON* j = member(obj, key);
  present = j != nullptr;
  if (!j) return true;
  if (!cJSON_IsString(j) || j->valuestring == nullptr) return false;
  out = j->valuestring;
  return true;
}

bool require_string(const cJSON* obj, const char* key, std::string& out) {
  bool present = false;
  return read_string(obj, key, out, present) && present;
}

// Channel and route names: present means non-empty and bounded.
bool read_name(const cJSON* obj, const char* key, std::string& out, bool& present) {
  if (!read_string(obj, key, out, present)) return false;
  return !present || (!out.empty() && out.size() <= kMaxNameSize);
}

bool is_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '-' || c == '_' || c == '=';
}

// Fills data/binary of a msg from "d" (raw JSON span) or "b" (base64).
error read_payload(const cJSON* obj, std::string_view text, envelope& out) {
  const cJSON* d = member(obj, "d");
  const cJSON* b = member(obj, "b");
  if ((d == nullptr) == (b == nullptr)) return error::bad_envelope;  // exactly one
  if (d) {
    auto span = find_member(text, "d");
    // cJSON saw "d" but the strict scanner cannot: cJSON tolerated
    // something RFC 8259 forbids.
    if (!span) return error::bad_json;
    out.data = *span;
    return error::none;
  }
  if (!cJSON_IsString(b)) return error::bad_envelope;
  auto span = find_member(text, "b");
  if (!span || span->size() < 2) return error::bad_json;
  std::string_view inner = span->substr(1, span->size() - 2);
  // The view must equal the decoded string, so no escapes, and only the
  // base64 alphabets (standard and URL-safe).
  for (char c : inner) {
    if (!is_base64_char(c)) return error::bad_envelope;
  }
  out.data = inner;
  out.binary = true;
  return error::none;
}

error decode_msg(const cJSON* obj, std::string_view text, sender from, envelope& out) {
  if (!require_uint(obj, from == sender::client ? "c" : "s", out.seq)) return error::bad_envelope;
  if (!read_name(obj, "ch", out.channel, out.has_channel)) return error::bad_envelope;
  if (from == sender::client) {
    if (!read_name(obj, "r", out.route, out.has_route)) return error::bad_envelope;
    if (out.has_channel && out.has_route) return error::bad_envelope;
  }
  return read_payload(obj, text, out);
}

error decode_close(const cJSON* obj, envelope& out) {
  std::uint64_t code = 1000;
  bool present = false;
  if (!read_uint(obj, "code", code, present)) return error::bad_envelope;
  if (code < 1000 || code > 4999) return error::bad_envelope;
  out.close_code = static_cast<std::uint16_t>(code);
  if (!read_string(obj, "reason", out.text, present)) return error::bad_envelope;
  return error::none;
}

error decode_version(const cJSON* obj, envelope& out) {
  if (!require_uint(obj, "v", out.version)) return error::bad_envelope;
  return out.version == kVersion ? error::none : error::unsupported_version;
}

error decode_hello(const cJSON* obj, envelope& out) {
  if (auto e = decode_version(obj, out); e != error::none) return e;
  bool present = false;
  if (!read_string(obj, "auth", out.auth, present)) return error::bad_envelope;
  const cJSON* r = member(obj, "resume");
  if (r == nullptr || cJSON_IsNull(r)) return error::none;
  if (!cJSON_IsObject(r)) return error::bad_envelope;
  if (!require_string(r, "sid", out.sid) || !require_string(r, "tk", out.ticket) ||
      !require_uint(r, "ack", out.ack)) {
    return error::bad_envelope;
  }
  out.has_resume = true;
  return error::none;
}

error decode_welcome(const cJSON* obj, envelope& out) {
  if (auto e = decode_version(obj, out); e != error::none) return e;
  if (!require_string(obj, "sid", out.sid) || !require_string(obj, "tk", out.ticket) ||
      !require_uint(obj, "hb", out.heartbeat) || !require_uint(obj, "ack", out.ack)) {
    return error::bad_envelope;
  }
  const cJSON* resumed = member(obj, "resumed");
  if (!cJSON_IsBool(resumed)) return error::bad_envelope;
  out.resumed = cJSON_IsTrue(resumed);
  bool present = false;
  if (!read_string(obj, "lost", out.lost, present)) return error::bad_envelope;
  const cJSON* lim = member(obj, "limits");
  if (lim != nullptr) {
    if (!cJSON_IsObject(lim)) return error::bad_envelope;
    if (!read_uint(lim, "max_message", out.lim.max_message, present) ||
        !read_uint(lim, "replay_messages", out.lim.replay_messages, present) ||
        !read_uint(lim, "replay_bytes", out.lim.replay_bytes, present) ||
        !read_uint(lim, "ttl", out.lim.ttl, present)) {
      return error::bad_envelope;
    }
    out.has_limits = true;
  }
  return error::none;
}

error decode_error(const cJSON* obj, envelope& out) {
  if (!require_string(obj, "code", out.code_text) || out.code_text.empty()) {
    return error::bad_envelope;
  }
  // A code from a newer server still decodes: the text is kept.
  out.code = error_from_name(out.code_text).value_or(error::internal);
  bool present = false;
  if (!read_string(obj, "msg", out.text, present)) return error::bad_envelope;
  if (!read_uint(obj, "c", out.seq, out.has_seq)) return error::bad_envelope;
  if (!read_name(obj, "ch", out.channel, out.has_channel)) return error::bad_envelope;
  return error::none;
}

struct type_entry {
  std::string_view name;
  type t;
  bool from_client;
  bool from_server;
};
constexpr type_entry kTypes[] = {
    {"hello", type::hello, true, false},   {"welcome", type::welcome, false, true},
    {"msg", type::msg, true, true},        {"ack", type::ack, true, true},
    {"sub", type::sub, true, false},       {"unsub", type::unsub, true, false},
    {"suback", type::suback, false, true}, {"unsuback", type::unsuback, false, true},
    {"ping", type::ping, true, true},      {"pong", type::pong, true, true},
    {"error", type::error, false, true},   {"close", type::close, true, true},
};

}  // namespace

std::string_view type_name(type t) noexcept {
  for (const auto& e : kTypes) {
    if (e.t == t) return e.name;
  }
  return "unknown";
}

error decode(std::string_view text, sender from, envelope& out, const decode_options& options) {
  out = envelope{};
  if (text.size() > options.max_size) return error::too_big;
  if (!wire::is_valid_utf8({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()})) {
    return error::bad_json;
  }
  if (from == sender::client) {
    if (decode_client_fast(text, out)) return error::none;
    out = envelope{};
  }
  return decode_full(text, from, out);
}

error decode_full(std::string_view text, sender from, envelope& out) {
  const char* end = nullptr;
  json_ptr doc(cJSON_ParseWithLengthOpts(text.data(), text.size(), &end, false));
  if (!doc) return error::bad_json;
  // cJSON stops after the first value; anything but whitespace after it
  // makes the message something other than one JSON object.
  for (const char* p = end; p < text.data() + text.size(); ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return error::bad_json;
  }
  const cJSON* obj = doc.get();
  if (!cJSON_IsObject(obj)) return error::bad_json;
  const cJSON* t = member(obj, "t");
  if (t == nullptr || !cJSON_IsString(t)) return error::bad_envelope;
  std::string_view tname = t->valuestring;
  const type_entry* entry = nullptr;
  for (const auto& e : kTypes) {
    if (e.name == tname && (from == sender::client ? e.from_client : e.from_server)) entry = &e;
  }
  if (entry == nullptr) return error::unknown_type;
  out.t = entry->t;
  switch (out.t) {
    case type::hello:
      return decode_hello(obj, out);
    case type::welcome:
      return decode_welcome(obj, out);
    case type::msg:
      return decode_msg(obj, text, from, out);
    case type::ack:
      return require_uint(obj, from == sender::client ? "s" : "c", out.seq) ? error::none
                                                                            : error::bad_envelope;
    case type::sub:
    case type::unsub:
    case type::suback:
    case type::unsuback:
      if (!read_name(obj, "ch", out.channel, out.has_channel) || !out.has_channel) {
        return error::bad_envelope;
      }
      return error::none;
    case type::ping:
    case type::pong:
      return error::none;
    case type::error:
      return decode_error(obj, out);
    case type::close:
      return decode_close(obj, out);
  }
  return error::internal;
}

}  // namespace resock::protocol
