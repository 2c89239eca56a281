// Channel rights of a session (connect_result::channels): exact names and
// "prefix:*" patterns; an empty list allows every channel.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace resock::hub {

// True when `channel` matches one of `patterns`. A pattern ending in "*"
// matches every channel that starts with the text before the "*" (so
// "room:*" matches "room:1" but not "room"; a lone "*" matches all).
[[nodiscard]] bool channel_allowed(const std::vector<std::string>& patterns,
                                   std::string_view channel) noexcept;

}  // namespace resock::hub
