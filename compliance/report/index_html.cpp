#include <algorithm>
#include <map>
#include <string>

#include "compliance/report/html.h"
#include "compliance/report/parts.h"
#include "compliance/report/render.h"
#include "compliance/report/style.h"
#include "compliance/spec.h"

namespace resock::conformance::report_detail {
namespace {

using html::escape;

struct tally {
  int total = 0, ok = 0, non_strict = 0, informational = 0, unimplemented = 0, failed = 0;
  void add(const case_result& r) {
    ++total;
    switch (classify(r)) {
      case outcome::ok:
        ++ok;
        break;
      case outcome::non_strict:
        ++non_strict;
        break;
      case outcome::informational:
        ++informational;
        break;
      case outcome::unimplemented:
        ++unimplemented;
        break;
      case outcome::failed:
        ++failed;
        break;
    }
  }
  std::string html() const {
    std::string out = std::to_string(ok) + " pass";
    if (non_strict) out += ", " + std::to_string(non_strict) + " non-strict";
    if (informational) out += ", " + std::to_string(informational) + " info";
    if (unimplemented) out += ", " + std::to_string(unimplemented) + " unimpl.";
    out += ", <b>" + std::to_string(failed) + " fail</b> / " + std::to_string(total);
    return out;
  }
};

struct matrix {
  std::vector<std::string> agents;  // first-seen order
  std::vector<std::string> ids;     // numeric order
  std::map<std::pair<std::string, std::string>, const case_result*> cells;
  std::map<std::string, const case_result*> any_by_id;  // for descriptions

  const case_result* at(const std::string& agent, const std::string& id) const {
    auto it = cells.find({agent, id});
    return it == cells.end() ? nullptr : it->second;
  }
};

matrix build(const std::vector<const case_result*>& results) {
  matrix m;
  for (const case_result* r : results) {
    if (std::find(m.agents.begin(), m.agents.end(), r->agent) == m.agents.end())
      m.agents.push_back(r->agent);
    if (!m.any_by_id.count(r->id)) m.ids.push_back(r->id);
    m.any_by_id[r->id] = r;
    m.cells[{r->agent, r->id}] = r;
  }
  std::sort(m.ids.begin(), m.ids.end(),
            [](const std::string& a, const std::string& b) { return case_id_less(a, b); });
  return m;
}

void header_row(std::string& out, const matrix& m, const std::string& css,
                const std::string& title) {
  out += "<tr class=\"" + css + "\"><th colspan=\"" + std::to_string(1 + 2 * m.agents.size()) +
         "\">" + escape(title) + "</th></tr>\n";
}

void totals_row(std::string& out, const matrix& m, const std::string& section) {
  out += "<tr class=\"totals\"><td>" + escape(section) + " total</td>";
  for (const auto& agent : m.agents) {
    tally t;
    for (const auto& id : m.ids)
      if (section_of(id) == section)
        if (const case_result* r = m.at(agent, id)) t.add(*r);
    out += "<td colspan=\"2\">" + t.html() + "</td>";
  }
  out += "</tr>\n";
}

void case_row(std::string& out, const matrix& m, const std::string& id) {
  const case_result* any = m.any_by_id.at(id);
  out += "<tr><td title=\"" + escape(html::strip_tags(any->description)) + "\">" + escape(id) +
         "</td>";
  for (const auto& agent : m.agents) {
    const case_result* r = m.at(agent, id);
    if (!r) {
      out += "<td class=\"missing\" colspan=\"2\">Missing</td>";
      continue;
    }
    std::string link = escape(report_file_stem(agent, id)) + ".html";
    out += "<td class=\"" + std::string(verdict_class(r->behavior)) + "\"><a href=\"" + link +
           "\">" + std::string(verdict_label(r->behavior)) + "</a> <span class=\"small\">" +
           escape(format_ms(r->duration_ms)) + "</span></td>";
    out += "<td class=\"" + std::string(verdict_class(r->behavior_close)) + "\">" +
           escape(close_cell_text(*r)) + "</td>";
  }
  out += "</tr>\n";
}

}  // namespace

std::string index_html(const std::vector<const case_result*>& results,
                       const report_options& options) {
  matrix m = build(results);
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<title>resock-conformance: WebSocket server conformance report</title>\n<style>";
  out += stylesheet;
  out += "</style>\n</head>\n<body>\n<h1>WebSocket server conformance report</h1>\n";
  out +=
      "<p class=\"small\">Written by resock-conformance fuzzingclient (Autobahn|Testsuite "
      "cases and verdicts). Pass = OK, Non-Strict = NON-STRICT, Info = INFORMATIONAL. "
      "The close column shows the server's close code, &ldquo;Unclean&rdquo; or "
      "&ldquo;Fail&rdquo;. Click a verdict for the case details.</p>\n";

  out +=
      "<h2>Summary</h2>\n<table>\n<tr><th>Agent</th><th>Cases</th><th>Pass</th>"
      "<th>Non-Strict</th><th>Info</th><th>Unimplemented</th><th>Fail</th></tr>\n";
  for (const auto& agent : m.agents) {
    tally t;
    for (const auto& id : m.ids)
      if (const case_result* r = m.at(agent, id)) t.add(*r);
    out += "<tr><td>" + escape(agent) + "</td><td>" + std::to_string(t.total) +
           "</td><td class=\"pass\">" + std::to_string(t.ok) + "</td><td class=\"nonstrict\">" +
           std::to_string(t.non_strict) + "</td><td class=\"info\">" +
           std::to_string(t.informational) + "</td><td class=\"unimpl\">" +
           std::to_string(t.unimplemented) + "</td><td class=\"" + (t.failed ? "fail" : "pass") +
           "\">" + std::to_string(t.failed) + "</td></tr>\n";
  }
  out += "</table>\n";

  out += "<h2>Results</h2>\n<table>\n<tr><th>Case</th>";
  for (const auto& agent : m.agents)
    out += "<th colspan=\"2\">" + escape(agent) + "</th>";
  out += "</tr>\n";
  std::string section, subsection;
  for (std::size_t i = 0; i < m.ids.size(); ++i) {
    const std::string& id = m.ids[i];
    std::string sec = section_of(id), sub = subsection_of(id);
    if (i == 0 || sec != section) {
      header_row(out, m, "section", title_of(options, sec));
      section = sec;
      subsection.clear();
    }
    if (!sub.empty() && sub != subsection) header_row(out, m, "subsection", title_of(options, sub));
    subsection = sub;
    case_row(out, m, id);
    if (i + 1 == m.ids.size() || section_of(m.ids[i + 1]) != section) totals_row(out, m, section);
  }
  out += "</table>\n</body>\n</html>\n";
  return out;
}

}  // namespace resock::conformance::report_detail
