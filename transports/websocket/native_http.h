// What the native WebSocket server answers to a request head: a 101 for a
// valid upgrade to one of its WebSocket endpoints, a fixed resource, or an
// HTTP error. Pure functions over a parsed head (no I/O), so every answer
// is testable without a socket. Private to transports/websocket/.
//
// Non-WebSocket requests are answered here from the few static resources
// the server is given (<prefix>/info, the demo page). The long-term plan of
// DESIGN.md hands them to lws (lws_adopt_socket_vhost_readbuf()) once the
// HTTP fallback transports exist; until then lws would only add a second
// HTTP stack on the data path for three fixed answers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "resock/error.h"
#include "resock/wire/http_head.h"
#include "resock/wire/permessage_deflate.h"
#include "websocket/ws_server.h"

namespace resock::ws {

// Which WebSocket endpoint a request upgraded to.
enum class endpoint : std::uint8_t { none, session, echo };

struct request_routes {
  std::string_view ws_path;  // <prefix>/ws
  bool echo = false;         // /echo served
  const std::map<std::string, static_resource, std::less<>>* resources = nullptr;
  bool stopping = false;                                  // every request gets 503
  bool deflate = false;                                   // accept permessage-deflate offers
  const std::vector<std::string>* origins = nullptr;      // allowed; empty/null: any
  const std::function<std::string()>* metrics = nullptr;  // GET /metrics when set
  bool api = false;  // <prefix>/api/... is read whole and goes to the API handler
  std::size_t api_max_body = 0;
};

struct head_answer {
  endpoint upgrade = endpoint::none;               // not none: `response` is the 101
  std::string response;                            // the bytes to write
  int status = 0;                                  // for the log
  std::string_view reason;                         // static text for the log (errors only)
  std::optional<wire::deflate_agreement> deflate;  // negotiated permessage-deflate
  bool api = false;  // an API request: read api_body_length bytes, then answer
  std::size_t api_body_length = 0;
};

// The HTTP answer carrying an API handler's response.
[[nodiscard]] std::string api_answer(const api_response& r);

// The answer to a complete request head. Of the extensions a client
// offers only permessage-deflate is accepted, when routes.deflate.
[[nodiscard]] head_answer answer_request(const wire::http_head& head, const request_routes& routes);

// The answer to a connection refused before its request was read
// (503 server full, 429 too many connections from one address).
[[nodiscard]] head_answer answer_refused(int status);

// The answer to plain HTTP sent to a TLS port (its first byte was not a
// TLS record): 400 in plain text, which the client can read.
[[nodiscard]] std::string answer_plain_to_tls();

// The answer to a head the parser refused (malformed, too large).
[[nodiscard]] head_answer answer_bad_head(errc e);

// The request-target without its query ("/rs/ws?x=1" -> "/rs/ws").
[[nodiscard]] std::string_view path_of(std::string_view target) noexcept;

// The token of "Authorization: Bearer <token>" (scheme case-insensitive),
// or empty for any other scheme.
[[nodiscard]] std::string_view bearer_token(std::string_view authorization) noexcept;

}  // namespace resock::ws
