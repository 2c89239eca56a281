// The client side of TLS over memory BIOs: the socket code feeds it the
// bytes that arrive and writes out whatever it produces, so OpenSSL never
// touches the socket and the libuv loop stays the only place doing I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

namespace resock::conformance::engine_detail {

struct tls_settings {
  std::string host;     // SNI and the name (or IP) the certificate must match
  std::string ca_file;  // PEM bundle to trust instead of the system store
  bool insecure = false;
};

class tls_client {
 public:
  tls_client() = default;
  tls_client(const tls_client&) = delete;
  tls_client& operator=(const tls_client&) = delete;
  ~tls_client();

  // Creates the context and session and starts the handshake. Returns false
  // with `error` set (e.g. an unreadable ca_file).
  [[nodiscard]] bool start(const tls_settings& settings, std::string& error);

  enum class status : std::uint8_t { ok, handshake_done, failed };

  // Feeds ciphertext from the socket; decrypted application bytes are
  // appended to `plain`. Returns handshake_done once, when the handshake
  // completes, failed on a TLS error (see error()).
  [[nodiscard]] status feed(std::string_view cipher, std::string& plain);

  // Encrypts application bytes; the records land in pending output.
  [[nodiscard]] bool write(std::string_view plain);
  // Sends close_notify into the pending output.
  void shutdown();

  // Ciphertext waiting to go to the socket (handshake or records).
  [[nodiscard]] std::string take_output();

  [[nodiscard]] bool handshake_complete() const noexcept { return done_; }
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

 private:
  bool step_handshake();
  void set_error(const char* what);

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // socket -> OpenSSL (owned by ssl_)
  BIO* out_ = nullptr;  // OpenSSL -> socket (owned by ssl_)
  bool done_ = false;
  std::string error_;
};

}  // namespace resock::conformance::engine_detail
