// The server side of the permessage-deflate negotiation (RFC 7692 section
// 7.1) over the extension-list grammar of RFC 6455 section 9.1:
//   extension-list = 1#( token *( ";" token [ "=" ( token / quoted-string ) ] ) )
#include <string>

#include "resock/wire/http_head.h"
#include "resock/wire/permessage_deflate.h"

namespace resock::wire {
namespace {

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

bool is_tchar(char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// A cursor over one header value. Every read skips leading whitespace.
struct cursor {
  std::string_view s;

  void skip_ows() noexcept {
    while (!s.empty() && is_ows(s.front()))
      s.remove_prefix(1);
  }
  bool eat(char c) noexcept {
    skip_ows();
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
  }
  std::string_view token() noexcept {
    skip_ows();
    std::size_t n = 0;
    while (n < s.size() && is_tchar(s[n]))
      ++n;
    std::string_view t = s.substr(0, n);
    s.remove_prefix(n);
    return t;
  }
  // A quoted-string, unescaped into `out`. False when it is not closed.
  bool quoted(std::string& out) {
    skip_ows();
    if (s.empty() || s.front() != '"') return false;
    s.remove_prefix(1);
    while (!s.empty()) {
      char c = s.front();
      s.remove_prefix(1);
      if (c == '"') return true;
      if (c == '\\') {
        if (s.empty()) return false;
        c = s.front();
        s.remove_prefix(1);
      }
      out.push_back(c);
    }
    return false;
  }
  // Skips to after the next top-level comma (or the end): the rest of an
  // element that cannot be used.
  void skip_element() noexcept {
    bool in_quotes = false;
    while (!s.empty()) {
      char c = s.front();
      s.remove_prefix(1);
      if (in_quotes && c == '\\' && !s.empty()) {
        s.remove_prefix(1);
      } else if (c == '"') {
        in_quotes = !in_quotes;
      } else if (c == ',' && !in_quotes) {
        return;
      }
    }
  }
};

// "8".."15" exactly (no sign, no leading zero); 0 otherwise.
std::uint8_t window_bits(std::string_view v) noexcept {
  if (v.size() == 1 && v[0] >= '8' && v[0] <= '9') return static_cast<std::uint8_t>(v[0] - '0');
  if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5')
    return static_cast<std::uint8_t>(10 + v[1] - '0');
  return 0;
}

// Reads the parameters of one permessage-deflate offer up to the end of
// its element. nullopt when a parameter is unknown, repeated, or has an
// invalid value: the whole offer is then declined (RFC 7692 7.1).
std::optional<deflate_agreement> read_offer(cursor& c, const deflate_policy& policy) {
  bool seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
  bool valid = true;
  deflate_agreement a;
  a.server_no_context_takeover = !policy.server_context_takeover;
  a.client_no_context_takeover = !policy.client_context_takeover;
  while (c.eat(';')) {
    std::string_view name = c.token();
    std::string value;
    bool has_value = false;
    if (c.eat('=')) {
      has_value = true;
      c.skip_ows();
      if (!c.s.empty() && c.s.front() == '"') {
        if (!c.quoted(value)) return std::nullopt;
      } else {
        value = std::string(c.token());
      }
      if (value.empty()) valid = false;
    }
    if (name.empty()) {
      valid = false;
    } else if (iequals(name, "server_no_context_takeover")) {
      valid = valid && !seen_snct && !has_value;
      seen_snct = true;
      a.server_no_context_takeover = true;
    } else if (iequals(name, "client_no_context_takeover")) {
      valid = valid && !seen_cnct && !has_value;
      seen_cnct = true;
      a.client_no_context_takeover = true;
    } else if (iequals(name, "server_max_window_bits")) {
      std::uint8_t bits = has_value ? window_bits(value) : 0;
      // 8 is valid in the RFC but zlib's raw deflate needs at least 9.
      valid = valid && !seen_smwb && bits >= 9;
      seen_smwb = true;
      a.server_max_window_bits = bits;
    } else if (iequals(name, "client_max_window_bits")) {
      std::uint8_t bits = has_value ? window_bits(value) : 15;
      valid = valid && !seen_cmwb && bits != 0;
      seen_cmwb = true;
      a.client_max_window_bits = bits;
    } else {
      valid = false;  // unknown parameter
    }
  }
  c.skip_ows();
  if (!c.s.empty() && c.s.front() != ',') valid = false;  // junk after the parameters
  if (!valid) return std::nullopt;
  return a;
}

}  // namespace

std::optional<deflate_agreement> accept_deflate(std::string_view offers,
                                                const deflate_policy& policy) {
  cursor c{offers};
  while (true) {
    c.skip_ows();
    if (c.s.empty()) return std::nullopt;
    if (c.eat(',')) continue;  // empty list elements are allowed (RFC 7230 7)
    std::string_view name = c.token();
    if (!name.empty() && iequals(name, permessage_deflate_name)) {
      cursor probe = c;
      if (auto a = read_offer(probe, policy)) return a;
    }
    c.skip_element();
  }
}

std::string deflate_response(const deflate_agreement& a) {
  std::string r(permessage_deflate_name);
  if (a.server_no_context_takeover) r += "; server_no_context_takeover";
  if (a.client_no_context_takeover) r += "; client_no_context_takeover";
  if (a.server_max_window_bits < 15)
    r += "; server_max_window_bits=" + std::to_string(a.server_max_window_bits);
  if (a.client_max_window_bits && *a.client_max_window_bits < 15)
    r += "; client_max_window_bits=" + std::to_string(*a.client_max_window_bits);
  return r;
}

}  // namespace resock::wire
