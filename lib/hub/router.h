// Client messages to handlers: "r" names a route; a message without "r",
// or to a route nobody registered, goes to the default handler; with no
// default handler the sender gets error unknown_route.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "resock/session.h"

namespace resock::hub {

class router {
 public:
  using handler = std::function<void(const message&)>;

  // Registers (or replaces) the handler of `name`; an empty handler
  // removes the route.
  void add(std::string name, handler h);
  void set_default(handler h) { default_ = std::move(h); }

  // The handler for `route` (empty: the default one), or null when there
  // is none.
  [[nodiscard]] const handler* find(std::string_view route) const;

 private:
  struct hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, handler, hash, std::equal_to<>> routes_;
  handler default_;
};

}  // namespace resock::hub
