// Each section file appends its cases, in Autobahn's order, to the
// registry that catalog.cpp assembles. Internal to compliance/cases/.
#pragma once

#include <vector>

#include "compliance/test_case.h"

namespace resock::conformance::cases {

void add_section0_handshake(std::vector<case_info>& out);
void add_section1_framing(std::vector<case_info>& out);
void add_section2_pings(std::vector<case_info>& out);
void add_section3_reserved_bits(std::vector<case_info>& out);
void add_section4_opcodes(std::vector<case_info>& out);
void add_section5_fragmentation(std::vector<case_info>& out);
void add_section6_utf8(std::vector<case_info>& out);
void add_section7_close(std::vector<case_info>& out);
void add_section9_limits(std::vector<case_info>& out);
void add_section10_misc(std::vector<case_info>& out);

}  // namespace resock::conformance::cases
