// What the driver reads about resockd from outside, as an operator would:
// VmRSS and liveness from /proc, gauges from GET /metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace load {

// VmRSS in KiB, or -1 when the process is gone.
[[nodiscard]] long rss_kb(int pid);
// RssAnon in KiB (the heap and other private memory, without the code
// pages that VmRSS also counts), or -1.
[[nodiscard]] long rss_anon_kb(int pid);
// User + system CPU seconds of the process, or -1.
[[nodiscard]] double cpu_seconds(int pid);
// True while the process exists and is not a zombie.
[[nodiscard]] bool alive(int pid);
// The body of GET `path` on 127.0.0.1:port, or nullopt on any failure
// (including a non-200 status).
[[nodiscard]] std::optional<std::string> http_get(std::uint16_t port, const std::string& path);
// The value of an unlabelled Prometheus sample `name` in `text`.
[[nodiscard]] std::optional<double> metric(const std::string& text, const std::string& name);

}  // namespace load
