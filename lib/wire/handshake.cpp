// The opening handshake of RFC 6455 sections 4.1-4.2. OpenSSL provides
// SHA-1, base64 and the CSPRNG; everything else is string checks.
#include "resock/wire/handshake.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>

namespace resock::wire {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::size_t kAcceptSize = 28;  // base64 of a 20-byte SHA-1

// Writes the accept key into `out` without allocating, so the noexcept
// response check cannot run out of memory. False when OpenSSL fails.
bool compute_accept(std::string_view key, std::array<char, kAcceptSize + 1>& out) noexcept {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, key.data(), key.size()) == 1 &&
            EVP_DigestUpdate(ctx, kGuid.data(), kGuid.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, digest, &len) == 1 && len == 20;
  EVP_MD_CTX_free(ctx);
  if (!ok) return false;
  return EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, 20) ==
         static_cast<int>(kAcceptSize);
}

// Value of a base64 digit, or -1.
int b64_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
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

// Pops the next element of a comma-separated list; commas inside a
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

// An extension's name: the list element up to its parameters.
std::string_view extension_name(std::string_view element) noexcept {
  return trim_ows(element.substr(0, element.find(';')));
}

// Subprotocol names are compared exactly: RFC 6455 leaves their case to
// the application, so "Chat" and "chat" are different protocols.
bool list_contains_exact(std::string_view list, std::string_view item) noexcept {
  while (!list.empty())
    if (trim_ows(next_element(list)) == item) return true;
  return false;
}

bool offers_extension(std::string_view offered, std::string_view name) noexcept {
  while (!offered.empty())
    if (iequals(extension_name(next_element(offered)), name)) return true;
  return false;
}

errc check_extensions(const http_head& response, std::string_view offered) noexcept {
  for (const auto& h : response.headers) {
    if (!iequals(h.name, "Sec-WebSocket-Extensions")) continue;
    std::string_view list = h.value;
    while (!list.empty()) {
      std::string_view name = extension_name(next_element(list));
      // Empty elements are legal list syntax (RFC 9110 5.6.1), not a choice.
      if (name.empty()) continue;
      if (!offers_extension(offered, name)) return errc::handshake_unoffered_extension;
    }
  }
  return errc::ok;
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

const char* reason_phrase(int status) noexcept {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

}  // namespace

std::string accept_key(std::string_view client_key) {
  std::array<char, kAcceptSize + 1> out{};
  if (!compute_accept(client_key, out)) return {};
  return std::string(out.data(), kAcceptSize);
}

std::string make_client_key() {
  unsigned char raw[16];
  // A broken CSPRNG must not yield a predictable key: return nothing and
  // let the (then invalid) handshake fail instead.
  if (RAND_bytes(raw, sizeof raw) != 1) return {};
  std::array<char, 25> out{};
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), raw, sizeof raw);
  return std::string(out.data(), 24);
}

bool is_valid_client_key(std::string_view key) noexcept {
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
  for (std::size_t i = 0; i < 22; ++i)
    if (b64_value(key[i]) < 0) return false;
  // 16 bytes use only the top 2 bits of the 22nd digit; non-zero low bits
  // mean a non-canonical encoding (RFC 4648 3.5), not 16 bytes.
  return (b64_value(key[21]) & 0x0f) == 0;
}

errc validate_upgrade_request(const http_head& request, upgrade_request& out) noexcept {
  if (request.method != "GET") return errc::handshake_not_get;
  if (request.version_major < 1 || (request.version_major == 1 && request.version_minor < 1))
    return errc::handshake_http_version;
  // Several Host fields make the authority ambiguous: RFC 9112 3.2 demands 400.
  std::size_t hosts = request.count("Host");
  if (hosts > 1) return errc::http_malformed;
  std::string_view host = request.find("Host");
  if (hosts == 0 || host.empty()) return errc::handshake_no_host;
  if (!request.has_token("Upgrade", "websocket")) return errc::handshake_no_upgrade;
  if (!request.has_token("Connection", "upgrade")) return errc::handshake_no_connection;
  if (request.count("Sec-WebSocket-Version") != 1 || request.find("Sec-WebSocket-Version") != "13")
    return errc::handshake_bad_version;
  std::size_t keys = request.count("Sec-WebSocket-Key");
  if (keys == 0) return errc::handshake_no_key;
  std::string_view key = request.find("Sec-WebSocket-Key");
  if (keys != 1 || !is_valid_client_key(key)) return errc::handshake_bad_key;
  out.key = key;
  out.host = host;
  out.origin = request.find("Origin");
  out.protocols = request.find("Sec-WebSocket-Protocol");
  out.extensions = request.find("Sec-WebSocket-Extensions");
  return errc::ok;
}

int http_status_for(errc e) noexcept {
  switch (e) {
    case errc::handshake_bad_version:
      return 426;
    case errc::handshake_not_get:
      return 405;
    case errc::http_head_too_large:
    case errc::http_too_many_headers:
      return 431;
    default:
      return 400;
  }
}

errc validate_upgrade_response(const http_head& response, std::string_view sent_key,
                               std::string_view offered_protocols,
                               std::string_view offered_extensions) noexcept {
  if (response.status != 101) return errc::handshake_bad_status;
  if (!response.has_token("Upgrade", "websocket")) return errc::handshake_no_upgrade;
  if (!response.has_token("Connection", "upgrade")) return errc::handshake_no_connection;
  std::array<char, kAcceptSize + 1> expected{};
  if (response.count("Sec-WebSocket-Accept") != 1 || !compute_accept(sent_key, expected) ||
      response.find("Sec-WebSocket-Accept") != std::string_view(expected.data(), kAcceptSize))
    return errc::handshake_bad_accept;
  // A server picks at most one subprotocol (RFC 6455 4.2.2, item 5.4).
  std::size_t protocols = response.count("Sec-WebSocket-Protocol");
  if (protocols > 1) return errc::handshake_unoffered_protocol;
  if (protocols == 1) {
    std::string_view chosen = response.find("Sec-WebSocket-Protocol");
    if (chosen.empty() || !list_contains_exact(offered_protocols, chosen))
      return errc::handshake_unoffered_protocol;
  }
  return check_extensions(response, offered_extensions);
}

std::string build_upgrade_request(std::string_view host, std::string_view path,
                                  std::string_view key, std::string_view protocols,
                                  std::string_view extensions, std::string_view extra_headers) {
  std::string out;
  out.reserve(160 + host.size() + path.size() + key.size() + protocols.size() + extensions.size() +
              extra_headers.size());
  out.append("GET ").append(path.empty() ? std::string_view("/") : path).append(" HTTP/1.1\r\n");
  append_header(out, "Host", host);
  append_header(out, "Upgrade", "websocket");
  append_header(out, "Connection", "Upgrade");
  append_header(out, "Sec-WebSocket-Key", key);
  append_header(out, "Sec-WebSocket-Version", "13");
  if (!protocols.empty()) append_header(out, "Sec-WebSocket-Protocol", protocols);
  if (!extensions.empty()) append_header(out, "Sec-WebSocket-Extensions", extensions);
  out.append(extra_headers).append("\r\n");
  return out;
}

std::string build_upgrade_response(std::string_view key, std::string_view protocol,
                                   std::string_view extensions) {
  std::string out;
  out.reserve(160 + protocol.size() + extensions.size());
  out.append("HTTP/1.1 101 Switching Protocols\r\n");
  append_header(out, "Upgrade", "websocket");
  append_header(out, "Connection", "Upgrade");
  append_header(out, "Sec-WebSocket-Accept", accept_key(key));
  if (!protocol.empty()) append_header(out, "Sec-WebSocket-Protocol", protocol);
  if (!extensions.empty()) append_header(out, "Sec-WebSocket-Extensions", extensions);
  out.append("\r\n");
  return out;
}

std::string build_rejection(int status, std::string_view body) {
  // Anything outside the three-digit range would be an invalid status line.
  if (status < 100 || status > 999) status = 500;
  std::string out;
  out.reserve(192 + body.size());
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ");
  out.append(reason_phrase(status)).append("\r\n");
  append_header(out, "Content-Type", "text/plain");
  append_header(out, "Content-Length", std::to_string(body.size()));
  append_header(out, "Connection", "close");
  // RFC 9110 15.5.6 requires Allow in a 405; the handshake only accepts GET.
  if (status == 405) append_header(out, "Allow", "GET");
  // RFC 6455 4.2.2 item 4: name the version the server does speak.
  // RFC 9110 15.5.22: a 426 MUST say which protocol to upgrade to.
  if (status == 426) {
    append_header(out, "Sec-WebSocket-Version", "13");
    append_header(out, "Upgrade", "websocket");
  }
  out.append("\r\n").append(body);
  return out;
}

}  // namespace resock::wire
