#include "compliance/expectations.h"

#include <fstream>
#include <sstream>

namespace resock::conformance {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "OK|NON-STRICT" -> {ok, non_strict}
bool parse_alternatives(std::string_view text, std::vector<verdict>& out) {
  while (true) {
    std::size_t bar = text.find('|');
    verdict v;
    if (!parse_verdict(trim(text.substr(0, bar)), v)) return false;
    out.push_back(v);
    if (bar == std::string_view::npos) return true;
    text = text.substr(bar + 1);
  }
}

std::string join(const std::vector<verdict>& vs) {
  std::string s;
  for (verdict v : vs) {
    if (!s.empty()) s += '|';
    s += verdict_name(v);
  }
  return s;
}

bool contains(const std::vector<verdict>& vs, verdict v) {
  for (verdict x : vs)
    if (x == v) return true;
  return false;
}

}  // namespace

bool parse_expectations(std::string_view text, expectation_map& out, std::string& error) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    std::string_view note;
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      note = trim(line.substr(hash + 1));
      line = line.substr(0, hash);
    }
    line = trim(line);
    if (line.empty()) continue;
    std::size_t sp = line.find_first_of(" \t");
    std::size_t slash = line.find('/');
    if (sp == std::string_view::npos || slash == std::string_view::npos || slash < sp) {
      error = "line " + std::to_string(line_no) + ": expected '<id> <behavior>/<behaviorClose>'";
      return false;
    }
    std::string_view id = line.substr(0, sp);
    std::string_view pair = trim(line.substr(sp));
    slash = pair.find('/');
    expected_verdict v;
    v.note = std::string(note);
    if (!parse_alternatives(pair.substr(0, slash), v.behavior) ||
        !parse_alternatives(pair.substr(slash + 1), v.behavior_close)) {
      error = "line " + std::to_string(line_no) + ": unknown verdict in '" + std::string(pair) + "'";
      return false;
    }
    if (!out.emplace(std::string(id), std::move(v)).second) {
      error = "line " + std::to_string(line_no) + ": case " + std::string(id) + " listed twice";
      return false;
    }
  }
  return true;
}

bool load_expectations(const std::string& path, expectation_map& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read expectations file " + path;
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (!parse_expectations(ss.str(), out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

std::vector<std::string> compare_expectations(const expectation_map& expected,
                                              const std::vector<case_result>& results) {
  std::vector<std::string> diffs;
  for (const case_result& r : results) {
    auto it = expected.find(r.id);
    std::string got = std::string(verdict_name(r.behavior)) + "/" +
                      std::string(verdict_name(r.behavior_close));
    if (it == expected.end()) {
      diffs.push_back(r.id + ": no expectation (got " + got + ")");
      continue;
    }
    if (!contains(it->second.behavior, r.behavior) ||
        !contains(it->second.behavior_close, r.behavior_close)) {
      std::string want = join(it->second.behavior) + "/" + join(it->second.behavior_close);
      std::string line = r.id + ": expected " + want + ", got " + got;
      if (!r.engine_error.empty()) line += " (engine: " + r.engine_error + ")";
      diffs.push_back(std::move(line));
    }
  }
  return diffs;
}

}  // namespace resock::conformance
