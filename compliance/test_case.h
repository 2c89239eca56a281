// The case model of the conformance suite, after Autobahn's Case class
// (case.py): a case is a script run against a fresh connection, plus the
// events it expects and the close behaviour it expects. The engine
// (engine/) drives it; cases/ defines them; report/ renders the outcome.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compliance/verdict.h"
#include "resock/wire/http_head.h"

namespace resock::conformance {

// One entry of Autobahn's `received` / `expected` lists.
struct event {
  enum class kind : std::uint8_t { message, pong, timeout };
  kind type = kind::message;
  std::string payload;  // message or pong payload bytes, or the timeout tag
  bool binary = false;  // messages only
  bool operator==(const event&) const = default;

  static event message(std::string p, bool bin = false) { return {kind::message, std::move(p), bin}; }
  static event pong(std::string p) { return {kind::pong, std::move(p), false}; }
  static event timeout(std::string tag) { return {kind::timeout, std::move(tag), false}; }
};
using event_list = std::vector<event>;

// expectedClose of Autobahn.
struct expected_close {
  bool closed_by_me = true;
  std::vector<std::uint32_t> codes{1000};
  bool require_clean = true;
  bool closed_by_wrong_endpoint_is_fatal = false;
};

// What the fuzzer knows about how the connection ended (Autobahn's
// protocol fields, see report keys closedByMe, wasClean, ...).
struct close_state {
  bool opened = false;  // the WebSocket reached OPEN
  bool closed_by_me = false;
  bool failed_by_me = false;
  bool dropped_by_me = false;
  bool was_clean = false;
  std::string was_not_clean_reason;
  bool was_server_connection_drop_timeout = false;
  bool was_open_handshake_timeout = false;
  bool was_close_handshake_timeout = false;
  std::optional<std::uint32_t> remote_close_code;  // raw, even if invalid; none if empty payload
  std::optional<std::string> remote_close_reason;
  std::optional<std::uint32_t> local_close_code;
  std::optional<std::string> local_close_reason;
};

// The connection as a case script sees it (Autobahn's `self.p`). All calls
// happen on the engine's loop thread, from the case's hooks or timers.
class connection {
 public:
  virtual ~connection() = default;

  struct frame_options {
    bool fin = true;
    std::uint8_t rsv = 0;                   // 3 bits
    std::optional<std::uint64_t> repeat_to; // payload = pattern repeated/truncated to N bytes
    std::size_t chopsize = 0;               // >0: write the encoded frame in pieces of this size
    bool sync = false;                      // write as its own element of the send queue
  };

  // One frame exactly as asked (any opcode 0-15, rsv, fin), masked with a
  // fresh random key. Does not change the connection state (opcode 8 too).
  virtual void send_frame(std::uint8_t opcode, std::string_view payload,
                          const frame_options& options) = 0;
  void send_frame(std::uint8_t opcode, std::string_view payload) {
    send_frame(opcode, payload, frame_options{});
  }

  // A data message, fragmented into `fragment_size` frames if > 0 (else the
  // connection's auto-fragment size, if any), Autobahn's rule: a length that
  // is an exact multiple ends with an empty FIN continuation frame.
  virtual void send_message(std::string_view payload, bool binary = false,
                            std::size_t fragment_size = 0, bool sync = false) = 0;

  // Validated close (Autobahn sendClose): code 1000 or 3000-4999 with an
  // optional UTF-8 reason, or no code at all (empty payload). Only in OPEN;
  // sets closed_by_me and arms the close-handshake timer.
  virtual void send_close(std::optional<std::uint16_t> code = std::nullopt,
                          std::string_view reason = {}) = 0;
  // Unvalidated close (Autobahn sendCloseFrame): any 16-bit code (code
  // values above 65535 are truncated to 16 bits), raw reason bytes.
  // Same state change as send_close.
  virtual void send_close_frame(std::optional<std::uint32_t> code,
                                std::optional<std::string_view> reason_bytes) = 0;

  // Streaming API (6.4.3 / 6.4.4): a frame header with FIN=0 and the given
  // length, then its payload in pieces, then an empty FIN continuation.
  virtual void begin_message(bool binary = false) = 0;
  virtual void begin_message_frame(std::uint64_t length) = 0;
  virtual void send_message_frame_data(std::string_view bytes) = 0;
  virtual void end_message() = 0;

  // Timers (seconds). close_after: empty close if still open. kill_after:
  // fail with 1001 "Going Away" (OPEN) or drop TCP (CLOSING).
  // continue_later: call fn if not CLOSED; wirelog CT/CTE with the tag.
  virtual void close_after(double seconds) = 0;
  virtual void kill_after(double seconds) = 0;
  virtual void continue_later(double seconds, std::function<void()> fn,
                              std::optional<std::string> tag = std::nullopt) = 0;

  [[nodiscard]] virtual bool is_open() const = 0;  // state OPEN (not CLOSING/CLOSED)
  virtual void set_wirelog(bool on) = 0;           // 9.x turns it off (WLM entries)
  virtual void set_auto_fragment_size(std::size_t size) = 0;

  // Section 0 (raw HTTP) cases: bytes written as they are, in pieces of
  // `chopsize` (0 = one write), before any WebSocket handshake.
  virtual void send_raw(std::string_view bytes, std::size_t chopsize = 0) = 0;
  // Section 0 cases build their request by hand and need the server URL's
  // Host header value ("host:port") and request target ("/path?query").
  // The defaults only serve fakes; the engine overrides both.
  [[nodiscard]] virtual std::string target_host() const { return "localhost"; }
  [[nodiscard]] virtual std::string target_resource() const { return "/"; }
  // Drops the TCP connection now (sets dropped_by_me).
  virtual void drop() = 0;

  // Frames the fuzzer sent so far, by opcode (txFrameStats).
  [[nodiscard]] virtual std::uint64_t tx_frames(std::uint8_t opcode) const = 0;
};

// Autobahn's Case object. A fresh instance runs each time a case runs.
class test_case {
 public:
  virtual ~test_case() = default;

  // The WebSocket is open (or, for raw cases, TCP is connected).
  virtual void on_open(connection& c) = 0;
  // A complete message (default: record it, then finish_when_done).
  virtual void on_message(connection& c, std::string_view payload, bool binary);
  // A pong (default: record it, then finish_when_done).
  virtual void on_pong(connection& c, std::string_view payload);
  // Raw cases only: the server's HTTP response head arrived. Return true to
  // continue as a WebSocket (the engine then runs on_open-like frame
  // handling: the case may send_close etc.), false to keep raw.
  virtual bool on_http_response(connection& c, const wire::http_head& response) { return false; }
  // TCP is gone: compute behavior / behavior_close. The default applies
  // Autobahn's rules (case.py onConnectionLost); overrides call it first.
  virtual void on_connection_lost(const close_state& s);

  event_list received;
  std::vector<std::pair<verdict, event_list>> expected;  // ordered: first match wins
  expected_close expect_close;
  bool suppress_close = false;
  bool report_time = false;
  verdict behavior = verdict::failed;
  verdict behavior_close = verdict::failed;
  std::string result = "Actual events differ from any expected.";
  std::string result_close = "TCP connection was dropped without close handshake";

 protected:
  // Autobahn finishWhenDone: when `received` equals every expected list and
  // the case expects to close, send close(codes[0]).
  void finish_when_done(connection& c);
};

// A case as registered: id, texts, and a factory for fresh instances.
struct case_info {
  std::string id;           // "1.1.1"; section 0 ids are "0.x.y"
  std::string description;  // may contain HTML, as Autobahn's
  std::string expectation;
  std::function<std::unique_ptr<test_case>()> make;
  bool raw = false;               // section 0: no automatic WebSocket handshake
  double hard_timeout_s = 30;     // the engine's own bound for this case
};

// Every case of every section, in Autobahn's global order (section 0 first).
[[nodiscard]] const std::vector<case_info>& all_cases();

// Index (1-based) of a case in all_cases(), Autobahn's "case" report field.
[[nodiscard]] int case_index(std::string_view id);

}  // namespace resock::conformance
