// Section 9 — Limits/Performance: large messages, many fragments, tiny TCP
// writes and round-trip series. The behaviour is decided by the case
// itself (echo of the right type and length in time), not by event lists;
// the wire log is off during the transfer and the duration is reported.
#include <cstdint>
#include <string>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"

namespace resock::conformance::cases {
namespace {

constexpr std::string_view kTextPattern = "BAsd7&jh23";
// Five bytes; the leading NUL rules out a plain C-string literal.
constexpr std::string_view kBinaryPattern{"\x00\xfe\x23\xfa\xf0", 5};
constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;

std::string pattern_text(bool binary) {
  return binary ? std::string(kBinaryPattern.data(), kBinaryPattern.size())
                : std::string(kTextPattern);
}

std::string size_text(std::size_t n) {
  if (n >= MiB && n % MiB == 0) return std::to_string(n / MiB) + " MiB";
  if (n >= KiB && n % KiB == 0) return std::to_string(n / KiB) + " KiB";
  return std::to_string(n) + " bytes";
}

// How the single big message of 9.1-9.6 is sent.
struct transfer {
  bool binary = false;
  std::size_t length = 0;
  char filler = 0;           // 0: pattern repeated (one frame), else a filled message
  std::size_t fragment = 0;  // send_message fragment size (9.3 / 9.4)
  std::size_t chopsize = 0;  // 9.5 / 9.6
  double wait_s = 10;
};

// One big message, one echo expected within wait_s.
class big_message_case : public test_case {
 public:
  explicit big_message_case(transfer t) : t_(t) {}

  void on_open(connection& c) override {
    report_time = true;
    expect_close = normal_close();
    c.set_wirelog(false);
    behavior = verdict::failed;
    result = "Did not receive message within " + seconds_text() + " seconds.";
    if (t_.filler != 0) {
      c.send_message(std::string(t_.length, t_.filler), t_.binary, t_.fragment);
    } else {
      connection::frame_options o;
      o.repeat_to = t_.length;
      o.chopsize = t_.chopsize;
      c.send_frame(t_.binary ? op_binary : op_text, pattern_text(t_.binary), o);
    }
    c.close_after(t_.wait_s);
  }

  void on_message(connection& c, std::string_view payload, bool binary) override {
    // Content is not compared (as in Autobahn): type and length only.
    if (binary != t_.binary) {
      result = std::string("Expected a ") + (t_.binary ? "binary" : "text") +
               " message, but got a " + (binary ? "binary" : "text") + " one.";
    } else if (payload.size() != t_.length) {
      result = "Expected a message of " + std::to_string(t_.length) + " bytes, but got " +
               std::to_string(payload.size()) + ".";
    } else {
      behavior = verdict::ok;
      result = "Received a " + std::string(binary ? "binary" : "text") + " message of " +
               std::to_string(payload.size()) + " bytes.";
    }
    c.set_wirelog(true);
    c.send_close(1000);
  }

  void on_connection_lost(const close_state& s) override {
    // The verdict was decided above; the default rules only add the close
    // verdict (expected lists are empty).
    verdict keep = behavior;
    std::string why = result;
    test_case::on_connection_lost(s);
    behavior = keep;
    result = std::move(why);
  }

 private:
  std::string seconds_text() const { return std::to_string(static_cast<long>(t_.wait_s)); }
  transfer t_;
};

// 9.7 / 9.8: 1000 messages, one at a time, each echoed before the next.
class round_trip_case : public test_case {
 public:
  round_trip_case(bool binary, std::size_t length, double wait_s)
      : binary_(binary), length_(length), wait_s_(wait_s) {}

  static constexpr int kCount = 1000;

  void on_open(connection& c) override {
    report_time = true;
    expect_close = normal_close();
    c.set_wirelog(false);
    behavior = verdict::failed;
    result =
        "Case did not finish within " + std::to_string(static_cast<long>(wait_s_)) + " seconds.";
    c.close_after(wait_s_);
    send_one(c);
  }

  void on_message(connection& c, std::string_view payload, bool binary) override {
    if (binary != binary_ || payload.size() != length_) {
      behavior = verdict::failed;
      result = "Echoed message type or length differs from what was sent (binary = " +
               std::string(binary ? "true" : "false") +
               ", length = " + std::to_string(payload.size()) + ").";
    } else if (sent_ < kCount) {
      send_one(c);
      return;
    } else {
      behavior = verdict::ok;
      result = "Ok, received all echoed messages in time.";
    }
    c.set_wirelog(true);
    c.send_close(1000);
  }

  void on_connection_lost(const close_state& s) override {
    verdict keep = behavior;
    std::string why = result;
    test_case::on_connection_lost(s);
    behavior = keep;
    result = std::move(why);
  }

 private:
  void send_one(connection& c) {
    connection::frame_options o;
    o.repeat_to = length_;
    c.send_frame(binary_ ? op_binary : op_text, binary_ ? "\xFE" : "*", o);
    ++sent_;
  }

  bool binary_;
  std::size_t length_;
  double wait_s_;
  int sent_ = 0;
};

case_info big_entry(std::string id, const transfer& t, std::string description) {
  case_info info;
  info.id = std::move(id);
  info.description = std::move(description);
  info.expectation = "The server echoes a " + std::string(t.binary ? "binary" : "text") +
                     " message of " + size_text(t.length) + " within " +
                     std::to_string(static_cast<long>(t.wait_s)) +
                     " seconds (only type and length are checked); then a normal close.";
  info.make = [t]() -> std::unique_ptr<test_case> { return std::make_unique<big_message_case>(t); };
  info.hard_timeout_s = t.wait_s + 10;
  return info;
}

void add_sizes(std::vector<case_info>& out) {
  const std::size_t sizes[] = {64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB, 8 * MiB, 16 * MiB};
  const double text_wait[] = {10, 10, 100, 100, 100, 100};
  const double binary_wait[] = {10, 10, 10, 10, 100, 100};
  for (int sub = 1; sub <= 2; ++sub) {
    const bool binary = sub == 2;
    for (int i = 0; i < 6; ++i) {
      transfer t;
      t.binary = binary;
      t.length = sizes[i];
      t.wait_s = binary ? binary_wait[i] : text_wait[i];
      out.push_back(big_entry("9." + std::to_string(sub) + "." + std::to_string(i + 1), t,
                              "Send a " + std::string(binary ? "binary" : "text") + " message of " +
                                  size_text(t.length) + " in one frame."));
    }
  }
}

void add_fragmented(std::vector<case_info>& out) {
  const std::size_t fragments[] = {64,       256,       1 * KiB, 4 * KiB, 16 * KiB,
                                   64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB};
  for (int sub = 3; sub <= 4; ++sub) {
    const bool binary = sub == 4;
    for (int i = 0; i < 9; ++i) {
      transfer t;
      t.binary = binary;
      t.length = 4 * MiB;
      // 9.4.1 carries 0xFE, every other case '*' (as Autobahn).
      t.filler = binary && i == 0 ? '\xFE' : '*';
      t.fragment = fragments[i];
      t.wait_s = 100;
      out.push_back(big_entry("9." + std::to_string(sub) + "." + std::to_string(i + 1), t,
                              "Send a " + std::string(binary ? "binary" : "text") +
                                  " message of 4 MiB in fragments of " + size_text(fragments[i]) +
                                  "."));
    }
  }
}

void add_chopped(std::vector<case_info>& out) {
  const std::size_t chops[] = {64, 128, 256, 512, 1024, 2048};
  for (int sub = 5; sub <= 6; ++sub) {
    const bool binary = sub == 6;
    for (int i = 0; i < 6; ++i) {
      transfer t;
      t.binary = binary;
      t.length = 1 * MiB;
      t.chopsize = chops[i];
      t.wait_s = 1000;
      out.push_back(big_entry("9." + std::to_string(sub) + "." + std::to_string(i + 1), t,
                              "Send a " + std::string(binary ? "binary" : "text") +
                                  " message of 1 MiB in one frame, written to TCP in pieces of " +
                                  std::to_string(chops[i]) + " bytes."));
    }
  }
}

void add_round_trips(std::vector<case_info>& out) {
  const std::size_t sizes[] = {0, 16, 64, 256, 1024, 4096};
  const double waits[] = {60, 60, 60, 120, 240, 480};
  for (int sub = 7; sub <= 8; ++sub) {
    const bool binary = sub == 8;
    for (int i = 0; i < 6; ++i) {
      const std::size_t length = sizes[i];
      const double wait = waits[i];
      case_info info;
      info.id = "9." + std::to_string(sub) + "." + std::to_string(i + 1);
      info.description = "Send 1000 " + std::string(binary ? "binary" : "text") + " messages of " +
                         size_text(length) +
                         ", one at a time: each is sent once the previous one came back.";
      info.expectation = "All 1000 messages are echoed, with the right type and length, within " +
                         std::to_string(static_cast<long>(wait)) + " seconds; then a normal close.";
      info.make = [binary, length, wait]() -> std::unique_ptr<test_case> {
        return std::make_unique<round_trip_case>(binary, length, wait);
      };
      info.hard_timeout_s = wait + 10;
      out.push_back(std::move(info));
    }
  }
}

}  // namespace

void add_section9_limits(std::vector<case_info>& out) {
  add_sizes(out);
  add_fragmented(out);
  add_chopped(out);
  add_round_trips(out);
}

}  // namespace resock::conformance::cases
