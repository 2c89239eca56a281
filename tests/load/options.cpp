#include "options.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace load {
namespace {

const char* help_text = R"(resockd_load_driver — 2,000 sessions and four attacks against one resockd

Usage: resockd_load_driver --port N --pid N --log PATH [options]
  --port N, --pid N      the running resockd's port and process id
  --log PATH             its stderr (the driver tails it for its events)
  --sessions N [2000]    well-behaved sessions     --rooms N [40] channels among them
  --rate R [500]         room publishes/s in all   --duration S [30] the attack window
  --busy-rate R [100]    publishes/s to "busy"     --busy-size B [16384] their bytes
  --busy-subscribers N [8]  well-behaved sessions also on "busy"
  --setup-rate R [400]   new sessions/s at the start (below --conn-rate-per-ip)
  --storm N [1000]       clients per reconnect storm   --storm-rounds N [4]
  --malformed N [4]      flooding sessions   --slowloris N [8] crawling connections
  --handshake-timeout MS [2000] --slow-consumer MS [2000] --session-ttl MS [5000]
  --max-message B [65536]       resockd's settings (the checks use them)
  --settle S [3]         wait after the TTL before the last RSS sample
  --rss-check 0|1 [1]    check VmRSS after within 10% of before (0: report only)
Prints one summary line and a line per failed check; exit 0 when every check held.
)";

}  // namespace

bool parse_options(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help") {
      std::fputs(help_text, stdout);
      std::exit(0);
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "resockd_load_driver: %s needs a value (see --help)\n", argv[i]);
      return false;
    }
    const char* v = argv[++i];
    double d = std::strtod(v, nullptr);
    auto n = std::size_t(d);
    if (a == "--port")
      o.port = std::uint16_t(n);
    else if (a == "--pid")
      o.pid = int(n);
    else if (a == "--log")
      o.log = v;
    else if (a == "--sessions")
      o.sessions = n;
    else if (a == "--rooms")
      o.rooms = n;
    else if (a == "--rate")
      o.rate = d;
    else if (a == "--busy-rate")
      o.busy_rate = d;
    else if (a == "--busy-size")
      o.busy_size = n;
    else if (a == "--busy-subscribers")
      o.busy_subscribers = n;
    else if (a == "--duration")
      o.duration_s = d;
    else if (a == "--setup-rate")
      o.setup_rate = d;
    else if (a == "--storm")
      o.storm = n;
    else if (a == "--storm-rounds")
      o.storm_rounds = int(n);
    else if (a == "--malformed")
      o.malformed = n;
    else if (a == "--slowloris")
      o.slowloris = n;
    else if (a == "--handshake-timeout")
      o.handshake_timeout_ms = n;
    else if (a == "--slow-consumer")
      o.slow_consumer_ms = n;
    else if (a == "--session-ttl")
      o.session_ttl_ms = n;
    else if (a == "--max-message")
      o.max_message = n;
    else if (a == "--settle")
      o.settle_s = d;
    else if (a == "--rss-check")
      o.check_rss = n != 0;
    else {
      std::fprintf(stderr, "resockd_load_driver: unknown option %s (see --help)\n", argv[i - 1]);
      return false;
    }
  }
  if (o.port == 0 || o.pid <= 0 || o.log.empty() || o.sessions == 0 || o.rooms == 0 ||
      o.rooms > o.sessions || o.storm_rounds < 1) {
    std::fprintf(stderr,
                 "resockd_load_driver: --port, --pid and --log are required (see --help)\n");
    return false;
  }
  return true;
}

}  // namespace load
