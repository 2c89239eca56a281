// The fuzzing client's side of one case (Autobahn's FuzzingProtocol over
// its WebSocketProtocol): the opening handshake, the state machine
// CONNECTING -> OPEN -> CLOSING -> CLOSED, Autobahn's checks of the
// server's frames and its reactions (auto pong, reply to close, fail with
// 1002/1007), the close timers, the send queue with chopping, and the
// `connection` interface the case script drives. All on the loop thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <uv.h>

#include "compliance/case_result.h"
#include "compliance/engine/engine.h"
#include "compliance/engine/frame_reader.h"
#include "compliance/engine/recorder.h"
#include "compliance/engine/tcp_link.h"
#include "compliance/engine/timer_pool.h"
#include "compliance/test_case.h"
#include "resock/wire/http_head.h"
#include "resock/wire/utf8.h"

namespace resock::conformance::engine_detail {

struct fuzzer_setup {
  server_target target;
  parsed_url url;
  engine_options options;
  bool raw = false;  // section 0: no automatic handshake
};

class fuzzer final : public connection, public link_listener {
 public:
  fuzzer(uv_loop_t* loop, timer_pool& timers, test_case& tc, case_result& result,
         fuzzer_setup setup, std::uint64_t start_ns);
  ~fuzzer() override;
  fuzzer(const fuzzer&) = delete;
  fuzzer& operator=(const fuzzer&) = delete;

  // Starts connecting; the run ends when the loop has nothing left.
  void start();
  // The engine's hard bound: record `error` and cut the connection now.
  void abort_run(const std::string& error);

  [[nodiscard]] const close_state& close_info() const noexcept { return close_; }
  [[nodiscard]] bool opened() const noexcept { return close_.opened; }
  [[nodiscard]] double open_ms() const noexcept { return open_ms_; }
  [[nodiscard]] double lost_ms() const noexcept { return lost_ms_; }
  [[nodiscard]] const std::string& server_header() const noexcept { return server_header_; }

  // link_listener
  void on_connected() override;
  void on_data(std::string_view bytes) override;
  void on_finished(const std::string& error) override;

  // connection
  void send_frame(std::uint8_t opcode, std::string_view payload,
                  const frame_options& options) override;
  using connection::send_frame;
  void send_message(std::string_view payload, bool binary, std::size_t fragment_size,
                    bool sync) override;
  void send_close(std::optional<std::uint16_t> code, std::string_view reason) override;
  void send_close_frame(std::optional<std::uint32_t> code,
                        std::optional<std::string_view> reason_bytes) override;
  void begin_message(bool binary) override;
  void begin_message_frame(std::uint64_t length) override;
  void send_message_frame_data(std::string_view bytes) override;
  void end_message() override;
  void close_after(double seconds) override;
  void kill_after(double seconds) override;
  void continue_later(double seconds, std::function<void()> fn,
                      std::optional<std::string> tag) override;
  [[nodiscard]] bool is_open() const override { return state_ == state::open; }
  void set_wirelog(bool on) override { rec_.set_wirelog(on); }
  void set_auto_fragment_size(std::size_t size) override { auto_fragment_ = size; }
  void send_raw(std::string_view bytes, std::size_t chopsize) override;
  [[nodiscard]] std::string target_host() const override;
  [[nodiscard]] std::string target_resource() const override;
  void drop() override { drop_connection(true); }
  [[nodiscard]] std::uint64_t tx_frames(std::uint8_t opcode) const override;

 private:
  enum class state : std::uint8_t { connecting, open, closing, closed };
  enum class phase : std::uint8_t { handshake, raw_head, raw, frames };
  struct queued {
    std::string bytes;
    bool sync = false;
  };

  // Receiving.
  void on_head_bytes(std::string_view bytes);
  void became_open();
  void read_frames(std::span<const std::uint8_t> bytes);
  bool on_header();
  bool on_payload(std::span<const std::uint8_t> bytes);
  bool on_frame_end();
  void on_close_frame();
  void protocol_violation(const std::string& reason) { fail_connection(1002, reason); }
  void invalid_payload(const std::string& reason) { fail_connection(1007, reason); }

  // Closing.
  void fail_connection(std::uint16_t code, const std::string& reason);
  void send_close_internal(std::optional<std::uint32_t> code,
                           std::optional<std::string_view> reason, bool is_reply);
  void drop_connection(bool abort);

  // Sending.
  void send_data(std::string bytes, bool sync, std::size_t chopsize);
  void write_now(std::string bytes, bool sync);
  void pump_queue();
  static void on_idle(uv_idle_t* handle);

  // Runs case code; an exception ends the run with an engine error.
  template <class F>
  void guarded(F&& f) noexcept;

  timer_pool& timers_;
  test_case& case_;
  case_result& result_;
  fuzzer_setup setup_;
  recorder rec_;
  tcp_link link_;
  uv_idle_t idle_{};

  state state_ = state::connecting;
  phase phase_ = phase::handshake;
  close_state close_;
  double open_ms_ = -1;
  double lost_ms_ = -1;
  bool finished_ = false;

  // Opening handshake.
  std::string key_;
  std::string offered_protocols_;
  wire::http_head_parser head_parser_{wire::head_kind::response};
  std::string server_header_;
  timer_pool::id open_timer_ = 0;

  // Frames in.
  frame_reader reader_;
  bool in_message_ = false;
  bool message_binary_ = false;
  bool validate_utf8_ = false;
  wire::utf8_validator utf8_;
  std::string message_;
  std::size_t frame_start_ = 0;  // where the current data frame begins in message_
  std::string control_;          // payload of the current control frame

  // Close timers.
  timer_pool::id close_timer_ = 0;

  // Frames out.
  std::size_t auto_fragment_ = 0;
  std::deque<queued> queue_;
  bool triggered_ = false;
  std::uint8_t stream_opcode_ = 1;
  bool stream_first_ = true;
  wire::mask_key stream_mask_{};
  std::uint64_t stream_offset_ = 0;
};

}  // namespace resock::conformance::engine_detail
