#include "hub/router.h"

#include <utility>

namespace resock::hub {

void router::add(std::string name, handler h) {
  if (!h) {
    routes_.erase(name);
    return;
  }
  routes_.insert_or_assign(std::move(name), std::move(h));
}

const router::handler* router::find(std::string_view route) const {
  if (!route.empty()) {
    auto it = routes_.find(route);
    if (it != routes_.end()) return &it->second;
  }
  return default_ ? &default_ : nullptr;
}

}  // namespace resock::hub
