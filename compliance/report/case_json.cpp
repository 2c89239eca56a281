#include <cmath>

#include "compliance/report/json_writer.h"
#include "compliance/report/parts.h"
#include "compliance/report/render.h"

namespace resock::conformance::report_detail {
namespace {

using json::value;

value str(std::string_view s) {
  return value::string(std::string(s));
}
value num(double n) {
  return value::number(n);
}
value flag(bool b) {
  return value::boolean(b);
}
template <typename T>
value optional_num(const std::optional<T>& n) {
  return n ? value::number(static_cast<double>(*n)) : value::null();
}
value optional_str(const std::optional<std::string>& s) {
  return s ? value::string(*s) : value::null();
}

value events_json(const event_list& events) {
  value list = value::array();
  for (const auto& e : events)
    list.push(event_json(e));
  return list;
}

template <typename Map>
value stats_json(const Map& stats) {
  value v = value::object();
  v.keep_order = true;  // numeric key order, as Python sorts int keys
  for (const auto& [key, count] : stats)
    v.set(std::to_string(key), num(static_cast<double>(count)));
  return v;
}

// [len, text] of a frame log entry.
value frame_payload(const wire_entry& w) {
  value v = value::array();
  v.push(num(static_cast<double>(w.length)));
  v.push(value::string(render_payload(w.data, w.length)));
  return v;
}

// One wirelog entry in the array shape Autobahn uses for its code.
value wire_json(const wire_entry& w) {
  value v = value::array();
  v.push(value::string(w.code));
  const std::string& c = w.code;
  if (c == "RO" || c == "TO") {
    value octets = value::array();
    octets.push(num(static_cast<double>(w.length)));
    octets.push(value::string(render_octets(w.data, w.length)));
    v.push(std::move(octets));
    if (c == "TO") v.push(flag(w.sync));
  } else if (c == "RF") {
    v.push(frame_payload(w));
    v.push(num(w.opcode)).push(flag(w.fin)).push(num(w.rsv)).push(flag(w.masked));
    v.push(w.mask_hex.empty() ? value::null() : value::string(w.mask_hex));
  } else if (c == "TF") {
    v.push(frame_payload(w));
    v.push(num(w.opcode)).push(flag(w.fin)).push(num(w.rsv));
    v.push(w.mask_hex.empty() ? value::null() : value::string(w.mask_hex));
    v.push(optional_num(w.repeat_to));
    v.push(w.chopsize ? num(static_cast<double>(w.chopsize)) : value::null());
    v.push(flag(w.sync));
  } else if (c == "CT") {
    v.push(num(w.delay_s)).push(optional_str(w.tag));
  } else if (c == "CTE") {
    v.push(optional_str(w.tag));
  } else if (c == "KL" || c == "TI") {
    v.push(num(w.delay_s));
  } else if (c == "WLM") {
    v.push(flag(w.flag));
  }
  // KLE, TIE and unknown codes: the code alone.
  return v;
}

// Milliseconds rounded to microseconds: enough for a 10 us chop pause,
// and the file stays readable.
double round_us(double ms) {
  return std::round(ms * 1000.0) / 1000.0;
}

}  // namespace

std::string case_json(const case_result& r) {
  const close_state& s = r.close;
  value root = value::object();
  root.set("agent", str(r.agent));
  root.set("behavior", str(verdict_name(r.behavior)));
  root.set("behaviorClose", str(verdict_name(r.behavior_close)));
  root.set("case", num(r.index));
  root.set("closedByMe", flag(s.closed_by_me));
  root.set("createStats", flag(true));
  root.set("createWirelog", flag(r.create_wirelog));
  root.set("description", str(r.description));
  root.set("droppedByMe", flag(s.dropped_by_me));
  root.set("duration", num(std::round(r.duration_ms)));
  root.set("expectation", str(r.expectation));

  value expected = value::object();
  for (const auto& [v, events] : r.expected)
    expected.set(std::string(verdict_name(v)), events_json(events));
  root.set("expected", std::move(expected));

  value close = value::object();
  value codes = value::array();
  for (auto code : r.expect_close.codes)
    codes.push(num(code));
  close.set("closeCode", std::move(codes));
  close.set("closedByMe", flag(r.expect_close.closed_by_me));
  // Autobahn's cases only carry this key where they set it (section 6).
  if (r.expect_close.closed_by_wrong_endpoint_is_fatal)
    close.set("closedByWrongEndpointIsFatal", flag(true));
  close.set("requireClean", flag(r.expect_close.require_clean));
  root.set("expectedClose", std::move(close));

  root.set("failedByMe", flag(s.failed_by_me));
  root.set("httpRequest", str(r.http_request));
  root.set("httpResponse", str(r.http_response.empty() ? "?" : r.http_response));
  root.set("id", str(r.id));
  root.set("isServer", flag(false));
  root.set("localCloseCode", optional_num(s.local_close_code));
  root.set("localCloseReason", optional_str(s.local_close_reason));
  root.set("received", events_json(r.received));
  root.set("remoteCloseCode", optional_num(s.remote_close_code));
  root.set("remoteCloseReason", optional_str(s.remote_close_reason));
  root.set("reportCompressionRatio", flag(false));
  root.set("reportTime", flag(r.report_time));
  root.set("result", str(r.result));
  root.set("resultClose", str(r.result_close));
  root.set("rxFrameStats", stats_json(r.rx_frame_stats));
  root.set("rxOctetStats", stats_json(r.rx_octet_stats));
  root.set("started", str(r.started));
  root.set("trafficStats", value::null());
  root.set("txFrameStats", stats_json(r.tx_frame_stats));
  root.set("txOctetStats", stats_json(r.tx_octet_stats));
  root.set("wasClean", flag(s.was_clean));
  root.set("wasCloseHandshakeTimeout", flag(s.was_close_handshake_timeout));
  root.set("wasNotCleanReason",
           s.was_not_clean_reason.empty() ? value::null() : str(s.was_not_clean_reason));
  root.set("wasOpenHandshakeTimeout", flag(s.was_open_handshake_timeout));
  root.set("wasServerConnectionDropTimeout", flag(s.was_server_connection_drop_timeout));

  value wirelog = value::array();
  value times = value::array();
  for (const auto& w : r.wirelog) {
    wirelog.push(wire_json(w));
    times.push(num(round_us(w.time_ms)));
  }
  root.set("wirelog", std::move(wirelog));
  // Ours: when each wirelog entry happened, in ms since the case started.
  root.set("wirelogTimesMs", std::move(times));
  if (!r.engine_error.empty()) root.set("engineError", str(r.engine_error));
  return json::write(root);
}

}  // namespace resock::conformance::report_detail
