// chaos_check: verifies one `resock-client --json` transcript against the
// delivery contract of DESIGN.md ("exactly-once" under dropped connections).
//
//   chaos_check FILE [--replies N] [--channel CH N] [--no-lost]
//                    [--lost REASON]
//
// Always: every session's message seqs are exactly 1, 2, 3... (a duplicate
// or a gap fails). --replies N: exactly N direct messages {"c":c,"n":n}
// with c = 1..N in order and n == c (the route handler ran once per client
// message, in order). --channel CH N: exactly N messages on CH with
// data.i = 1..N in order (the publisher's messages, each once). --no-lost:
// no lost event. --lost REASON: at least one lost event with that reason.
// Prints one line of figures:
//   CHECK file=F messages=M replies=R channel=C resumes=X connects=Y lost=L
//         duplicates=D gaps=G errors=E
// and exits 0 when every check holds, 1 otherwise (with the reasons).
#include <cjson/cJSON.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using json = std::unique_ptr<cJSON, decltype(&cJSON_Delete)>;

std::uint64_t as_u64(const cJSON* o, const char* key, bool& ok) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(o, key);
  if (!cJSON_IsNumber(v) || v->valuedouble < 0) {
    ok = false;
    return 0;
  }
  return static_cast<std::uint64_t>(v->valuedouble);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: chaos_check FILE [--replies N] [--channel CH N] [--no-lost] "
                 "[--lost REASON]\n");
    return 2;
  }
  std::string file = argv[1];
  std::uint64_t want_replies = 0, want_channel = 0;
  bool check_replies = false, check_channel = false, no_lost = false;
  std::string channel, want_lost;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--replies" && i + 1 < argc) {
      check_replies = true;
      want_replies = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--channel" && i + 2 < argc) {
      check_channel = true;
      channel = argv[++i];
      want_channel = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--no-lost") {
      no_lost = true;
    } else if (a == "--lost" && i + 1 < argc) {
      want_lost = argv[++i];
    } else {
      std::fprintf(stderr, "chaos_check: bad argument %s\n", a.c_str());
      return 2;
    }
  }
  std::ifstream in(file);
  if (!in) {
    std::fprintf(stderr, "chaos_check: cannot read %s\n", file.c_str());
    return 1;
  }
  std::vector<std::string> problems;
  auto problem = [&](std::string p) {
    if (problems.size() < 20) problems.push_back(std::move(p));
  };
  std::uint64_t messages = 0, replies = 0, on_channel = 0, resumes = 0, connects = 0,
                duplicates = 0, gaps = 0, errors = 0, lines = 0;
  std::map<std::string, std::uint64_t> lost;
  std::uint64_t last_seq = 0;  // per session: reset when a new session starts
  std::string line;
  while (std::getline(in, line)) {
    ++lines;
    json ev(cJSON_Parse(line.c_str()), cJSON_Delete);
    const cJSON* kind = ev ? cJSON_GetObjectItemCaseSensitive(ev.get(), "event") : nullptr;
    if (!cJSON_IsString(kind)) {
      problem("line " + std::to_string(lines) + ": not an event: " + line.substr(0, 80));
      continue;
    }
    std::string k = kind->valuestring;
    if (k == "connected") {
      ++connects;
      last_seq = 0;  // a new session numbers from 1
    } else if (k == "resumed") {
      ++resumes;
      bool ok = true;
      std::uint64_t s = as_u64(ev.get(), "seq", ok);
      if (ok && s != last_seq)
        problem("resumed at seq " + std::to_string(s) + " but delivered up to " +
                std::to_string(last_seq));
    } else if (k == "lost") {
      const cJSON* r = cJSON_GetObjectItemCaseSensitive(ev.get(), "reason");
      ++lost[cJSON_IsString(r) ? r->valuestring : "?"];
    } else if (k == "error") {
      ++errors;
      problem("error event: " + line);
    } else if (k == "message") {
      ++messages;
      bool ok = true;
      std::uint64_t s = as_u64(ev.get(), "seq", ok);
      if (!ok) {
        problem("message without seq: " + line.substr(0, 80));
        continue;
      }
      if (s <= last_seq) ++duplicates, problem("duplicate or reordered seq " + std::to_string(s));
      if (s > last_seq + 1)
        ++gaps, problem("gap: seq " + std::to_string(s) + " after " + std::to_string(last_seq));
      last_seq = s;
      const cJSON* ch = cJSON_GetObjectItemCaseSensitive(ev.get(), "ch");
      const cJSON* data = cJSON_GetObjectItemCaseSensitive(ev.get(), "data");
      if (!ch) {  // a direct message: a "count" route reply
        ++replies;
        std::uint64_t c = as_u64(data, "c", ok), n = as_u64(data, "n", ok);
        if (!ok || c != replies || n != c)
          problem("reply #" + std::to_string(replies) + " is " + line.substr(0, 120));
      } else if (cJSON_IsString(ch) && channel == ch->valuestring) {
        ++on_channel;
        std::uint64_t i = as_u64(data, "i", ok);
        if (!ok || i != on_channel)
          problem(channel + " message #" + std::to_string(on_channel) +
                  " has i=" + std::to_string(i));
      }
    }
  }
  std::uint64_t lost_total = 0;
  std::string lost_list;
  for (auto& [reason, n] : lost) {
    lost_total += n;
    lost_list += (lost_list.empty() ? "" : ",") + reason + ":" + std::to_string(n);
  }
  if (check_replies && replies != want_replies)
    problem("replies: got " + std::to_string(replies) + ", want " + std::to_string(want_replies));
  if (check_channel && on_channel != want_channel)
    problem(channel + ": got " + std::to_string(on_channel) + ", want " +
            std::to_string(want_channel));
  if (no_lost && lost_total) problem("lost events: " + lost_list);
  if (!want_lost.empty() && !lost.count(want_lost))
    problem("no lost event with reason " + want_lost + " (lost: " + lost_list + ")");
  std::printf(
      "CHECK file=%s messages=%llu replies=%llu channel=%llu resumes=%llu connects=%llu "
      "lost=%llu%s%s duplicates=%llu gaps=%llu errors=%llu\n",
      file.c_str(), (unsigned long long)messages, (unsigned long long)replies,
      (unsigned long long)on_channel, (unsigned long long)resumes, (unsigned long long)connects,
      (unsigned long long)lost_total, lost_list.empty() ? "" : " lost_reasons=", lost_list.c_str(),
      (unsigned long long)duplicates, (unsigned long long)gaps, (unsigned long long)errors);
  for (const auto& p : problems)
    std::printf("  FAIL: %s\n", p.c_str());
  return problems.empty() ? 0 : 1;
}
