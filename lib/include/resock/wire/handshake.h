// The WebSocket opening handshake (RFC 6455 sections 4.1, 4.2.1, 4.2.2):
// the accept key, and checks of the client's request and the server's
// response that the servers, clients and the conformance suite share.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "resock/config.h"
#include "resock/error.h"
#include "resock/wire/http_head.h"

namespace resock::wire {

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")), 28 chars.
[[nodiscard]] RESOCK_API std::string accept_key(std::string_view client_key);

// A fresh Sec-WebSocket-Key: base64 of 16 random bytes (OpenSSL RAND).
[[nodiscard]] RESOCK_API std::string make_client_key();

// True when `key` is 24 chars of base64 that decode to exactly 16 bytes.
[[nodiscard]] RESOCK_API bool is_valid_client_key(std::string_view key) noexcept;

// What a valid upgrade request asked for; views into the parsed head.
struct upgrade_request {
  std::string_view key;
  std::string_view host;
  std::string_view origin;      // empty when absent
  std::string_view protocols;   // raw Sec-WebSocket-Protocol list, may be empty
  std::string_view extensions;  // raw Sec-WebSocket-Extensions list, may be empty
};

// Checks a request head against RFC 6455 4.2.1: GET, HTTP/1.1 or later,
// Host, Upgrade: websocket, Connection: upgrade (token in a list),
// Sec-WebSocket-Key valid, Sec-WebSocket-Version: 13.
// Returns errc::ok and fills `out`, or one of the handshake_* errors.
[[nodiscard]] RESOCK_API errc validate_upgrade_request(const http_head& request,
                                                       upgrade_request& out) noexcept;

// The HTTP status a server answers a failed check with: 426 for
// handshake_bad_version (with "Sec-WebSocket-Version: 13"), 405 for
// handshake_not_get, 431 for oversized heads, 400 otherwise.
[[nodiscard]] RESOCK_API int http_status_for(errc e) noexcept;

// Checks a response head against RFC 6455 4.1 (client side): status 101,
// Upgrade/Connection tokens, the accept key for `sent_key`, and that a
// chosen subprotocol / extensions were among those offered (comma-separated
// lists as sent in the request; extension parameters are ignored).
[[nodiscard]] RESOCK_API errc validate_upgrade_response(const http_head& response,
                                                        std::string_view sent_key,
                                                        std::string_view offered_protocols,
                                                        std::string_view offered_extensions) noexcept;

// The request a client sends. `extra_headers` is appended verbatim (each
// line ending in \r\n).
[[nodiscard]] RESOCK_API std::string build_upgrade_request(std::string_view host,
                                                           std::string_view path,
                                                           std::string_view key,
                                                           std::string_view protocols = {},
                                                           std::string_view extensions = {},
                                                           std::string_view extra_headers = {});

// A 101 response for `key`, with the chosen protocol/extensions if any.
[[nodiscard]] RESOCK_API std::string build_upgrade_response(std::string_view key,
                                                            std::string_view protocol = {},
                                                            std::string_view extensions = {});

// A rejection: status line, Content-Length, Connection: close, plus
// Sec-WebSocket-Version: 13 for 426. `body` is sent as text/plain.
[[nodiscard]] RESOCK_API std::string build_rejection(int status, std::string_view body);

}  // namespace resock::wire
