// The Prometheus text exposition (format 0.0.4) of a server's counters,
// served at GET /metrics. Kept apart from server.cpp so the names and
// labels, which dashboards depend on, are in one place.
#pragma once

#include <string>

#include "core/server_core.h"
#include "websocket/ws_server.h"

namespace resock {

[[nodiscard]] std::string render_metrics(const core::server_stats& core,
                                         const ws::transport_counters& transport);

}  // namespace resock
