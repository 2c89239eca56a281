// Figure 1: plain WebSocket echo, resockd's /echo against the lws
// reference echo server under the same loads. Target: resockd at least
// 0.9x lws' messages/s on every load (DESIGN.md "How fast").
#include "figures.h"
#include "load.h"

namespace bench {

std::vector<load_spec> standard_loads(const bench_context& ctx) {
  load_spec small, large;
  small.connections = 100;
  small.in_flight = 16;
  small.size = 64;
  large.connections = 10;
  large.in_flight = 1;
  large.size = 64 * 1024;
  for (auto* s : {&small, &large}) {
    s->warmup_s = ctx.pick(0.3, 1);
    s->measure_s = ctx.pick(0.7, 3);
  }
  return {small, large};
}

void figure_echo(bench_context& ctx) {
  child_server resockd, lws;
  if (!ctx.start_resockd(resockd)) return ctx.setup_error("echo", resockd.error());
  if (!ctx.start_lws(lws)) return ctx.setup_error("echo", lws.error());
  constexpr double target = 0.9;
  for (load_spec spec : standard_loads(ctx)) {
    spec.target = {.port = resockd.port(), .path = "/echo", .protocol = ""};
    load_result ours = run_load(spec, resockd);
    spec.target = {.port = lws.port(), .path = "/", .protocol = ""};
    load_result ref = run_load(spec, lws);
    double ratio = ref.msgs_per_s > 0 ? ours.msgs_per_s / ref.msgs_per_s : 0;
    if (ours.ok) ctx.resockd_echo[load_name(spec)] = ours.msgs_per_s;
    if (!ours.ok || !ref.ok) ctx.any_error = true;
    json_line j;
    j.str("figure", "echo")
        .str("load", load_name(spec))
        .integer("connections", std::int64_t(spec.connections))
        .integer("in_flight", std::int64_t(spec.in_flight))
        .integer("size", std::int64_t(spec.size))
        .object("resockd", load_json(ours))
        .object("lws", load_json(ref))
        .num("ratio", ratio, 3)
        .num("target", target, 1)
        .boolean("ok", ours.ok && ref.ok && ratio >= target);
    j.print();
  }
  resockd.stop();
  lws.stop();
}

}  // namespace bench
