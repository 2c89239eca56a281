// fuzzingclient.json loading and Autobahn's case-selection rules
// (fuzzing.py parseSpecCases / checkAgentCaseExclude).
#include "compliance/spec.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <cjson/cJSON.h>

namespace resock::conformance {
namespace {

// Glob match: '*' is any run, everything else literal (Autobahn turns '.'
// into a literal and '*' into '.*', so nothing else is special there
// either). `open_end` lets the pattern match a prefix of `text`, as if it
// ended with one more '*' (Autobahn's regex is anchored at the start only).
bool glob_matches(std::string_view pattern, std::string_view text, bool open_end) noexcept {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (true) {
    if (open_end && p == pattern.size()) return true;
    if (t == text.size()) break;
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

bool has_star(std::string_view s) noexcept {
  return s.find('*') != std::string_view::npos;
}

// "host:port" of a ws:// or wss:// URL, the agent name when a server entry
// has none (Autobahn would wait for the Server header; we need a name
// before connecting, and host:port is what a user recognises).
std::string host_port_of(std::string_view url) {
  bool tls = url.substr(0, 6) == "wss://";
  auto scheme_end = url.find("://");
  std::string_view rest = scheme_end == std::string_view::npos ? url : url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view after_host = authority;
  if (!authority.empty() && authority.front() == '[')  // IPv6 literal
    after_host = authority.substr(std::min(authority.size(), authority.find(']')));
  std::string out(authority);
  if (after_host.find(':') == std::string_view::npos) out += tls ? ":443" : ":80";
  return out;
}

int line_of(const char* text, const char* where) {
  int line = 1;
  for (const char* c = text; c < where && *c; ++c)
    if (*c == '\n') ++line;
  return line;
}

// Each helper below reports a problem as "<what> <problem>"; the caller
// prefixes the file name.
bool read_string_list(const cJSON* node, const std::string& what, std::vector<std::string>& out,
                      std::string& error) {
  if (!cJSON_IsArray(node)) {
    error = what + " is not a list";
    return false;
  }
  out.clear();
  int i = 0;
  for (const cJSON* item = node->child; item; item = item->next, ++i) {
    if (!cJSON_IsString(item)) {
      error = what + "[" + std::to_string(i) + "] is not a string";
      return false;
    }
    out.emplace_back(item->valuestring);
  }
  return true;
}

bool read_optional_string(const cJSON* parent, const char* key, const std::string& what,
                          std::string& out, std::string& error) {
  const cJSON* node = cJSON_GetObjectItemCaseSensitive(parent, key);
  if (!node || cJSON_IsNull(node)) return true;
  if (!cJSON_IsString(node)) {
    error = what + "." + key + " is not a string";
    return false;
  }
  out = node->valuestring;
  return true;
}

bool read_server(const cJSON* node, int i, server_target& out, std::string& error) {
  std::string what = "servers[" + std::to_string(i) + "]";
  if (!cJSON_IsObject(node)) {
    error = what + " is not an object";
    return false;
  }
  const cJSON* url = cJSON_GetObjectItemCaseSensitive(node, "url");
  if (!url) {
    error = what + " has no \"url\"";
    return false;
  }
  if (!cJSON_IsString(url)) {
    error = what + ".url is not a string";
    return false;
  }
  out.url = url->valuestring;
  if (!read_optional_string(node, "agent", what, out.agent, error)) return false;
  if (out.agent.empty()) out.agent = host_port_of(out.url);
  if (!read_optional_string(node, "origin", what, out.origin, error)) return false;
  if (const cJSON* protocols = cJSON_GetObjectItemCaseSensitive(node, "protocols");
      protocols && !cJSON_IsNull(protocols)) {
    if (!read_string_list(protocols, what + ".protocols", out.protocols, error)) return false;
  }
  return true;  // "options" tune Autobahn's own client; nothing of ours to set
}

bool read_spec(const cJSON* root, fuzzing_spec& out, std::string& error) {
  if (!cJSON_IsObject(root)) {
    error = "the top level is not a JSON object";
    return false;
  }
  std::string outdir;
  if (!read_optional_string(root, "outdir", "spec", outdir, error)) return false;
  if (!outdir.empty()) out.outdir = outdir;

  const cJSON* servers = cJSON_GetObjectItemCaseSensitive(root, "servers");
  if (!servers) {
    error = "missing \"servers\"";
    return false;
  }
  if (!cJSON_IsArray(servers)) {
    error = "\"servers\" is not a list";
    return false;
  }
  out.servers.clear();
  int i = 0;
  for (const cJSON* s = servers->child; s; s = s->next, ++i) {
    server_target target;
    if (!read_server(s, i, target, error)) return false;
    out.servers.push_back(std::move(target));
  }
  if (out.servers.empty()) {
    error = "\"servers\" is empty";
    return false;
  }

  if (const cJSON* cases = cJSON_GetObjectItemCaseSensitive(root, "cases")) {
    if (!read_string_list(cases, "\"cases\"", out.cases, error)) return false;
  }
  if (const cJSON* ex = cJSON_GetObjectItemCaseSensitive(root, "exclude-cases")) {
    if (!read_string_list(ex, "\"exclude-cases\"", out.exclude_cases, error)) return false;
  }
  out.exclude_agent_cases.clear();
  if (const cJSON* ex = cJSON_GetObjectItemCaseSensitive(root, "exclude-agent-cases")) {
    if (!cJSON_IsObject(ex)) {
      error = "\"exclude-agent-cases\" is not an object";
      return false;
    }
    for (const cJSON* entry = ex->child; entry; entry = entry->next) {
      std::vector<std::string> patterns;
      std::string what = std::string("\"exclude-agent-cases\".\"") + entry->string + "\"";
      if (!read_string_list(entry, what, patterns, error)) return false;
      out.exclude_agent_cases.emplace_back(entry->string, std::move(patterns));
    }
  }
  return true;
}

// Marks every catalog entry `pattern` selects; a literal id must exist.
bool mark(std::string_view pattern, const std::vector<case_info>& catalog, std::vector<bool>& marks,
          bool value, std::string& error) {
  bool literal = !has_star(pattern);
  bool found = false;
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    if (case_pattern_matches(pattern, catalog[i].id)) {
      marks[i] = value;
      found = true;
    }
  }
  if (literal && !found) {
    error = "no such case: " + std::string(pattern);
    return false;
  }
  return true;
}

}  // namespace

bool load_fuzzingclient_spec(const std::string& path, fuzzing_spec& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string content = text.str();

  cJSON* root = cJSON_ParseWithLength(content.data(), content.size());
  if (!root) {
    const char* where = cJSON_GetErrorPtr();
    error = path + ": not valid JSON";
    if (where && where >= content.data() && where <= content.data() + content.size())
      error += " (near line " + std::to_string(line_of(content.c_str(), where)) + ")";
    return false;
  }
  fuzzing_spec spec;
  bool ok = read_spec(root, spec, error);
  cJSON_Delete(root);
  if (!ok) {
    error = path + ": " + error;
    return false;
  }
  out = std::move(spec);
  return true;
}

bool case_pattern_matches(std::string_view pattern, std::string_view id) noexcept {
  if (!has_star(pattern)) return pattern == id;
  return glob_matches(pattern, id, /*open_end=*/true);
}

bool full_pattern_matches(std::string_view pattern, std::string_view text) noexcept {
  return glob_matches(pattern, text, /*open_end=*/false);
}

bool select_cases(const fuzzing_spec& spec, std::string_view agent,
                  const std::vector<case_info>& catalog, std::vector<const case_info*>& out,
                  std::string& error) {
  std::vector<bool> marks(catalog.size(), false);
  for (const auto& p : spec.cases)
    if (!mark(p, catalog, marks, true, error)) return false;
  for (const auto& p : spec.exclude_cases)
    if (!mark(p, catalog, marks, false, error)) return false;

  out.clear();
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    if (!marks[i]) continue;
    bool excluded = false;
    for (const auto& [agent_pattern, case_patterns] : spec.exclude_agent_cases) {
      if (!full_pattern_matches(agent_pattern, agent)) continue;
      for (const auto& cp : case_patterns)
        if (full_pattern_matches(cp, catalog[i].id)) excluded = true;
    }
    if (!excluded) out.push_back(&catalog[i]);
  }
  std::stable_sort(out.begin(), out.end(), [](const case_info* a, const case_info* b) {
    return case_id_less(a->id, b->id);
  });
  return true;
}

bool case_id_less(std::string_view a, std::string_view b) noexcept {
  // Compare component by component: numbers numerically, anything else as
  // text; a shorter id that is a prefix of the other sorts first.
  while (!a.empty() && !b.empty()) {
    std::string_view ca = a.substr(0, a.find('.'));
    std::string_view cb = b.substr(0, b.find('.'));
    bool na = !ca.empty() && ca.find_first_not_of("0123456789") == std::string_view::npos;
    bool nb = !cb.empty() && cb.find_first_not_of("0123456789") == std::string_view::npos;
    if (na && nb) {
      ca.remove_prefix(std::min(ca.find_first_not_of('0'), ca.size() - 1));
      cb.remove_prefix(std::min(cb.find_first_not_of('0'), cb.size() - 1));
      if (ca.size() != cb.size()) return ca.size() < cb.size();
    }
    if (ca != cb) return ca < cb;
    a.remove_prefix(
        std::min(a.size(), a.find('.') == std::string_view::npos ? a.size() : a.find('.') + 1));
    b.remove_prefix(
        std::min(b.size(), b.find('.') == std::string_view::npos ? b.size() : b.find('.') + 1));
  }
  return a.empty() && !b.empty();
}

}  // namespace resock::conformance
