#include "hub/rights.h"

namespace resock::hub {

bool channel_allowed(const std::vector<std::string>& patterns, std::string_view channel) noexcept {
  if (patterns.empty()) return true;
  for (const auto& p : patterns) {
    std::string_view pat = p;
    if (!pat.empty() && pat.back() == '*') {
      if (channel.starts_with(pat.substr(0, pat.size() - 1))) return true;
    } else if (pat == channel) {
      return true;
    }
  }
  return false;
}

}  // namespace resock::hub
