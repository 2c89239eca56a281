#include "compliance/verdict.h"

namespace resock::conformance {

bool parse_verdict(std::string_view name, verdict& out) noexcept {
  // Every value of the enum, in declaration order; the names come from
  // verdict_name so parsing and printing cannot drift apart.
  constexpr verdict all[] = {verdict::ok,
                             verdict::non_strict,
                             verdict::failed,
                             verdict::informational,
                             verdict::unimplemented,
                             verdict::wrong_code,
                             verdict::unclean,
                             verdict::failed_by_client};
  for (const verdict v : all) {
    if (verdict_name(v) == name) {
      out = v;
      return true;
    }
  }
  return false;
}

}  // namespace resock::conformance
