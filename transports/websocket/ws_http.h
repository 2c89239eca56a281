// The plain HTTP side of the WebSocket server's port: fixed resources
// (<prefix>/info, the demo page) answered to GET, everything else 404.
// The headers go out from LWS_CALLBACK_HTTP and the body from the next
// HTTP_WRITEABLE, one lws_write each (STYLE.md 3).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "websocket/ws_server.h"

struct lws;

namespace resock::ws {

using resource_map = std::map<std::string, static_resource, std::less<>>;

// Per-connection HTTP state, inside lws' per-session data.
struct http_state {
  const static_resource* pending = nullptr;  // body still to write
  bool head_only = false;
};

// LWS_CALLBACK_HTTP. Returns what the callback returns.
int http_request(lws* wsi, http_state& st, std::string_view uri, const resource_map& resources,
                 bool stopping);
// LWS_CALLBACK_HTTP_WRITEABLE.
int http_writeable(lws* wsi, http_state& st);

}  // namespace resock::ws
