#include "compliance/report/report.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>

#include "compliance/report/parts.h"

namespace resock::conformance {
namespace {

bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// Autobahn's clean(): trim, lowercase, every character outside [a-z0-9]
// becomes a space, trim, then each space becomes '_' (runs are kept). A
// multi-byte UTF-8 character counts as one character, as in Python.
std::string clean(std::string_view agent) {
  std::string spaced;
  std::string_view s = trim(agent);
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      spaced += static_cast<char>(c);
      continue;
    }
    spaced += ' ';
    if (c >= 0xC0)  // lead byte: skip the continuation bytes of this character
      while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80)
        ++i;
  }
  std::string out(trim(spaced));
  for (char& c : out)
    if (c == ' ') c = '_';
  return out;
}

bool write_file(const std::filesystem::path& path, const std::string& content, std::string& error) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) f.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (f) f.close();
  if (!f) {
    error = path.string() + ": cannot write the report file";
    return false;
  }
  return true;
}

}  // namespace

std::string report_file_stem(std::string_view agent, std::string_view id) {
  std::string stem = clean(agent) + "_case_";
  for (char c : id)
    stem += c == '.' ? '_' : c;
  return stem;
}

outcome classify(const case_result& r) noexcept {
  if (r.behavior == verdict::failed || r.behavior_close == verdict::failed ||
      !r.engine_error.empty())
    return outcome::failed;
  if (r.behavior == verdict::unimplemented) return outcome::unimplemented;
  if (r.behavior == verdict::non_strict || r.behavior_close == verdict::wrong_code ||
      r.behavior_close == verdict::unclean || r.behavior_close == verdict::failed_by_client)
    return outcome::non_strict;
  if (r.behavior == verdict::informational || r.behavior_close == verdict::informational)
    return outcome::informational;
  return outcome::ok;
}

bool counts_as_failure(const case_result& r, bool strict) noexcept {
  outcome o = classify(r);
  return o == outcome::failed || (strict && o == outcome::non_strict);
}

namespace report_detail {

std::string title_of(const report_options& options, const std::string& id) {
  if (options.section_title) {
    std::string title = options.section_title(id);
    if (!title.empty()) return title;
  }
  return id;
}

}  // namespace report_detail

bool write_reports(const std::string& outdir, const std::vector<case_result>& results,
                   const report_options& options, std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(outdir, ec);
  if (ec) {
    error = outdir + ": cannot create the report directory: " + ec.message();
    return false;
  }

  // A case run twice for an agent keeps its last result, in the order of
  // first appearance.
  std::vector<const case_result*> unique;
  std::map<std::pair<std::string, std::string>, std::size_t> slot;
  for (const auto& r : results) {
    auto [it, inserted] = slot.try_emplace({r.agent, r.id}, unique.size());
    if (inserted)
      unique.push_back(&r);
    else
      unique[it->second] = &r;
  }

  const fs::path dir(outdir);
  for (const case_result* r : unique) {
    std::string stem = report_file_stem(r->agent, r->id);
    if (!write_file(dir / (stem + ".json"), report_detail::case_json(*r) + "\n", error))
      return false;
    if (!write_file(dir / (stem + ".html"), report_detail::case_html(*r), error)) return false;
  }
  return write_file(dir / "index.json", report_detail::index_json(unique) + "\n", error) &&
         write_file(dir / "index.html", report_detail::index_html(unique, options), error) &&
         write_file(dir / "junit.xml", report_detail::junit_xml(unique, options), error);
}

}  // namespace resock::conformance
