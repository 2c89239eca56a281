// run_case: one case on its own libuv loop, from connect to verdicts.
#include "compliance/engine/engine.h"

#include <cassert>
#include <cstdio>
#include <exception>
#include <memory>

#include "compliance/engine/fuzzer.h"
#include "compliance/engine/recorder.h"
#include "compliance/engine/timer_pool.h"

namespace resock::conformance {

namespace {

using engine_detail::fuzzer;
using engine_detail::fuzzer_setup;
using engine_detail::timer_pool;

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

void copy_case(const test_case& tc, case_result& r) {
  r.behavior = tc.behavior;
  r.behavior_close = tc.behavior_close;
  r.result = tc.result;
  r.result_close = tc.result_close;
  r.expected = tc.expected;
  r.expect_close = tc.expect_close;
  r.received = tc.received;
  r.report_time = tc.report_time;
}

// Closes whatever a bug left open so uv_loop_close can succeed.
void close_leftovers(uv_loop_t* loop) {
  uv_walk(
      loop,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(loop, UV_RUN_DEFAULT);
}

void run(const server_target& target, const case_info& info, const engine_options& options,
         case_result& r) {
  parsed_url url;
  std::string error;
  if (!parse_ws_url(target.url, url, error)) {
    r.engine_error = error;
    return;
  }
  std::unique_ptr<test_case> tc = info.make ? info.make() : nullptr;
  if (!tc) {
    r.engine_error = "case " + info.id + " has no script";
    return;
  }

  uv_loop_t loop;
  if (const int rc = uv_loop_init(&loop); rc != 0) {
    r.engine_error = std::string("uv_loop_init: ") + uv_strerror(rc);
    return;
  }
  const std::uint64_t start_ns = uv_hrtime();
  r.started = engine_detail::iso_utc_now();
  {
    timer_pool timers(&loop);
    fuzzer_setup setup{target, url, options, info.raw};
    fuzzer fz(&loop, timers, *tc, r, std::move(setup), start_ns);
    const double bound = info.hard_timeout_s * options.hard_timeout_scale;
    timers.start(bound, [&fz, bound] {
      fz.abort_run("case did not finish within " + seconds_text(bound) + " s");
    });
    fz.start();
    uv_run(&loop, UV_RUN_DEFAULT);

    try {
      tc->on_connection_lost(fz.close_info());
    } catch (const std::exception& e) {
      if (r.engine_error.empty()) r.engine_error = std::string("case verdict threw: ") + e.what();
    } catch (...) {
      if (r.engine_error.empty()) r.engine_error = "case verdict threw";
    }
    copy_case(*tc, r);
    r.close = fz.close_info();
    // Autobahn measures from onOpen; a case that never opened is measured
    // from the start of the connection instead of from the epoch.
    const double from = fz.open_ms() >= 0 ? fz.open_ms() : 0;
    r.duration_ms = fz.lost_ms() >= 0 ? fz.lost_ms() - from : 0;
    if (r.agent.empty())
      r.agent = fz.server_header().empty() ? "UnknownServer" : fz.server_header();
  }
  int rc = uv_loop_close(&loop);
  assert(rc == 0 && "a libuv handle outlived its case");
  if (rc != 0) {
    close_leftovers(&loop);
    rc = uv_loop_close(&loop);
    if (r.engine_error.empty()) r.engine_error = "internal: libuv handles left open after the case";
  }
}

}  // namespace

case_result run_case(const server_target& target, const case_info& info,
                     const engine_options& options) {
  case_result r;
  r.agent = target.agent;
  r.id = info.id;
  r.index = case_index(info.id);
  r.description = info.description;
  r.expectation = info.expectation;
  r.http_response = "";
  try {
    run(target, info, options, r);
  } catch (const std::exception& e) {
    if (r.engine_error.empty()) r.engine_error = std::string("engine: ") + e.what();
  } catch (...) {
    if (r.engine_error.empty()) r.engine_error = "engine: unknown exception";
  }
  if (r.http_response.empty()) r.http_response = "?";
  if (!r.engine_error.empty()) {
    r.behavior = verdict::failed;
    r.behavior_close = verdict::failed;
  }
  if (r.result.empty()) r.result = "Actual events differ from any expected.";
  if (r.result_close.empty())
    r.result_close = "The WebSocket opening handshake was never completed!";
  return r;
}

}  // namespace resock::conformance
