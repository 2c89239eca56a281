// The backend HTTP API under <prefix>/api/ (docs/api.md): publish to a
// channel, send to a session, close a session, read the counters. Every
// request needs `Authorization: apikey <key>`; the API is off without a key.
#pragma once

#include <string_view>

#include "core/server_core.h"
#include "websocket/ws_server.h"

namespace resock {

[[nodiscard]] ws::api_response handle_api(core::server_core& core, std::string_view api_key,
                                          std::string_view prefix, const ws::api_request& req);

}  // namespace resock
