#include <cmath>

#include "compliance/report/json_writer.h"
#include "compliance/report/parts.h"

namespace resock::conformance::report_detail {

std::string index_json(const std::vector<const case_result*>& results) {
  json::value root = json::value::object();
  for (const case_result* r : results) {
    json::value* agent = nullptr;
    for (auto& [name, v] : root.members)
      if (name == r->agent) agent = &v;
    if (!agent) {
      root.set(r->agent, json::value::object());
      agent = &root.members.back().second;
    }
    json::value entry = json::value::object();
    entry.set("behavior", json::value::string(std::string(verdict_name(r->behavior))));
    entry.set("behaviorClose", json::value::string(std::string(verdict_name(r->behavior_close))));
    entry.set("duration", json::value::number(std::round(r->duration_ms)));
    entry.set("remoteCloseCode", r->close.remote_close_code
                                     ? json::value::number(*r->close.remote_close_code)
                                     : json::value::null());
    entry.set("reportfile", json::value::string(report_file_stem(r->agent, r->id) + ".json"));
    agent->set(r->id, std::move(entry));
  }
  return json::write(root);
}

}  // namespace resock::conformance::report_detail
