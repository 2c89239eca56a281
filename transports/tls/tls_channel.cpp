#include "tls/tls_channel.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <new>

namespace resock::tls {
namespace {

// The reasons OpenSSL queued on this thread, oldest first, "; "-joined;
// the queue is emptied so that the next failure starts clean.
std::string drain_errors() {
  std::string all;
  char buf[256];
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!all.empty()) all += "; ";
    all += buf;
  }
  return all;
}

}  // namespace

// --- server_context ---------------------------------------------------------

std::unique_ptr<server_context> server_context::load(const std::string& cert_file,
                                                     const std::string& key_file,
                                                     std::string& why) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    why = "cannot create a TLS context: " + drain_errors();
    return nullptr;
  }
  auto fail = [&](std::string what) {
    why = std::move(what) + ": " + drain_errors();
    SSL_CTX_free(ctx);
    return nullptr;
  };
  // TLS 1.2 is the oldest version browsers still speak; older ones have
  // known breaks (RFC 8996).
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    return fail("cannot set the minimum TLS version");
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
    return fail("cannot load the certificate chain " + cert_file);
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
      return fail("the private key " + key_file + " does not match the certificate " + cert_file);
    return fail("cannot load the private key " + key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1)
    return fail("the private key " + key_file + " does not match the certificate " + cert_file);
  // An idle connection should not keep 2 x 17 KiB of record buffers.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // Resumption by tickets needs no server-side cache per client.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  // WebSocket and HTTP/1.1 only: a client offering h2 must not be told yes.
  SSL_CTX_set_alpn_select_cb(
      ctx,
      [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
         unsigned int inlen, void*) -> int {
        static const unsigned char k_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        unsigned char* sel = nullptr;
        if (SSL_select_next_proto(&sel, outlen, k_http11, sizeof(k_http11), in, inlen) !=
            OPENSSL_NPN_NEGOTIATED)
          return SSL_TLSEXT_ERR_NOACK;  // no ALPN answer: the client assumes HTTP/1.1
        *out = sel;
        return SSL_TLSEXT_ERR_OK;
      },
      nullptr);
  return std::unique_ptr<server_context>(new server_context(ctx));
}

server_context::~server_context() {
  SSL_CTX_free(ctx_);
}

// --- channel ----------------------------------------------------------------

channel::channel(const server_context& ctx) {
  ssl_ = SSL_new(ctx.get());
  rbio_ = BIO_new(BIO_s_mem());
  wbio_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || rbio_ == nullptr || wbio_ == nullptr) {
    BIO_free(rbio_);
    BIO_free(wbio_);
    SSL_free(ssl_);
    ERR_clear_error();
    throw std::bad_alloc();
  }
  // An empty read BIO means "wait for the socket", not end of stream.
  BIO_set_mem_eof_return(rbio_, -1);
  SSL_set_bio(ssl_, rbio_, wbio_);  // ssl_ owns both now
  SSL_set_accept_state(ssl_);
}

channel::~channel() {
  SSL_free(ssl_);
}

void channel::feed(std::span<const std::uint8_t> cipher) {
  while (!cipher.empty()) {
    const int n = BIO_write(rbio_, cipher.data(),
                            static_cast<int>(std::min<std::size_t>(cipher.size(), INT_MAX)));
    if (n <= 0) throw std::bad_alloc();  // a memory BIO fails only on allocation
    cipher = cipher.subspan(static_cast<std::size_t>(n));
  }
}

read_result channel::read(std::span<std::uint8_t> out) {
  const int n =
      SSL_read(ssl_, out.data(), static_cast<int>(std::min<std::size_t>(out.size(), INT_MAX)));
  if (n > 0) return {.bytes = static_cast<std::size_t>(n), .status = read_status::more};
  const int e = SSL_get_error(ssl_, n);
  switch (e) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:  // the memory BIO never refuses a write
      return {};
    case SSL_ERROR_ZERO_RETURN:
      return {.bytes = 0, .status = read_status::closed};
    default:
      note_error(e);
      return {.bytes = 0, .status = read_status::failed};
  }
}

bool channel::write(std::span<const std::uint8_t> plain) {
  // Without SSL_MODE_ENABLE_PARTIAL_WRITE and with a memory BIO, SSL_write
  // writes everything or fails.
  while (!plain.empty()) {
    const int n = SSL_write(ssl_, plain.data(),
                            static_cast<int>(std::min<std::size_t>(plain.size(), INT_MAX)));
    if (n <= 0) {
      note_error(SSL_get_error(ssl_, n));
      return false;
    }
    plain = plain.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

void channel::shutdown() noexcept {
  if (shutdown_sent_) return;
  shutdown_sent_ = true;
  // Only after a finished handshake: SSL_shutdown in the middle of one is
  // an error, and there is no session to end yet.
  if (SSL_is_init_finished(ssl_)) (void)SSL_shutdown(ssl_);
  ERR_clear_error();
}

void channel::take_output(std::string& out) {
  const std::size_t pending = BIO_ctrl_pending(wbio_);
  if (pending == 0) return;
  const std::size_t at = out.size();
  out.resize(at + pending);
  const int n = BIO_read(wbio_, out.data() + at, static_cast<int>(pending));
  out.resize(at + static_cast<std::size_t>(n > 0 ? n : 0));
}

bool channel::has_output() const noexcept {
  return BIO_ctrl_pending(wbio_) != 0;
}

bool channel::handshake_done() const noexcept {
  return SSL_is_init_finished(ssl_) != 0;
}

void channel::note_error(int ssl_error) {
  std::string why = drain_errors();
  if (why.empty())
    why = ssl_error == SSL_ERROR_SYSCALL ? "unexpected end of stream"
                                         : "SSL error " + std::to_string(ssl_error);
  error_ = "tls: " + why;
}

}  // namespace resock::tls
