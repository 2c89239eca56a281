// Section 10 — Misc: 10.1.1 has the fuzzer fragment a 64 KiB message on
// its own (auto-fragmentation at 1300 bytes); the server must reassemble
// it, and the case double-checks the fuzzer sent the frames it should.
#include <cstdint>
#include <string>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"

namespace resock::conformance::cases {
namespace {

constexpr std::size_t kLength = 65536;
constexpr std::size_t kFragment = 1300;

class auto_fragment_case : public scripted_case {
 public:
  using scripted_case::scripted_case;

  void on_open(connection& c) override {
    c.set_auto_fragment_size(kFragment);
    scripted_case::on_open(c);
    take_counts(c);
  }

  void on_message(connection& c, std::string_view payload, bool binary) override {
    // Counted again here in case the engine counts frames when written
    // rather than when queued: by the echo, all of them are out.
    take_counts(c);
    scripted_case::on_message(c, payload, binary);
  }

  void on_connection_lost(const close_state& s) override {
    scripted_case::on_connection_lost(s);
    if (!s.opened) {
      behavior = verdict::failed;
      result = "WebSocket connection was never open.";
      return;
    }
    const std::uint64_t want_continuations = kLength / kFragment;
    const std::uint64_t want_text = kLength % kFragment > 0 ? 1 : 0;
    if (continuation_frames_ != want_continuations || text_frames_ != want_text) {
      behavior = verdict::failed;
      result = "Frames transmitted {0: " + std::to_string(continuation_frames_) +
               ", 1: " + std::to_string(text_frames_) +
               "} does not match what we expected {0: " + std::to_string(want_continuations) +
               ", 1: " + std::to_string(want_text) + "}.";
    }
  }

 private:
  void take_counts(connection& c) {
    continuation_frames_ = c.tx_frames(op_continuation);
    text_frames_ = c.tx_frames(op_text);
  }

  std::uint64_t continuation_frames_ = 0;
  std::uint64_t text_frames_ = 0;
};

}  // namespace

void add_section10_misc(std::vector<case_info>& out) {
  script s;
  const std::string payload(kLength, '*');
  s.expected = ok({echo(payload)});
  s.after = kill_after(10);
  s.run = [payload](connection& c) { c.send_message(payload); };
  out.push_back(make_scripted<auto_fragment_case>(
      "10.1.1",
      "Send a 64 KiB text message with the fuzzer's auto-fragmentation set to 1300 bytes: 50 "
      "full frames and a last one of 536 bytes.",
      "The server echoes the whole message (it may fragment the echo as it likes); normal "
      "close. The fuzzer also checks it sent 1 text and 50 continuation frames.",
      std::move(s), 10));
}

}  // namespace resock::conformance::cases
