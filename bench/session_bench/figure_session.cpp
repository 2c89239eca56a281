// Figure 2: session messages. The echo figure's loads as msg envelopes
// through resockd's <prefix>/ws (subprotocol resock.v1) to the "count"
// route, which answers each with a server msg; acks every 64. Target: at
// least half of resockd's plain echo messages/s on the same load.
//
// The "count" reply is small whatever the request size, so on the 64 KiB
// load the payload crosses once, not twice as in the echo figure.
#include "figures.h"
#include "load.h"

namespace bench {

void figure_session(bench_context& ctx) {
  child_server resockd;
  if (!ctx.start_resockd(resockd)) return ctx.setup_error("session", resockd.error());
  constexpr double target = 0.5;
  for (load_spec spec : standard_loads(ctx)) {
    // The baseline comes from the echo figure of this run when it ran;
    // with --only session it is measured here on the same resockd.
    std::string source = "echo figure";
    double echo_rate = 0;
    if (auto it = ctx.resockd_echo.find(load_name(spec)); it != ctx.resockd_echo.end()) {
      echo_rate = it->second;
    } else {
      source = "measured here";
      spec.target = {.port = resockd.port(), .path = "/echo", .protocol = ""};
      load_result echo = run_load(spec, resockd);
      if (echo.ok) echo_rate = echo.msgs_per_s;
    }
    spec.session = true;
    spec.target = {.port = resockd.port(), .path = "/rs/ws", .protocol = "resock.v1"};
    load_result r = run_load(spec, resockd);
    double ratio = echo_rate > 0 ? r.msgs_per_s / echo_rate : 0;
    if (!r.ok) ctx.any_error = true;
    json_line j;
    j.str("figure", "session")
        .str("load", load_name(spec))
        .integer("connections", std::int64_t(spec.connections))
        .integer("in_flight", std::int64_t(spec.in_flight))
        .integer("size", std::int64_t(spec.size))
        .str("route", "count")
        .object("resockd", load_json(r))
        .num("echo_msgs_per_s", echo_rate, 0)
        .str("echo_source", source)
        .num("ratio", ratio, 3)
        .num("target", target, 1)
        .boolean("ok", r.ok && echo_rate > 0 && ratio >= target);
    j.print();
  }
  resockd.stop();
}

}  // namespace bench
