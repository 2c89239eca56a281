#include "protocol/decode_fast.h"

#include <cstdint>

#include "protocol/json_scan.h"

namespace resock::protocol {
namespace {

// The members the fast path knows; any other sends the envelope to the
// full decoder (which ignores unknown members, as the protocol says).
struct members {
  std::string_view t, c, s, ch, r, d, b;
};

std::string_view* slot(members& m, std::string_view key) noexcept {
  if (key.size() == 1) {
    switch (key[0]) {
      case 't':
        return &m.t;
      case 'c':
        return &m.c;
      case 's':
        return &m.s;
      case 'r':
        return &m.r;
      case 'd':
        return &m.d;
      case 'b':
        return &m.b;
      default:
        return nullptr;
    }
  }
  return key == "ch" ? &m.ch : nullptr;
}

// A string value without escapes: its inside (equal to the decoded text).
bool plain_string(std::string_view raw, std::string_view& inner) noexcept {
  if (raw.size() < 2 || raw.front() != '"') return false;
  inner = raw.substr(1, raw.size() - 2);
  return inner.find('\\') == std::string_view::npos;
}

// A JSON integer as written by clients: digits only, no leading zero,
// at most 2^53 - 1 (the full decoder's bound for sequence numbers).
bool plain_uint(std::string_view raw, std::uint64_t& out) noexcept {
  if (raw.empty() || raw.size() > 16 || (raw.size() > 1 && raw[0] == '0')) return false;
  std::uint64_t v = 0;
  for (char ch : raw) {
    if (ch < '0' || ch > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  if (v > 9007199254740991ull) return false;
  out = v;
  return true;
}

bool name(std::string_view raw, std::string& out) {
  std::string_view inner;
  if (!plain_string(raw, inner) || inner.empty() || inner.size() > kMaxNameSize) return false;
  out.assign(inner);
  return true;
}

bool base64_text(std::string_view inner) noexcept {
  for (char ch : inner) {
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' || ch == '-' || ch == '_' ||
                    ch == '=';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool decode_client_fast(std::string_view text, envelope& out) {
  members m;
  member_reader reader(text);
  std::string_view key, value;
  while (reader.next(key, value)) {
    std::string_view* at = slot(m, key);
    if (at == nullptr || at->data() != nullptr) return false;  // unknown or repeated
    *at = value;
  }
  if (!reader.ok()) return false;
  std::string_view type;
  if (!plain_string(m.t, type)) return false;
  if (type == "ack") {
    if (m.c.data() || m.ch.data() || m.r.data() || m.d.data() || m.b.data()) return false;
    out.t = type::ack;
    return plain_uint(m.s, out.seq);
  }
  if (type != "msg" || m.s.data() != nullptr) return false;
  out.t = type::msg;
  if (!plain_uint(m.c, out.seq)) return false;
  if (m.ch.data() != nullptr) {
    if (m.r.data() != nullptr || !name(m.ch, out.channel)) return false;
    out.has_channel = true;
  } else if (m.r.data() != nullptr) {
    if (!name(m.r, out.route)) return false;
    out.has_route = true;
  }
  if ((m.d.data() == nullptr) == (m.b.data() == nullptr)) return false;  // exactly one
  if (m.d.data() != nullptr) {
    // Escapes go to the full decoder: cJSON refuses some the strict
    // scanner lets through (a lone surrogate "\ud800"), and the two paths
    // must agree. Payloads rarely have any; the check is one memchr.
    if (m.d.find('\\') != std::string_view::npos) return false;
    out.data = m.d;
    return true;
  }
  std::string_view inner;
  if (!plain_string(m.b, inner) || !base64_text(inner)) return false;
  out.data = inner;
  out.binary = true;
  return true;
}

}  // namespace resock::protocol
