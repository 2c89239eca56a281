// The load generator's WebSocket client: libuv TCP plus our own codec
// (lib/wire), built for many connections on one loop and for a cheap hot
// path, so that the server, not this process, is what saturates:
// - every read callback takes one clock sample that serves as the receive
//   time of all its messages and the send time of what they trigger;
// - sends are corked: frames go into a per-connection buffer and each
//   connection gets at most one write per loop turn (a uv_check handle);
// - each connection masks with one random key of its own instead of
//   drawing a key per frame from the CSPRNG (servers cannot tell);
// - opening handshakes are throttled, so that 10k connections do not
//   overflow the server's accept backlog and stall on SYN retries.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "resock/wire/frame.h"
#include "resock/wire/http_head.h"
#include "resock/wire/message_reader.h"

namespace bench {

class conn_pool;
class ws_conn;

// What a figure does with its connections. Callbacks run on the loop.
struct conn_handler {
  virtual ~conn_handler() = default;
  // The 101 was validated; the connection may send.
  virtual void on_open(ws_conn& c) {}
  // A whole message when the connection collects (ws_conn::collect), else
  // `data` is empty and only `size` is known.
  virtual void on_message(ws_conn& c, std::string_view data, std::size_t size) {}
  // The connection is gone (after a failure, the peer's close, or close()).
  // `why` is empty for a close we asked for. The ws_conn is freed after.
  virtual void on_closed(ws_conn& c, std::string_view why) {}
};

struct connect_target {
  std::uint16_t port = 0;
  std::string path = "/";
  std::string protocol;  // Sec-WebSocket-Protocol to offer, may be empty
};

class ws_conn {
 public:
  // Appends one masked text frame; it is written at the end of this loop turn.
  void send_text(std::string_view payload);
  // Appends a close frame and closes the socket once everything is written.
  void close_after_flush(std::uint16_t code = 1000);
  // Closes the socket now (unsent data is dropped).
  void close();

  [[nodiscard]] bool is_open() const { return state_ == state::open; }
  [[nodiscard]] std::size_t index() const { return index_; }
  [[nodiscard]] std::uint64_t started_ns() const { return started_ns_; }
  [[nodiscard]] std::size_t queued_bytes() const { return out_.size() + inflight_.size(); }

  // Deliver whole messages (true) or only their sizes (false, cheaper).
  bool collect = true;

 private:
  friend class conn_pool;
  enum class state : std::uint8_t { queued, connecting, handshaking, open, closing, closed };

  ws_conn(conn_pool& pool, conn_handler& handler, connect_target target, std::size_t index);
  void start();
  void fail(std::string why);
  void on_bytes(std::span<std::uint8_t> data);
  void on_frames(std::span<std::uint8_t> data);
  void flush();
  void mark_dirty();

  static void on_connect(uv_connect_t* req, int status);
  static void on_alloc(uv_handle_t* h, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_close(uv_handle_t* h);

  conn_pool& pool_;
  conn_handler& handler_;
  connect_target target_;
  std::size_t index_;
  state state_ = state::queued;
  bool listed_ = false;  // in the pool's list of connections to flush
  bool writing_ = false;
  bool close_when_flushed_ = false;
  bool counted_pending_ = false;
  std::uint64_t started_ns_ = 0;
  std::string why_;
  resock::wire::mask_key mask_{};
  std::string key_;
  std::unique_ptr<resock::wire::http_head_parser> head_;
  resock::wire::message_reader reader_;
  std::string message_;
  std::size_t message_size_ = 0;
  std::vector<std::uint8_t> out_;
  std::vector<std::uint8_t> inflight_;
  uv_tcp_t tcp_{};
  uv_connect_t connect_req_{};
  uv_write_t write_req_{};
};

class conn_pool {
 public:
  // `max_opening`: connections allowed between TCP connect and 101 at once.
  explicit conn_pool(std::size_t max_opening = 128);
  ~conn_pool();  // closes every connection and the loop
  conn_pool(const conn_pool&) = delete;
  conn_pool& operator=(const conn_pool&) = delete;

  // Queues a connection; it starts when fewer than max_opening are opening.
  ws_conn* connect(const connect_target& target, conn_handler& handler, std::size_t index);

  // Runs the loop until `done()` is true (checked every turn and at least
  // every 5 ms) or `timeout_s` passes; false on timeout.
  bool run_until(const std::function<bool()>& done, double timeout_s);
  // Runs the loop for `seconds`.
  void run_for(double seconds);
  // Closes every connection and runs the loop until they are gone (bounded).
  void close_all();

  // The time sample of the current read callback (or of the latest
  // run_until turn): one clock read serves many messages.
  [[nodiscard]] std::uint64_t now_ns() const { return now_ns_; }
  std::uint64_t refresh_now() { return now_ns_ = uv_hrtime(); }
  [[nodiscard]] std::size_t live() const { return live_; }
  [[nodiscard]] uv_loop_t* loop() { return &loop_; }

 private:
  friend class ws_conn;
  void start_queued();
  void flush_dirty();
  static void on_check(uv_check_t* h);
  static void on_tick(uv_timer_t* t);

  uv_loop_t loop_{};
  uv_check_t check_{};
  uv_timer_t tick_{};
  std::size_t max_opening_;
  std::size_t opening_ = 0;
  std::size_t live_ = 0;
  std::uint64_t now_ns_ = 0;
  std::deque<ws_conn*> queued_;
  std::vector<ws_conn*> dirty_;
  std::vector<std::uint8_t> read_buffer_;  // shared: reads are handled at once
};

}  // namespace bench
