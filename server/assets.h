// The demo page and the JS client, embedded at build time (embed.cmake
// generates assets.cpp from server/demo/index.html and clients/js/resock.js)
// so that resockd is one file to deploy.
#pragma once

#include <string_view>

namespace resockd::assets {

extern const std::string_view demo_html;  // served at "/"
extern const std::string_view resock_js;  // served at "/resock.js"

}  // namespace resockd::assets
