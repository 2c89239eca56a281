// The registry: every section in Autobahn's global order, our section 0
// first; Autobahn's case index; category titles.
#include "compliance/cases/catalog.h"

#include <string>
#include <utility>

#include "compliance/cases/sections.h"
#include "compliance/cases/utf8_vectors.h"
#include "compliance/test_case.h"

namespace resock::conformance {

const std::vector<case_info>& all_cases() {
  static const std::vector<case_info> cases = [] {
    std::vector<case_info> out;
    out.reserve(320);
    cases::add_section0_handshake(out);
    cases::add_section1_framing(out);
    cases::add_section2_pings(out);
    cases::add_section3_reserved_bits(out);
    cases::add_section4_opcodes(out);
    cases::add_section5_fragmentation(out);
    cases::add_section6_utf8(out);
    cases::add_section7_close(out);
    cases::add_section9_limits(out);
    cases::add_section10_misc(out);
    return out;
  }();
  return cases;
}

// Autobahn numbers its cases from 1.1.1 = 1 to 10.1.1 = 301 (and the
// compression cases 12.x / 13.x from 302 on). Reports must keep those
// numbers, so section 0 — which Autobahn does not have — is numbered apart,
// from 1001 on, where it cannot collide with any Autobahn index. Returns 0
// for an unknown id.
int case_index(std::string_view id) {
  const std::vector<case_info>& cases = all_cases();
  int autobahn = 0;
  int ours = 0;
  for (const case_info& c : cases) {
    const bool section0 = c.id.starts_with("0.");
    int& counter = section0 ? ours : autobahn;
    ++counter;
    if (c.id == id) return section0 ? 1000 + counter : counter;
  }
  return 0;
}

std::string_view section_title(std::string_view id) {
  static constexpr std::pair<std::string_view, std::string_view> kTitles[] = {
      {"0", "Opening Handshake"},
      {"0.1", "Valid upgrade requests"},
      {"0.2", "Invalid upgrade requests"},
      {"0.3", "Subprotocol and extension negotiation"},
      {"0.4", "Request limits"},
      {"1", "Framing"},
      {"1.1", "Text Messages"},
      {"1.2", "Binary Messages"},
      {"2", "Pings/Pongs"},
      {"3", "Reserved Bits"},
      {"4", "Opcodes"},
      {"4.1", "Non-control Opcodes"},
      {"4.2", "Control Opcodes"},
      {"5", "Fragmentation"},
      {"6", "UTF-8 Handling"},
      {"6.1", "Valid UTF-8 with zero payload fragments"},
      {"6.2", "Valid UTF-8 unfragmented, fragmented on code-points and within code-points"},
      {"6.3", "Invalid UTF-8 differently fragmented"},
      {"6.4", "Fail-fast on invalid UTF-8"},
      {"7", "Close Handling"},
      {"7.1", "Basic close behavior (fuzzer initiated)"},
      {"7.3", "Close frame structure: payload length (fuzzer initiated)"},
      {"7.5", "Close frame structure: payload value (fuzzer initiated)"},
      {"7.7", "Close frame structure: valid close codes (fuzzer initiated)"},
      {"7.9", "Close frame structure: invalid close codes (fuzzer initiated)"},
      {"7.13", "Informational close information (fuzzer initiated)"},
      {"9", "Limits/Performance"},
      {"9.1", "Text Message (increasing size)"},
      {"9.2", "Binary Message (increasing size)"},
      {"9.3", "Fragmented Text Message (fixed size, increasing fragment size)"},
      {"9.4", "Fragmented Binary Message (fixed size, increasing fragment size)"},
      {"9.5", "Text Message (fixed size, increasing chop size)"},
      {"9.6", "Binary Text Message (fixed size, increasing chop size)"},
      {"9.7", "Text Message Roundtrip Time (fixed number, increasing size)"},
      {"9.8", "Binary Message Roundtrip Time (fixed number, increasing size)"},
      {"10", "Misc"},
      {"10.1", "Auto-Fragmentation"},
  };
  for (const auto& [key, title] : kTitles)
    if (key == id) return title;
  // 6.5 - 6.23 come with the vector table.
  if (id.starts_with("6.") && id.size() <= 4) {
    for (const cases::utf8_subsection& sub : cases::utf8_vector_table())
      if (id.substr(2) == std::to_string(sub.number)) return sub.title;
  }
  return {};
}

}  // namespace resock::conformance
