// One TCP connection of the native WebSocket server, from the request head
// to the TCP close: the core::link a session sees, or a plain /echo peer,
// or a one-shot HTTP answer.
//
// Data path (DESIGN.md, "Layout"): reads land in the server's one shared
// read buffer and are parsed there in place (frames unmasked in place by
// resock::wire); only the part of a data message that must outlive the
// read (a message split across reads) is copied into the connection.
// Everything to send during a loop turn (101, pongs, echoes, envelopes,
// the close frame) is appended to one output buffer that the server
// flushes once per turn with a single write. An idle connection holds no
// buffer: both are released when empty.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/link.h"
#include "resock/wire/http_head.h"
#include "resock/wire/message_reader.h"
#include "resock/wire/permessage_deflate.h"
#include "resock/wire/wire_error.h"
#include "session/payload.h"
#include "tls/tls_channel.h"
#include "websocket/native_http.h"

namespace resock::core {
class server_core;
struct connection;
}  // namespace resock::core

namespace resock::ws {

class native_conn;

// What a connection needs from its server. All calls on the loop thread.
class conn_host {
 public:
  virtual ~conn_host() = default;
  [[nodiscard]] virtual uv_buf_t read_buffer() noexcept = 0;  // shared by all connections
  [[nodiscard]] virtual core::server_core& core() noexcept = 0;
  [[nodiscard]] virtual const ws_server_options& options() const noexcept = 0;
  [[nodiscard]] virtual request_routes routes() const noexcept = 0;
  // Flush `c` in this loop turn's check phase (corking).
  virtual void schedule_flush(native_conn& c) noexcept = 0;
  // Calls c.on_deadline() once c.deadline (uv_now based) has passed.
  virtual void watch_deadline(native_conn& c) noexcept = 0;
  virtual void unwatch_deadline(native_conn& c) noexcept = 0;
  // The handle is closed: the host forgets and deletes `c`.
  virtual void retire(native_conn& c) noexcept = 0;
  virtual void log(std::string_view line) const = 0;
  // permessage-deflate codecs and a scratch buffer shared by every
  // connection: no context takeover, so no state outlives a message. The
  // scratch buffer's contents are valid until the next call that uses it.
  [[nodiscard]] virtual wire::message_deflater& deflater(std::uint8_t window_bits) noexcept = 0;
  [[nodiscard]] virtual wire::message_inflater& inflater() noexcept = 0;
  [[nodiscard]] virtual std::string& scratch() noexcept = 0;
  // A message body shared by many sessions (a publish), compressed once
  // per window size for all of them (RFC 7692 payload without its final
  // 00 00 ff ff); null when zlib failed. Valid until the next call.
  [[nodiscard]] virtual const std::string* deflated_body(const session::payload_ptr& body,
                                                         std::uint8_t window_bits) noexcept = 0;
  // Counters for /metrics: an HTTP error answered, bytes moved.
  virtual void count_reject(int status) noexcept = 0;
  virtual void count_bytes(std::size_t in, std::size_t out) noexcept = 0;
  // The server's certificate when it serves TLS (wss://, https://), else null.
  [[nodiscard]] virtual const tls::server_context* tls() const noexcept = 0;
  // Where TLS connections decrypt to (shared, like the read buffer, which
  // holds the ciphertext meanwhile); at least one TLS record (16 KiB).
  [[nodiscard]] virtual uv_buf_t plain_buffer() noexcept = 0;
};

class native_conn final : public core::link {
 public:
  explicit native_conn(conn_host& host) noexcept;
  ~native_conn() override;
  native_conn(const native_conn&) = delete;
  native_conn& operator=(const native_conn&) = delete;

  // Initialises the handle, accepts from `server` and starts reading.
  // Returns 0 or a libuv error. On error the connection retires itself
  // through the host once its handle closed, unless in_loop() is false
  // (the handle never got initialised): then the caller deletes it.
  [[nodiscard]] int accept(uv_stream_t* server) noexcept;
  [[nodiscard]] bool in_loop() const noexcept { return tcp_.loop != nullptr; }
  // The server is over a limit: the request is read and answered with
  // `status` (503, 429) instead of being served. Over TLS the connection
  // is closed at once instead: the answer would cost a full handshake per
  // refused client, which is the very work a storm must not buy.
  void refuse(int status) noexcept;

  // core::link
  [[nodiscard]] transport_kind kind() const noexcept override { return transport_kind::websocket; }
  void want_write() noexcept override;
  void close(std::uint16_t code, std::string_view reason) noexcept override;
  [[nodiscard]] std::string_view peer() const noexcept override { return peer_; }

  // Writes what this loop turn produced (called by the host's check handle).
  void flush() noexcept;
  // The deadline passed: handshake timeout, or a close that never finished.
  void on_deadline() noexcept;
  // The server stops: handshakes end now, /echo gets close 1001; sessions
  // are closed by the core's shutdown.
  void on_server_stop() noexcept;
  // Closes the socket now; the core hears 1006 if it had not heard yet.
  void abort() noexcept;
  // The host is going away without the loop running again: no callback
  // may reach it any more.
  void detach() noexcept;

  bool scheduled = false;      // in the host's flush list
  std::uint64_t deadline = 0;  // uv_now() ms; 0 = none

 private:
  enum class phase : std::uint8_t {
    head,       // reading the request head
    body,       // reading an API request's body (the head is kept)
    answering,  // an HTTP answer is queued; the socket closes after it
    open,       // WebSocket open
    closing,    // our close frame is queued; waiting for the write / the peer
    closed,     // uv_close() called
  };

  static void on_alloc(uv_handle_t* h, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) noexcept;
  static void on_write(uv_write_t* req, int status) noexcept;
  static void on_shutdown(uv_shutdown_t* req, int status) noexcept;
  static void on_closed(uv_handle_t* h) noexcept;

  void read(std::span<std::uint8_t> in);
  // TLS: decrypts the socket bytes `in` into the host's plaintext buffer
  // and reads each piece as a plain connection reads a socket read.
  void read_tls(std::span<std::uint8_t> in);
  // The peer ended its stream (TCP FIN, or TLS close_notify).
  void on_eof() noexcept;
  // The bytes to put on the socket now: out_ itself, or with TLS out_
  // encrypted into the channel's output (out_ is then empty).
  std::string& wire_bytes();
  // Everything is written after a close frame or an answer: TLS sends
  // close_notify first, then the TCP shutdown follows.
  void output_done();
  void read_head(std::span<std::uint8_t> in);
  void read_body(std::span<std::uint8_t> in);
  void answer_api();
  void start_websocket(endpoint e, std::span<std::uint8_t> rest,
                       const std::optional<wire::deflate_agreement>& deflate);
  // Inflates a compressed message into the host's scratch buffer; on
  // failure closes (1007, 1009 or 1011) and returns false.
  bool inflate(std::span<const std::uint8_t> compressed, std::size_t limit);
  // Compresses out_[at, end) in place when deflate is on and it is worth
  // it; returns the RSV bits for its frame header.
  std::uint8_t maybe_compress(std::size_t at);
  // The same for a message whose tail is `body`, shared with other
  // sessions: its head goes as a stored block before the body compressed
  // once for all of them.
  std::uint8_t compress_shared(std::size_t at, const session::payload_ptr& body);
  // Writes the header of the frame whose payload is out_[at + room, end)
  // into the room reserved before it, and drops the unused part.
  void frame_at(std::size_t at, wire::opcode op, std::uint8_t rsv);
  void read_frames(std::span<std::uint8_t> in);
  void on_data(std::span<const std::uint8_t> bytes);
  void on_message_end();
  void on_peer_close();
  void on_protocol_error(const wire::wire_error& e);
  void deliver(std::span<const std::uint8_t> envelope);
  void session_too_big(std::span<const std::uint8_t> more);
  void keep_leftover();
  void drop_message() noexcept;

  void answer_and_close(std::string response);
  void send_frame(wire::opcode op, std::span<const std::uint8_t> payload);
  void send_close(std::uint16_t code, std::string_view reason);
  void pull_envelopes();
  void write_out();
  void start_shutdown();
  void set_deadline(std::uint64_t ms_from_now) noexcept;
  void clear_deadline() noexcept;
  void report_closed(std::uint16_t code, std::string_view reason, bool clean) noexcept;
  void close_socket() noexcept;
  void update_reading() noexcept;
  [[nodiscard]] std::size_t queued() const noexcept;
  void schedule() noexcept;

  // A close that cannot finish (the peer neither reads our close frame nor
  // closes) ends the socket after this; it also bounds an HTTP answer.
  static constexpr std::uint64_t k_close_timeout_ms = 2000;
  // Backpressure: no envelope is pulled from the core, and no input is
  // read, while this much output waits for the socket (a peer that does
  // not read must not grow our memory).
  static constexpr std::size_t k_queue_limit = 1u << 20;
  // Reported to the core for a peer dropped for not reading (protocol.md).
  static constexpr std::uint16_t k_close_slow_consumer = 4004;

  conn_host* host_;
  uv_tcp_t tcp_{};
  std::string peer_;
  phase phase_ = phase::head;
  endpoint endpoint_ = endpoint::none;

  std::unique_ptr<wire::http_head_parser> head_;  // during the handshake only
  std::optional<wire::message_reader> reader_;    // once the WebSocket is open
  core::connection* conn_ = nullptr;              // sessions, until reported closed
  std::uint8_t deflate_bits_ = 0;                 // permessage-deflate: our window bits; 0 = off
  std::uint16_t refused_ = 0;                     // see refuse()
  std::size_t body_left_ = 0;                     // API body bytes still to read (in rx_)
  bool slow_watch_ = false;                       // the deadline runs for a blocked consumer

  // The current data message: `view_` is its bytes still in the shared
  // read buffer (valid during one read callback), `rx_` what had to be
  // copied out because the message spans reads or fragments.
  std::span<const std::uint8_t> view_{};
  std::string rx_;
  bool discarding_ = false;  // the rest of the current message is dropped

  std::string out_;  // what this turn produced, not yet written
  // TLS: the connection's OpenSSL state (and its encrypted output not yet
  // written); null on plain TCP.
  std::unique_ptr<tls::channel> tls_;
  bool tls_checked_ = false;  // the first byte was looked at (looks_like_tls)
  struct write_req;
  write_req* writing_ = nullptr;  // the one write in flight
  std::size_t writing_bytes_ = 0;

  bool close_requested_ = false;  // link::close(): close frame after the queue
  std::uint16_t close_code_ = 1000;
  std::string close_reason_;
  bool close_sent_ = false;  // nothing may follow the close frame
  bool input_done_ = false;  // further input is read and dropped
  bool shutdown_started_ = false;
  bool shutdown_done_ = false;  // our FIN is out
  bool peer_eof_ = false;       // the peer's FIN came before ours
  bool reading_ = false;
  bool more_from_core_ = false;  // pulling stopped at the backpressure limit
};

}  // namespace resock::ws
