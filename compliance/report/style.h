// The stylesheet shared by index.html and the case pages, inlined so each
// file opens on its own (no network, no sibling files needed).
#pragma once

#include <string_view>

namespace resock::conformance::report_detail {

inline constexpr std::string_view stylesheet = R"css(
body { font-family: system-ui, sans-serif; font-size: 14px; margin: 1.5em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 8px; white-space: pre-wrap;
      word-break: break-all; }
code, .mono { font-family: ui-monospace, monospace; font-size: 12px; }
.pass { background: #0a0; color: #fff; }
.nonstrict { background: #9c0; color: #000; }
.info { background: #4af; color: #000; }
.unimpl { background: #999; color: #fff; }
.unclean { background: #f90; color: #000; }
.fail { background: #d00; color: #fff; }
.missing { background: #eee; color: #888; }
td.pass a, td.fail a, td.unimpl a { color: #fff; }
td.nonstrict a, td.info a, td.unclean a { color: #000; }
tr.section th { background: #333; color: #fff; font-size: 1.05em; }
tr.subsection th { background: #ddd; }
tr.totals td { font-weight: bold; background: #fafafa; }
.tx { color: #06c; } .rx { color: #a50; } .timer { color: #777; }
.small { font-size: 12px; color: #555; }
)css";

}  // namespace resock::conformance::report_detail
