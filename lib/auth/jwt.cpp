// HS256 JWT verification: split, base64url-decode, check the header's
// algorithm, check the MAC in constant time, then read the claims.
#include "resock/jwt.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cmath>
#include <memory>

namespace resock {
namespace {

constexpr std::size_t k_max_token = 8192;
constexpr std::size_t k_max_channel = 256;

int b64url_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Unpadded base64url (RFC 7515 2); false on any other character, on a
// length that cannot occur, or on non-zero bits left over at the end.
bool b64url_decode(std::string_view in, std::string& out) {
  if (in.size() % 4 == 1) return false;
  out.clear();
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = b64url_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return (acc & ((1u << bits) - 1)) == 0;  // canonical: unused bits are zero
}

std::string b64url_encode(std::string_view in) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(digits[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(digits[(acc << (6 - bits)) & 63]);
  return out;
}

bool hmac_sha256(std::string_view key, std::string_view data, unsigned char (&out)[32]) {
  unsigned int len = 0;
  return HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
              &len) != nullptr &&
         len == 32;
}

struct json_deleter {
  void operator()(cJSON* j) const noexcept { cJSON_Delete(j); }
};
using json_ptr = std::unique_ptr<cJSON, json_deleter>;

json_ptr parse_object(const std::string& text) {
  json_ptr j(cJSON_ParseWithLength(text.data(), text.size()));
  if (!j || !cJSON_IsObject(j.get())) return nullptr;
  return j;
}

// A NumericDate (RFC 7519 2): a finite number of seconds; fractions allowed.
bool numeric_date(const cJSON* item, double& out) {
  if (!cJSON_IsNumber(item) || !std::isfinite(item->valuedouble)) return false;
  out = item->valuedouble;
  return true;
}

jwt_result fail(const char* why) {
  jwt_result r;
  r.error = why;
  return r;
}

}  // namespace

jwt_result verify_jwt_hs256(std::string_view token, std::string_view secret, std::int64_t now,
                            std::chrono::seconds skew) {
  if (secret.empty()) return fail("no secret configured");
  if (token.empty()) return fail("no token");
  if (token.size() > k_max_token) return fail("token too long");
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return fail("malformed");
  std::string header_text, claims_text, signature;
  if (!b64url_decode(token.substr(0, dot1), header_text) ||
      !b64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1), claims_text) ||
      !b64url_decode(token.substr(dot2 + 1), signature))
    return fail("malformed");

  // The algorithm is ours to choose, the header only has to agree.
  json_ptr header = parse_object(header_text);
  if (!header) return fail("malformed");
  const cJSON* alg = cJSON_GetObjectItemCaseSensitive(header.get(), "alg");
  if (!cJSON_IsString(alg) || std::string_view(alg->valuestring) != "HS256")
    return fail("algorithm not HS256");
  if (cJSON_GetObjectItemCaseSensitive(header.get(), "crit") != nullptr)
    return fail("unsupported critical header");

  unsigned char mac[32];
  if (!hmac_sha256(secret, token.substr(0, dot2), mac)) return fail("hmac failed");
  if (signature.size() != sizeof mac || CRYPTO_memcmp(mac, signature.data(), sizeof mac) != 0)
    return fail("bad signature");

  json_ptr claims = parse_object(claims_text);
  if (!claims) return fail("malformed claims");
  const double slack = static_cast<double>(skew.count());
  double exp = 0, nbf = 0;
  const cJSON* exp_item = cJSON_GetObjectItemCaseSensitive(claims.get(), "exp");
  if (exp_item == nullptr) return fail("no exp");
  if (!numeric_date(exp_item, exp)) return fail("malformed exp");
  if (static_cast<double>(now) >= exp + slack) return fail("expired");
  const cJSON* nbf_item = cJSON_GetObjectItemCaseSensitive(claims.get(), "nbf");
  if (nbf_item != nullptr) {
    if (!numeric_date(nbf_item, nbf)) return fail("malformed nbf");
    if (static_cast<double>(now) + slack < nbf) return fail("not yet valid");
  }
  const cJSON* sub = cJSON_GetObjectItemCaseSensitive(claims.get(), "sub");
  if (!cJSON_IsString(sub) || sub->valuestring[0] == '\0') return fail("no sub");

  jwt_result r;
  r.claims.sub = sub->valuestring;
  const cJSON* channels = cJSON_GetObjectItemCaseSensitive(claims.get(), "channels");
  if (channels != nullptr) {
    if (!cJSON_IsArray(channels)) return fail("malformed channels");
    std::vector<std::string> list;
    const cJSON* ch = nullptr;
    cJSON_ArrayForEach(ch, channels) {
      if (!cJSON_IsString(ch)) return fail("malformed channels");
      std::string_view name(ch->valuestring);
      if (name.empty() || name.size() > k_max_channel) return fail("malformed channels");
      list.emplace_back(name);
    }
    r.claims.channels = std::move(list);
  }
  r.ok = true;
  return r;
}

std::string sign_jwt_hs256(std::string_view claims_json, std::string_view secret) {
  std::string token = b64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  token += '.';
  token += b64url_encode(claims_json);
  unsigned char mac[32];
  if (!hmac_sha256(secret, token, mac)) return {};
  token += '.';
  token += b64url_encode({reinterpret_cast<const char*>(mac), sizeof mac});
  return token;
}

}  // namespace resock
