// TLS for the native server without handing it the socket: libuv keeps
// doing every read and write, so a TLS connection keeps the plain one's
// loop discipline (one write per turn, backpressure by queued bytes,
// deadlines) and its code path. OpenSSL reads records straight from the
// bytes of a socket read and writes records into a string the connection
// then writes: no buffer between them is held by the connection.
//
//   socket bytes --read()--> SSL_read --> plaintext
//   plaintext --write()--> SSL_write --> take_output() --> socket
//
// The handshake is driven by read(): its records leave with the next
// take_output(), like any other output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

using SSL_CTX = struct ssl_ctx_st;
using SSL = struct ssl_st;

namespace resock::tls {

// A server's certificate chain and key, loaded once and shared by every
// connection of that server.
class server_context {
 public:
  // Loads PEM files (the chain, leaf first; an unencrypted key). Returns
  // null with the reason in `why` (file unreadable, not PEM, key does not
  // match the certificate, ...).
  [[nodiscard]] static std::unique_ptr<server_context> load(const std::string& cert_file,
                                                            const std::string& key_file,
                                                            std::string& why);
  ~server_context();
  server_context(const server_context&) = delete;
  server_context& operator=(const server_context&) = delete;

  [[nodiscard]] SSL_CTX* get() const noexcept { return ctx_; }

 private:
  explicit server_context(SSL_CTX* ctx) noexcept : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

enum class read_status : std::uint8_t {
  more,    // go on: more plaintext may follow, or OpenSSL waits for socket bytes
  closed,  // the peer sent close_notify: its end of the stream
  failed,  // handshake or record error: see error(); take_output() may hold an alert
};

struct read_result {
  std::size_t bytes = 0;  // plaintext written to `out`
  std::size_t used = 0;   // socket bytes consumed (OpenSSL keeps a partial record itself)
  read_status status = read_status::more;
};

// One server-side connection. Not thread-safe (loop thread only).
class channel {
 public:
  // Throws std::bad_alloc when OpenSSL cannot allocate.
  explicit channel(const server_context& ctx);
  ~channel();
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  // Decrypts socket bytes into `out` (which must not overlap them). Call
  // again with the bytes not `used` until a call returns bytes == 0: one
  // call gives at most one record's plaintext.
  [[nodiscard]] read_result read(std::span<const std::uint8_t> cipher, std::span<std::uint8_t> out);
  // Encrypts all of `plain` (after the handshake). False on failure.
  [[nodiscard]] bool write(std::span<const std::uint8_t> plain);
  // Queues close_notify (RFC 8446 6.1) once; the socket may close after it.
  void shutdown() noexcept;
  [[nodiscard]] bool shutdown_sent() const noexcept { return shutdown_sent_; }
  // Appends what must go to the socket (handshake, records, alerts).
  void take_output(std::string& out);
  // The same bytes in place: the caller writes and empties (or swaps) it.
  [[nodiscard]] std::string& output() noexcept { return out_; }
  [[nodiscard]] bool has_output() const noexcept;
  [[nodiscard]] bool handshake_done() const noexcept;
  // The last failure as text, for logs ("tls: <OpenSSL reason>").
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  struct io;  // the BIO methods
  void note_error(int ssl_error);

  SSL* ssl_ = nullptr;
  std::span<const std::uint8_t> in_;  // during read(): socket bytes not yet given to OpenSSL
  std::string out_;                   // records not yet taken
  bool shutdown_sent_ = false;
  std::string error_;
};

// A TLS record starts with content type 22 (handshake) for a ClientHello:
// anything else as a connection's first byte is not TLS (plain HTTP sent to
// a TLS port), which deserves a readable answer instead of an alert.
[[nodiscard]] constexpr bool looks_like_tls(std::uint8_t first_byte) noexcept {
  return first_byte == 0x16;
}

}  // namespace resock::tls
