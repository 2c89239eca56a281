#include <string>

#include "compliance/report/html.h"
#include "compliance/report/parts.h"
#include "compliance/report/render.h"
#include "compliance/report/style.h"

namespace resock::conformance::report_detail {
namespace {

using html::escape;

std::string_view opcode_name(int opcode) {
  switch (opcode) {
    case 0:
      return "continuation";
    case 1:
      return "text";
    case 2:
      return "binary";
    case 8:
      return "close";
    case 9:
      return "ping";
    case 10:
      return "pong";
    default:
      return "reserved";
  }
}

std::string yes_no(bool b) {
  return b ? "true" : "false";
}

template <typename T>
std::string opt(const std::optional<T>& v) {
  if (!v) return "null";
  if constexpr (std::is_same_v<T, std::string>)
    return escape(*v);
  else
    return std::to_string(*v);
}

std::string verdict_span(verdict v) {
  return "<span class=\"" + std::string(verdict_class(v)) + "\">&nbsp;" +
         std::string(verdict_name(v)) + "&nbsp;</span>";
}

void row(std::string& out, std::string_view key, const std::string& value_html) {
  out += "<tr><th>";
  out += key;
  out += "</th><td>" + value_html + "</td></tr>\n";
}

void events_table(std::string& out, const event_list& events) {
  if (events.empty()) {
    out += "<p class=\"small\">(no events)</p>\n";
    return;
  }
  out += "<ol class=\"mono\">\n";
  for (const auto& e : events)
    out += "<li>" + escape(event_text(e)) + "</li>\n";
  out += "</ol>\n";
}

// One wirelog entry as a table row: time, direction and what happened.
void wire_row(std::string& out, const wire_entry& w) {
  std::string dir, what, css;
  const std::string& c = w.code;
  if (c == "TO" || c == "RO") {
    css = c == "TO" ? "tx" : "rx";
    dir = c == "TO" ? "TX octets" : "RX octets";
    what = std::to_string(w.length) + " bytes: " + render_octets(w.data, w.length);
    if (c == "TO" && w.sync) what += " (sync)";
  } else if (c == "TF" || c == "RF") {
    css = c == "TF" ? "tx" : "rx";
    dir = c == "TF" ? "TX frame" : "RX frame";
    what = "opcode " + std::to_string(w.opcode) + " (" + std::string(opcode_name(w.opcode)) +
           "), FIN=" + (w.fin ? "1" : "0") + ", RSV=" + std::to_string(w.rsv);
    if (c == "RF" && w.masked) what += ", masked";
    if (!w.mask_hex.empty()) what += ", mask " + w.mask_hex;
    if (w.repeat_to)
      what += ", payload " + std::to_string(w.length) + "-byte pattern repeated to " +
              std::to_string(*w.repeat_to) + " bytes";
    else
      what += ", " + std::to_string(w.length) + " bytes";
    if (w.chopsize) what += ", chopsize " + std::to_string(w.chopsize);
    if (w.sync) what += ", sync";
    what += ": " + render_payload(w.data, w.length);
  } else {
    css = "timer";
    dir = c;
    auto delay = json::format_number(w.delay_s);
    if (c == "CT")
      what = "continue later in " + delay + " s" + (w.tag ? ", tag " + *w.tag : "");
    else if (c == "CTE")
      what = "continue later fired" + (w.tag ? ", tag " + *w.tag : "");
    else if (c == "KL")
      what = "kill after " + delay + " s";
    else if (c == "KLE")
      what = "kill timer fired";
    else if (c == "TI")
      what = "close after " + delay + " s";
    else if (c == "TIE")
      what = "close timer fired";
    else if (c == "WLM")
      what = std::string("wire log ") + (w.flag ? "on" : "off");
  }
  char t[32];
  std::snprintf(t, sizeof t, "%.3f", w.time_ms);
  out += "<tr class=\"" + css + "\"><td class=\"mono\">" + t + "</td><td>" + escape(dir) +
         "</td><td class=\"mono\">" + escape(what) + "</td></tr>\n";
}

template <typename Map>
void stats_table(std::string& out, std::string_view title, std::string_view key_name,
                 const Map& stats, bool octets) {
  out += "<table><tr><th colspan=\"" + std::string(octets ? "3" : "2") + "\">" +
         std::string(title) + "</th></tr>\n<tr><th>" + std::string(key_name) +
         "</th><th>count</th>" + (octets ? "<th>octets</th>" : "") + "</tr>\n";
  std::uint64_t total_count = 0, total_octets = 0;
  for (const auto& [key, count] : stats) {
    std::string key_text = std::to_string(key);
    if (!octets) key_text += " (" + std::string(opcode_name(static_cast<int>(key))) + ")";
    out += "<tr><td>" + key_text + "</td><td>" + std::to_string(count) + "</td>";
    if (octets) out += "<td>" + std::to_string(static_cast<std::uint64_t>(key) * count) + "</td>";
    out += "</tr>\n";
    total_count += count;
    total_octets += static_cast<std::uint64_t>(key) * count;
  }
  out += "<tr class=\"totals\"><td>total</td><td>" + std::to_string(total_count) + "</td>";
  if (octets) out += "<td>" + std::to_string(total_octets) + "</td>";
  out += "</tr></table>\n";
}

std::string expected_close_text(const expected_close& e) {
  std::string codes;
  for (auto c : e.codes)
    codes += (codes.empty() ? "" : ", ") + std::to_string(c);
  return std::string("closed by ") + (e.closed_by_me ? "the fuzzer" : "the server") +
         ", close code in [" + codes + "], " +
         (e.require_clean ? "clean close required" : "clean close not required") +
         (e.closed_by_wrong_endpoint_is_fatal ? ", closing by the wrong endpoint is fatal" : "");
}

}  // namespace

std::string case_html(const case_result& r) {
  const close_state& s = r.close;
  std::string out;
  out.reserve(16384);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  out += escape(r.agent) + " - Case " + escape(r.id);
  out += "</title>\n<style>";
  out += stylesheet;
  out += "</style>\n</head>\n<body>\n<p><a href=\"index.html\">&larr; Back to the index</a></p>\n";
  out += "<h1>" + escape(r.agent) + " &ndash; Case " + escape(r.id) + "</h1>\n";

  out += "<table>\n";
  row(out, "Case", escape(r.id) + " (#" + std::to_string(r.index) + ")");
  row(out, "Description", html::description(r.description));
  row(out, "Expectation", html::description(r.expectation));
  row(out, "Behavior", verdict_span(r.behavior) + " " + escape(r.result));
  row(out, "Close behavior", verdict_span(r.behavior_close) + " " + escape(r.result_close));
  row(out, "Started", escape(r.started));
  row(out, "Duration", escape(format_ms(r.duration_ms)));
  if (!r.engine_error.empty())
    row(out, "Engine error",
        "<span class=\"fail\">&nbsp;" + escape(r.engine_error) + "&nbsp;</span>");
  out += "</table>\n";

  out += "<h2>Expected</h2>\n";
  if (r.expected.empty()) out += "<p class=\"small\">(nothing: the case decides itself)</p>\n";
  for (const auto& [v, events] : r.expected) {
    out += "<p>" + verdict_span(v) + "</p>\n";
    events_table(out, events);
  }
  out += "<h2>Received</h2>\n";
  events_table(out, r.received);

  out += "<h2>Closing behavior</h2>\n<table>\n";
  row(out, "Expected close", escape(expected_close_text(r.expect_close)));
  row(out, "WebSocket opened", yes_no(s.opened));
  row(out, "closedByMe", yes_no(s.closed_by_me));
  row(out, "failedByMe", yes_no(s.failed_by_me));
  row(out, "droppedByMe", yes_no(s.dropped_by_me));
  row(out, "wasClean", yes_no(s.was_clean));
  row(out, "wasNotCleanReason",
      s.was_not_clean_reason.empty() ? "null" : escape(s.was_not_clean_reason));
  row(out, "wasServerConnectionDropTimeout", yes_no(s.was_server_connection_drop_timeout));
  row(out, "wasOpenHandshakeTimeout", yes_no(s.was_open_handshake_timeout));
  row(out, "wasCloseHandshakeTimeout", yes_no(s.was_close_handshake_timeout));
  row(out, "localCloseCode", opt(s.local_close_code));
  row(out, "localCloseReason", opt(s.local_close_reason));
  row(out, "remoteCloseCode", opt(s.remote_close_code));
  row(out, "remoteCloseReason", opt(s.remote_close_reason));
  out += "</table>\n";

  out += "<h2>Opening handshake</h2>\n<h3>Request</h3>\n<pre>" + escape(r.http_request) +
         "</pre>\n<h3>Response</h3>\n<pre>" +
         escape(r.http_response.empty() ? "?" : r.http_response) + "</pre>\n";

  out += "<h2>Statistics</h2>\n";
  stats_table(out, "Octets received", "chunk size", r.rx_octet_stats, true);
  stats_table(out, "Octets transmitted", "chunk size", r.tx_octet_stats, true);
  stats_table(out, "Frames received", "opcode", r.rx_frame_stats, false);
  stats_table(out, "Frames transmitted", "opcode", r.tx_frame_stats, false);

  out += "<h2>Wire log</h2>\n";
  if (!r.create_wirelog)
    out += "<p class=\"small\">The wire log was switched off for (part of) this case.</p>\n";
  out += "<table>\n<tr><th>ms</th><th>what</th><th>details</th></tr>\n";
  for (const auto& w : r.wirelog)
    wire_row(out, w);
  out += "</table>\n</body>\n</html>\n";
  return out;
}

}  // namespace resock::conformance::report_detail
