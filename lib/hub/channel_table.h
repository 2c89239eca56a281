// Which local members (sessions of this node) are subscribed to which
// channel. Subscriptions are idempotent; join/leave report when a channel
// gains its first or loses its last member so the caller can tell the
// broker (node-level subscribe/unsubscribe).
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace resock::hub {

template <class Member>
class channel_table {
 public:
  struct join_result {
    bool added = false;  // false: already a member
    bool first = false;  // the channel had no member before
  };
  struct leave_result {
    bool removed = false;  // false: was not a member
    bool last = false;     // the channel has no member now
  };

  join_result join(std::string_view channel, Member m) {
    auto it = channels_.find(channel);
    if (it == channels_.end()) {
      channels_.emplace(std::string(channel), std::vector<Member>{m});
      return {true, true};
    }
    auto& v = it->second;
    if (std::find(v.begin(), v.end(), m) != v.end()) return {false, false};
    v.push_back(m);
    return {true, false};
  }

  leave_result leave(std::string_view channel, Member m) {
    auto it = channels_.find(channel);
    if (it == channels_.end()) return {false, false};
    auto& v = it->second;
    auto pos = std::find(v.begin(), v.end(), m);
    if (pos == v.end()) return {false, false};
    // Order of members does not matter: swap-and-pop keeps leave O(1)
    // after the search.
    *pos = v.back();
    v.pop_back();
    if (!v.empty()) return {true, false};
    channels_.erase(it);
    return {true, true};
  }

  // The members of `channel` (empty when none). Invalidated by join/leave:
  // copy it before calling code that may subscribe or unsubscribe.
  [[nodiscard]] const std::vector<Member>& members(std::string_view channel) const {
    static const std::vector<Member> kNone;
    auto it = channels_.find(channel);
    return it == channels_.end() ? kNone : it->second;
  }

  [[nodiscard]] bool contains(std::string_view channel, Member m) const {
    const auto& v = members(channel);
    return std::find(v.begin(), v.end(), m) != v.end();
  }

  [[nodiscard]] std::size_t channel_count() const noexcept { return channels_.size(); }
  // f(name, member count) for every channel, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [name, members] : channels_)
      f(std::string_view(name), members.size());
  }

 private:
  // Transparent hashing: lookups by string_view without building a string.
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::vector<Member>, hash, std::equal_to<>> channels_;
};

}  // namespace resock::hub
