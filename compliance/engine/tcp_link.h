// The byte pipe of one case: DNS, TCP connect with a time bound,
// TCP_NODELAY, optional TLS, reads and writes, graceful or abortive close.
// Each write() is one uv_write, so the fuzzer controls how its bytes are
// split into socket writes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <uv.h>

#include "compliance/engine/engine.h"
#include "compliance/engine/timer_pool.h"
#include "compliance/engine/tls_client.h"

namespace resock::conformance::engine_detail {

class link_listener {
 public:
  virtual ~link_listener() = default;
  // TCP (and TLS, for wss://) is up; writes may start.
  virtual void on_connected() = 0;
  // Application bytes of one socket read (decrypted for TLS).
  virtual void on_data(std::string_view bytes) = 0;
  // The socket is closed and no callback follows. `error` is empty after a
  // normal close of a connected link; otherwise it says why the link could
  // not be made or broke (e.g. "connect to 127.0.0.1:9: connection refused
  // (ECONNREFUSED)").
  virtual void on_finished(const std::string& error) = 0;
};

class tcp_link {
 public:
  tcp_link(uv_loop_t* loop, timer_pool& timers, link_listener& listener)
      : loop_(loop), timers_(timers), listener_(listener) {}
  tcp_link(const tcp_link&) = delete;
  tcp_link& operator=(const tcp_link&) = delete;

  // Resolves and connects; ends in on_connected or on_finished(error).
  void connect(const parsed_url& url, const engine_options& options);
  // Queues one socket write (no-op unless connected).
  void write(std::string bytes);
  // Graceful: pending writes go out (TLS close_notify too), then the socket
  // closes. Abortive: the socket closes now. Either ends in on_finished.
  void close(bool abort);

  [[nodiscard]] bool connected() const noexcept { return state_ == state::connected; }
  [[nodiscard]] bool finished() const noexcept { return state_ == state::finished; }

 private:
  enum class state : std::uint8_t {
    idle,
    resolving,
    connecting,
    tls,
    connected,
    closing,
    finished
  };
  struct socket;

  static void on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res);
  static void on_connect(uv_connect_t* req, int status);
  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_shutdown(uv_shutdown_t* req, int status);
  static void on_socket_closed(uv_handle_t* handle);

  void try_next_address();
  void connected_tcp();
  void up();
  void fail(std::string error);
  void close_socket();
  void raw_write(std::string bytes);
  void flush_tls();
  void maybe_finish();

  uv_loop_t* loop_;
  timer_pool& timers_;
  link_listener& listener_;
  state state_ = state::idle;
  parsed_url url_;
  engine_options options_;
  uv_getaddrinfo_t resolve_{};
  bool resolving_ = false;  // the getaddrinfo request is still pending
  addrinfo* addresses_ = nullptr;
  addrinfo* next_address_ = nullptr;
  std::string peer_name_;      // "127.0.0.1:9001" of the current attempt
  socket* socket_ = nullptr;   // the current attempt, null once closing
  int open_sockets_ = 0;       // attempts whose handle is not closed yet
  std::string attempt_error_;  // why the last address failed
  timer_pool::id connect_timer_ = 0;
  std::unique_ptr<tls_client> tls_;
  std::string error_;
  std::string plain_;  // decrypted bytes of one read
  char read_buffer_[65536];
};

}  // namespace resock::conformance::engine_detail
