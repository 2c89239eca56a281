// The entry points that use the case catalog (cases/). They live apart from
// spec.cpp and report.cpp so that those objects, and their unit tests, link
// without the catalog.
#include "compliance/cases/catalog.h"
#include "compliance/report/report.h"
#include "compliance/spec.h"

namespace resock::conformance {

bool select_cases(const fuzzing_spec& spec, std::string_view agent,
                  std::vector<const case_info*>& out, std::string& error) {
  return select_cases(spec, agent, all_cases(), out, error);
}

bool write_reports(const std::string& outdir, const std::vector<case_result>& results,
                   std::string& error) {
  report_options options;
  // "6.4" -> "6.4 Fail-fast on invalid UTF-8", as Autobahn's headings read.
  options.section_title = [](std::string_view id) {
    std::string_view title = section_title(id);
    return title.empty() ? std::string() : std::string(id) + " " + std::string(title);
  };
  return write_reports(outdir, results, options, error);
}

}  // namespace resock::conformance
