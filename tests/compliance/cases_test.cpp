// Tests of the case registry (compliance/cases/) without a network: the
// case list against Autobahn's counts, order and indexes, the UTF-8 vector
// table against our validator, and what a few case scripts send, run
// against a recording fake connection.
#include "compliance/cases/catalog.h"

#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/cases/utf8_vectors.h"
#include "compliance/test_case.h"
#include "resock/wire/handshake.h"
#include "resock/wire/http_head.h"
#include "resock/wire/utf8.h"

// cmocka last: its fail() macro clashes with std::basic_ios::fail.
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

using namespace resock::conformance;
using resock::wire::http_head_parser;

namespace {

// ---------------------------------------------------------------------------
// A connection that records what a case asks for.

struct sent_frame {
  std::uint8_t opcode = 0;
  std::string payload;  // repeat_to already applied
  bool fin = true;
  std::uint8_t rsv = 0;
  std::size_t chopsize = 0;
  bool sync = false;
};

struct armed_timer {
  std::string kind;  // "close_after", "kill_after", "continue_later"
  double seconds = 0;
  std::function<void()> fn;
  std::optional<std::string> tag;
};

class fake_connection : public connection {
 public:
  using connection::send_frame;

  void send_frame(std::uint8_t opcode, std::string_view payload, const frame_options& o) override {
    std::string body(payload);
    if (o.repeat_to) {
      body.clear();
      while (body.size() < *o.repeat_to && !payload.empty())
        body.append(payload);
      body.resize(*o.repeat_to);
    }
    frames.push_back({opcode, std::move(body), o.fin, o.rsv, o.chopsize, o.sync});
    ++tx[opcode];
  }

  // Autobahn's rule: an exact multiple ends with an empty FIN continuation.
  void send_message(std::string_view payload, bool binary, std::size_t fragment_size,
                    bool sync) override {
    ++messages;
    std::size_t size = fragment_size != 0 ? fragment_size : (honour_auto ? auto_fragment : 0);
    const std::uint8_t first = binary ? 2 : 1;
    frame_options o;
    o.sync = sync;
    if (size == 0 || payload.size() <= size) {
      send_frame(first, payload, o);
      return;
    }
    for (std::size_t i = 0; i < payload.size(); i += size) {
      o.fin = i + size > payload.size();
      send_frame(i == 0 ? first : 0, payload.substr(i, size), o);
    }
    if (payload.size() % size == 0) {
      o.fin = true;
      send_frame(0, "", o);
    }
  }

  void send_close(std::optional<std::uint16_t> code, std::string_view reason) override {
    closes.push_back(code ? std::optional<std::uint32_t>(*code) : std::nullopt);
    close_reasons.emplace_back(reason);
    open = false;
  }
  void send_close_frame(std::optional<std::uint32_t> code,
                        std::optional<std::string_view> reason) override {
    closes.push_back(code);
    close_reasons.emplace_back(reason ? std::string(*reason) : std::string());
    open = false;
  }

  void begin_message(bool binary) override { stream.push_back(binary ? "begin:b" : "begin:t"); }
  void begin_message_frame(std::uint64_t length) override {
    stream.push_back("frame:" + std::to_string(length));
  }
  void send_message_frame_data(std::string_view bytes) override {
    stream.push_back("data:" + std::string(bytes));
  }
  void end_message() override { stream.push_back("end"); }

  void close_after(double s) override { timers.push_back({"close_after", s, {}, {}}); }
  void kill_after(double s) override { timers.push_back({"kill_after", s, {}, {}}); }
  void continue_later(double s, std::function<void()> fn, std::optional<std::string> tag) override {
    timers.push_back({"continue_later", s, std::move(fn), std::move(tag)});
  }

  [[nodiscard]] bool is_open() const override { return open; }
  void set_wirelog(bool on) override { wirelog.push_back(on); }
  void set_auto_fragment_size(std::size_t size) override { auto_fragment = size; }
  void send_raw(std::string_view bytes, std::size_t chopsize) override {
    raw.append(bytes);
    raw_chopsize = chopsize;
  }
  void drop() override { dropped = true; }
  [[nodiscard]] std::uint64_t tx_frames(std::uint8_t opcode) const override {
    auto it = tx.find(opcode);
    return it == tx.end() ? 0 : it->second;
  }
  [[nodiscard]] std::string target_host() const override { return "example.test:9001"; }
  [[nodiscard]] std::string target_resource() const override { return "/echo?x=1"; }

  // Fires the n-th timer that continue_later armed.
  void fire(std::size_t n) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < timers.size(); ++i) {
      if (timers[i].kind != "continue_later") continue;
      if (seen++ == n) {
        auto fn = timers[i].fn;  // the callback may arm more timers
        fn();
        return;
      }
    }
    fail_msg("no continue_later timer #%zu", n);
  }

  std::vector<sent_frame> frames;
  std::map<std::uint8_t, std::uint64_t> tx;
  std::vector<std::optional<std::uint32_t>> closes;
  std::vector<std::string> close_reasons;
  std::vector<std::string> stream;
  std::vector<armed_timer> timers;
  std::vector<bool> wirelog;
  std::string raw;
  std::size_t raw_chopsize = 0;
  std::size_t auto_fragment = 0;
  bool honour_auto = true;
  int messages = 0;
  bool open = true;
  bool dropped = false;
};

const case_info& find_case(std::string_view id) {
  for (const case_info& c : all_cases())
    if (c.id == id) return c;
  fail_msg("no case %.*s", static_cast<int>(id.size()), id.data());
  return all_cases().front();
}

// Runs a case's on_open against a fresh fake.
struct run {
  explicit run(std::string_view id) : info(find_case(id)), tc(info.make()) { tc->on_open(conn); }
  const case_info& info;
  std::unique_ptr<test_case> tc;
  fake_connection conn;
};

std::vector<int> id_numbers(std::string_view id) {
  std::vector<int> out;
  while (!id.empty()) {
    std::size_t dot = id.find('.');
    std::string_view part = id.substr(0, dot);
    int n = -1;
    std::from_chars(part.data(), part.data() + part.size(), n);
    out.push_back(n);
    if (dot == std::string_view::npos) break;
    id.remove_prefix(dot + 1);
  }
  return out;
}

std::string section_of(const std::string& id) {
  return id.substr(0, id.find('.'));
}

std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// ---------------------------------------------------------------------------
// Registry

void counts_follow_autobahn(void**) {
  std::map<std::string, int> per_section;
  int autobahn = 0;
  for (const case_info& c : all_cases()) {
    ++per_section[section_of(c.id)];
    if (section_of(c.id) != "0") ++autobahn;
  }
  assert_int_equal(autobahn, 301);
  assert_int_equal(per_section["1"], 16);
  assert_int_equal(per_section["2"], 11);
  assert_int_equal(per_section["3"], 7);
  assert_int_equal(per_section["4"], 10);
  assert_int_equal(per_section["5"], 20);
  assert_int_equal(per_section["6"], 145);
  assert_int_equal(per_section["7"], 37);
  assert_int_equal(per_section["8"], 0);
  assert_int_equal(per_section["9"], 54);
  assert_int_equal(per_section["10"], 1);
  assert_true(per_section["0"] >= 14);
}

void ids_unique_and_ordered(void**) {
  std::set<std::string> seen;
  const auto& cases = all_cases();
  assert_string_equal(cases.front().id.c_str(), "0.1.1");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    assert_true(seen.insert(cases[i].id).second);
    assert_true(static_cast<bool>(cases[i].make));
    assert_false(cases[i].description.empty());
    assert_false(cases[i].expectation.empty());
    if (i > 0) assert_true(id_numbers(cases[i - 1].id) < id_numbers(cases[i].id));
  }
  assert_string_equal(cases.back().id.c_str(), "10.1.1");
}

void indexes_match_autobahn(void**) {
  assert_int_equal(case_index("1.1.1"), 1);
  assert_int_equal(case_index("1.2.1"), 9);
  assert_int_equal(case_index("2.1"), 17);
  assert_int_equal(case_index("4.2.1"), 40);
  assert_int_equal(case_index("5.20"), 64);
  assert_int_equal(case_index("6.4.4"), 77);
  assert_int_equal(case_index("6.5.1"), 78);
  assert_int_equal(case_index("6.23.7"), 209);
  assert_int_equal(case_index("7.1.1"), 210);
  assert_int_equal(case_index("7.13.2"), 246);
  assert_int_equal(case_index("9.1.1"), 247);
  assert_int_equal(case_index("9.8.6"), 300);
  assert_int_equal(case_index("10.1.1"), 301);
  assert_int_equal(case_index("0.1.1"), 1001);
  assert_int_equal(case_index("8.1.1"), 0);
  int n = 0;
  for (const case_info& c : all_cases())
    if (section_of(c.id) != "0") assert_int_equal(case_index(c.id), ++n);
}

void titles(void**) {
  assert_string_equal(std::string(section_title("1")).c_str(), "Framing");
  assert_string_equal(std::string(section_title("6.4")).c_str(), "Fail-fast on invalid UTF-8");
  assert_string_equal(std::string(section_title("6.22")).c_str(),
                      "Non-character code points (valid UTF-8)");
  assert_string_equal(std::string(section_title("10.1")).c_str(), "Auto-Fragmentation");
  assert_false(section_title("0").empty());
  assert_true(section_title("2.1").empty());
}

void timeouts_cover_timers(void**) {
  for (const case_info& c : all_cases())
    assert_true(c.hard_timeout_s >= 9.5);
  assert_true(find_case("9.5.1").hard_timeout_s >= 1000);
  assert_true(find_case("9.8.6").hard_timeout_s >= 480);
  assert_true(find_case("1.1.8").hard_timeout_s >= 19);
}

void section0_cites_rfc(void**) {
  int n = 0;
  for (const case_info& c : all_cases()) {
    if (section_of(c.id) != "0") {
      assert_false(c.raw);
      continue;
    }
    ++n;
    assert_true(c.raw);
    assert_true(c.description.find("RFC 6455") != std::string::npos);
  }
  assert_true(n >= 14);
}

void utf8_vectors_agree_with_validator(void**) {
  const auto& table = resock::conformance::cases::utf8_vector_table();
  const std::map<int, std::size_t> counts{
      {5, 5},  {6, 11}, {7, 4},  {8, 2},  {9, 4},  {10, 3}, {11, 5}, {12, 8},  {13, 5}, {14, 10},
      {15, 1}, {16, 3}, {17, 5}, {18, 5}, {19, 5}, {20, 7}, {21, 8}, {22, 34}, {23, 7}};
  std::size_t total = 0;
  assert_int_equal(table.size(), counts.size());
  for (const auto& sub : table) {
    assert_int_equal(sub.vectors.size(), counts.at(sub.number));
    total += sub.vectors.size();
    for (const auto& v : sub.vectors)
      assert_int_equal(v.valid, resock::wire::is_valid_utf8(bytes(v.payload)));
  }
  assert_int_equal(total, 132);
  // Spot checks of generated rows against the spec's hex.
  assert_int_equal(table[7].vectors[7].payload.size(), 63);          // 6.12.8
  assert_int_equal(table[8].vectors[0].payload.size(), 62);          // 6.13.1
  assert_int_equal(table[10].vectors[0].payload.size(), 30);         // 6.15.1
  assert_true(table[17].vectors[2].payload == "\xF0\x9F\xBF\xBE");   // 6.22.3
  assert_true(table[17].vectors[33].payload == "\xF4\x8F\xBF\xBF");  // 6.22.34
}

void utf8_cases_expect_by_validity(void**) {
  for (const case_info& c : all_cases()) {
    auto n = id_numbers(c.id);
    if (n[0] != 6 || n[1] < 5) continue;
    run r(c.id);
    assert_int_equal(r.conn.frames.size(), 1);
    const sent_frame& f = r.conn.frames[0];
    assert_int_equal(f.opcode, 1);
    assert_true(f.fin);
    const bool valid = resock::wire::is_valid_utf8(bytes(f.payload));
    assert_int_equal(r.tc->expected.size(), 1);
    if (valid) {
      assert_int_equal(r.tc->expected[0].second.size(), 1);
      assert_true(r.tc->expected[0].second[0] == event::message(f.payload));
      assert_true(r.tc->expect_close.closed_by_me);
    } else {
      assert_true(r.tc->expected[0].second.empty());
      assert_false(r.tc->expect_close.closed_by_me);
      assert_true(r.tc->expect_close.closed_by_wrong_endpoint_is_fatal);
      assert_true(r.tc->expect_close.codes == std::vector<std::uint32_t>{1007});
    }
    assert_int_equal(r.conn.timers.size(), 1);
    assert_string_equal(r.conn.timers[0].kind.c_str(), "kill_after");
    assert_true(r.conn.timers[0].seconds == 0.5);
  }
}

// ---------------------------------------------------------------------------
// Scripts

void expectations_installed_at_open(void**) {
  // Before open, nothing: a case that never opens must stay FAILED.
  auto tc = find_case("3.1").make();
  assert_true(tc->expected.empty());
}

void case_1_1_8_chops(void**) {
  run r("1.1.8");
  assert_int_equal(r.conn.frames.size(), 1);
  assert_int_equal(r.conn.frames[0].opcode, 1);
  assert_int_equal(r.conn.frames[0].payload.size(), 65536);
  assert_int_equal(r.conn.frames[0].chopsize, 997);
  assert_string_equal(r.conn.timers[0].kind.c_str(), "kill_after");
  assert_true(r.conn.timers[0].seconds == 10);
  run b("1.2.1");
  assert_int_equal(b.conn.frames[0].opcode, 2);
  assert_true(b.tc->expected[0].second[0] == event::message("", true));
}

void case_3_3_sync_and_rsv(void**) {
  run r("3.3");
  assert_int_equal(r.conn.frames.size(), 3);
  for (const auto& f : r.conn.frames)
    assert_true(f.sync);
  assert_int_equal(r.conn.frames[1].rsv, 3);
  assert_int_equal(r.conn.frames[2].opcode, 9);
  assert_int_equal(r.tc->expected.size(), 2);
  assert_true(r.tc->expected[1].first == verdict::non_strict);
}

void case_4_2_5_chop1(void**) {
  run r("4.2.5");
  assert_int_equal(r.conn.frames.size(), 3);
  assert_int_equal(r.conn.frames[1].opcode, 15);
  for (const auto& f : r.conn.frames)
    assert_int_equal(f.chopsize, 1);
}

void case_5_19_pause(void**) {
  run r("5.19");
  assert_int_equal(r.conn.frames.size(), 3);
  assert_int_equal(r.conn.timers.size(), 1);
  assert_false(r.conn.timers[0].tag.has_value());
  r.conn.fire(0);
  assert_int_equal(r.conn.frames.size(), 7);
  assert_string_equal(r.conn.timers.back().kind.c_str(), "close_after");
  assert_string_equal(r.conn.frames.back().payload.c_str(), "fragment5");
  assert_true(r.conn.frames.back().fin);
}

void case_6_2_3_thirty_frames(void**) {
  run r("6.2.3");
  assert_int_equal(r.conn.frames.size(), 30);
  assert_int_equal(r.conn.frames[0].opcode, 1);
  for (std::size_t i = 0; i < 29; ++i) {
    assert_false(r.conn.frames[i].fin);
    assert_int_equal(r.conn.frames[i].payload.size(), 1);
  }
  assert_true(r.conn.frames[29].fin);
  assert_int_equal(r.conn.frames[29].opcode, 0);
  assert_true(r.conn.frames[29].payload.empty());
  run k("6.2.4");
  assert_int_equal(k.conn.frames.size(), 12);
}

void case_6_4_1_parts(void**) {
  run r("6.4.1");
  assert_int_equal(r.tc->expected.size(), 2);
  assert_true(r.tc->expected[0].second == event_list{event::timeout("A")});
  assert_true(r.tc->expected[1].second == (event_list{event::timeout("A"), event::timeout("B")}));
  assert_int_equal(r.conn.frames.size(), 1);
  assert_int_equal(r.conn.frames[0].payload.size(), 11);
  assert_false(r.conn.frames[0].fin);
  assert_string_equal(r.conn.timers[0].tag->c_str(), "A");
  r.conn.fire(0);
  assert_int_equal(r.tc->received.size(), 1);
  assert_int_equal(r.conn.frames.size(), 2);
  assert_true(r.conn.frames[1].payload == "\xF4\x90\x80\x80");
  assert_int_equal(r.conn.frames[1].opcode, 0);
  assert_false(r.conn.frames[1].fin);
  r.conn.fire(1);
  assert_true(r.tc->received == (event_list{event::timeout("A"), event::timeout("B")}));
  assert_int_equal(r.conn.frames.size(), 3);
  assert_string_equal(r.conn.frames[2].payload.c_str(), "edited");
  assert_true(r.conn.frames[2].fin);
  assert_string_equal(r.conn.timers.back().kind.c_str(), "kill_after");

  // The server already failed the connection: the parts stop.
  run closed("6.4.1");
  closed.conn.open = false;
  closed.conn.fire(0);
  assert_true(closed.tc->received.empty());
  assert_int_equal(closed.conn.frames.size(), 1);
}

void case_6_4_3_streams(void**) {
  run r("6.4.3");
  r.conn.fire(0);
  r.conn.fire(1);
  assert_true(r.conn.frames.empty());
  const std::vector<std::string> want{
      "begin:t",
      "frame:21",
      "data:" + std::string("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"),
      "data:\xF4\x90\x80\x80",
      "data:edited",
      "end"};
  assert_true(r.conn.stream == want);
}

void case_7_codes(void**) {
  const std::uint32_t invalid[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
  for (int n = 1; n <= 9; ++n) {
    run r("7.9." + std::to_string(n));
    assert_int_equal(r.conn.closes.size(), 1);
    assert_true(r.conn.closes[0] == invalid[n - 1]);
    assert_true(r.tc->expect_close.codes == std::vector<std::uint32_t>{1002});
    assert_true(r.tc->expect_close.closed_by_me);
    assert_false(r.tc->expect_close.require_clean);
  }
  run v("7.7.10");
  assert_true(v.conn.closes[0] == 3000u);
  assert_true((v.tc->expect_close.codes == std::vector<std::uint32_t>{1000, 3000}));
  assert_true(v.tc->expect_close.require_clean);
  run l("7.3.6");
  assert_int_equal(l.conn.close_reasons[0].size(), 124);
  run e("7.3.1");
  assert_false(e.conn.closes[0].has_value());
}

void case_7_wrong_code_fails_behaviour(void**) {
  run r("7.9.1");
  close_state s;
  s.opened = true;
  s.closed_by_me = true;
  s.was_clean = true;
  s.remote_close_code = 1000;
  r.tc->on_connection_lost(s);
  assert_true(r.tc->behavior_close == verdict::wrong_code);
  assert_true(r.tc->behavior == verdict::failed);

  run i("7.13.1");
  s.remote_close_code = 4000;
  i.tc->on_connection_lost(s);
  assert_true(i.tc->behavior == verdict::informational);
  assert_true(i.tc->behavior_close == verdict::informational);
}

void case_9_3_1_fragments(void**) {
  run r("9.3.1");
  assert_int_equal(r.conn.frames.size(), 65537);
  assert_int_equal(r.conn.frames[0].opcode, 1);
  for (std::size_t i = 0; i < 65536; ++i) {
    assert_false(r.conn.frames[i].fin);
    assert_int_equal(r.conn.frames[i].payload.size(), 64);
  }
  assert_true(r.conn.frames.back().fin && r.conn.frames.back().payload.empty());
  run b("9.4.1");
  assert_int_equal(b.conn.frames[0].opcode, 2);
  assert_true(b.conn.frames[0].payload[0] == '\xFE');
  run u("9.3.9");
  assert_int_equal(u.conn.frames.size(), 1);
}

void case_9_1_1_decides(void**) {
  run r("9.1.1");
  assert_true(r.tc->report_time);
  assert_true(r.conn.wirelog == std::vector<bool>{false});
  assert_int_equal(r.conn.frames[0].payload.size(), 65536);
  assert_true(r.conn.frames[0].payload.starts_with("BAsd7&jh23BAsd"));
  assert_string_equal(r.conn.timers[0].kind.c_str(), "close_after");
  r.tc->on_message(r.conn, std::string(65536, 'x'), false);
  assert_true(r.tc->behavior == verdict::ok);
  assert_true(r.conn.closes.size() == 1 && r.conn.closes[0] == 1000u);
  assert_true(r.conn.wirelog.back());
  assert_true(r.tc->received.empty());

  run w("9.2.1");
  w.tc->on_message(w.conn, std::string(65536, 'x'), false);  // wrong type
  assert_true(w.tc->behavior == verdict::failed);
}

void case_9_7_round_trips(void**) {
  run r("9.7.2");
  assert_int_equal(r.conn.frames.size(), 1);
  for (int i = 0; i < 999; ++i)
    r.tc->on_message(r.conn, std::string(16, '*'), false);
  assert_int_equal(r.conn.frames.size(), 1000);
  assert_true(r.tc->behavior == verdict::failed);
  r.tc->on_message(r.conn, std::string(16, '*'), false);
  assert_int_equal(r.conn.frames.size(), 1000);
  assert_true(r.tc->behavior == verdict::ok);
  assert_int_equal(r.conn.closes.size(), 1);
}

void case_10_1_1_counts_frames(void**) {
  run r("10.1.1");
  assert_int_equal(r.conn.auto_fragment, 1300);
  assert_int_equal(r.conn.tx_frames(1), 1);
  assert_int_equal(r.conn.tx_frames(0), 50);
  assert_int_equal(r.conn.frames.back().payload.size(), 536);
  close_state s;
  s.opened = true;
  s.closed_by_me = true;
  s.was_clean = true;
  s.remote_close_code = 1000;
  r.tc->on_message(r.conn, std::string(65536, '*'), false);
  r.tc->on_connection_lost(s);
  assert_true(r.tc->behavior == verdict::ok);

  // A fuzzer that ignored the auto-fragment size is caught.
  const case_info& info = find_case("10.1.1");
  auto tc = info.make();
  fake_connection c;
  c.honour_auto = false;
  tc->on_open(c);
  tc->on_message(c, std::string(65536, '*'), false);
  tc->on_connection_lost(s);
  assert_true(tc->behavior == verdict::failed);
}

// ---------------------------------------------------------------------------
// Section 0

std::string sent_key(const std::string& request) {
  http_head_parser p(resock::wire::head_kind::request);
  auto step = p.feed(bytes(request));
  assert_true(step.status == resock::wire::head_status::complete);
  return std::string(p.head().find("Sec-WebSocket-Key"));
}

struct response {
  explicit response(std::string_view text) : raw(text) {
    auto step = parser.feed(bytes(raw));
    assert_true(step.status == resock::wire::head_status::complete);
  }
  std::string raw;
  http_head_parser parser{resock::wire::head_kind::response};
};

void handshake_baseline(void**) {
  run r("0.1.1");
  assert_true(r.conn.raw.starts_with("GET /echo?x=1 HTTP/1.1\r\n"));
  assert_true(r.conn.raw.find("Host: example.test:9001\r\n") != std::string::npos);
  response ok(resock::wire::build_upgrade_response(sent_key(r.conn.raw)));
  assert_true(r.tc->on_http_response(r.conn, ok.parser.head()));
  assert_true(r.tc->behavior == verdict::ok);
  assert_int_equal(r.conn.closes.size(), 1);
  close_state s;
  s.opened = true;
  s.closed_by_me = true;
  s.was_clean = true;
  r.tc->on_connection_lost(s);
  assert_true(r.tc->behavior == verdict::ok);
  assert_true(r.tc->behavior_close == verdict::ok);

  run bad("0.1.1");
  response wrong(resock::wire::build_upgrade_response("dGhlIHNhbXBsZSBub25jZQ=="));
  (void)bad.tc->on_http_response(bad.conn, wrong.parser.head());
  assert_true(bad.tc->behavior == verdict::failed);

  run chopped("0.1.3");
  assert_int_equal(chopped.conn.raw_chopsize, 1);
}

void handshake_rejections(void**) {
  run r("0.2.4");
  assert_true(r.conn.raw.find("Sec-WebSocket-Version: 8\r\n") != std::string::npos);
  response good("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n");
  assert_false(r.tc->on_http_response(r.conn, good.parser.head()));
  assert_true(r.tc->behavior == verdict::ok);
  r.conn.fire(1);  // the grace timer drops the connection
  assert_true(r.conn.dropped);
  close_state s;
  s.dropped_by_me = true;
  r.tc->on_connection_lost(s);
  assert_true(r.tc->behavior == verdict::ok);
  assert_true(r.tc->behavior_close == verdict::informational);

  run no_header("0.2.4");
  response plain("HTTP/1.1 400 Bad Request\r\n\r\n");
  (void)no_header.tc->on_http_response(no_header.conn, plain.parser.head());
  assert_true(no_header.tc->behavior == verdict::failed);

  run missing_key("0.2.1");
  assert_true(missing_key.conn.raw.find("Sec-WebSocket-Key") == std::string::npos);
  (void)missing_key.tc->on_http_response(missing_key.conn, plain.parser.head());
  close_state server_closed;
  missing_key.tc->on_connection_lost(server_closed);
  assert_true(missing_key.tc->behavior == verdict::ok);
  assert_true(missing_key.tc->behavior_close == verdict::ok);

  run silent("0.2.6");
  silent.tc->on_connection_lost(server_closed);
  assert_true(silent.tc->behavior == verdict::non_strict);

  run big("0.4.1");
  assert_true(big.conn.raw.size() > 65536);
  big.tc->on_connection_lost(server_closed);
  assert_true(big.tc->behavior == verdict::ok);

  run accepted("0.2.8");
  assert_true(accepted.conn.raw.starts_with("POST "));
  response upgrade(resock::wire::build_upgrade_response(sent_key(accepted.conn.raw)));
  assert_true(accepted.tc->on_http_response(accepted.conn, upgrade.parser.head()));
  assert_true(accepted.tc->behavior == verdict::failed);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(counts_follow_autobahn),
      cmocka_unit_test(ids_unique_and_ordered),
      cmocka_unit_test(indexes_match_autobahn),
      cmocka_unit_test(titles),
      cmocka_unit_test(timeouts_cover_timers),
      cmocka_unit_test(section0_cites_rfc),
      cmocka_unit_test(utf8_vectors_agree_with_validator),
      cmocka_unit_test(utf8_cases_expect_by_validity),
      cmocka_unit_test(expectations_installed_at_open),
      cmocka_unit_test(case_1_1_8_chops),
      cmocka_unit_test(case_3_3_sync_and_rsv),
      cmocka_unit_test(case_4_2_5_chop1),
      cmocka_unit_test(case_5_19_pause),
      cmocka_unit_test(case_6_2_3_thirty_frames),
      cmocka_unit_test(case_6_4_1_parts),
      cmocka_unit_test(case_6_4_3_streams),
      cmocka_unit_test(case_7_codes),
      cmocka_unit_test(case_7_wrong_code_fails_behaviour),
      cmocka_unit_test(case_9_3_1_fragments),
      cmocka_unit_test(case_9_1_1_decides),
      cmocka_unit_test(case_9_7_round_trips),
      cmocka_unit_test(case_10_1_1_counts_frames),
      cmocka_unit_test(handshake_baseline),
      cmocka_unit_test(handshake_rejections),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
