#include "tls/tls_channel.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <cstring>
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

// A BIO with no buffer of its own: reads come from the bytes handed to
// feed() (still in the server's shared read buffer), writes are appended
// to the channel's output string. A memory BIO would copy both ways once
// more and keep its high-water buffers for the life of the connection.
struct channel::io {
  static int write(BIO* b, const char* data, int len) {
    auto* c = static_cast<channel*>(BIO_get_data(b));
    BIO_clear_retry_flags(b);
    try {
      c->out_.append(data, static_cast<std::size_t>(len));
    } catch (...) {
      return -1;  // nothing may unwind through OpenSSL
    }
    return len;
  }
  static int read(BIO* b, char* data, int len) {
    auto* c = static_cast<channel*>(BIO_get_data(b));
    BIO_clear_retry_flags(b);
    if (c->in_.empty()) {
      BIO_set_retry_read(b);  // wait for the socket, not end of stream
      return -1;
    }
    const std::size_t n = std::min(c->in_.size(), static_cast<std::size_t>(len));
    std::memcpy(data, c->in_.data(), n);
    c->in_ = c->in_.subspan(n);
    return static_cast<int>(n);
  }
  static long ctrl(BIO*, int cmd, long, void*) {
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;  // nothing is buffered here
  }
  static int create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
  }
  static const BIO_METHOD* method() {
    static BIO_METHOD* m = [] {
      BIO_METHOD* x = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "resock");
      if (x != nullptr) {
        BIO_meth_set_write(x, &io::write);
        BIO_meth_set_read(x, &io::read);
        BIO_meth_set_ctrl(x, &io::ctrl);
        BIO_meth_set_create(x, &io::create);
      }
      return x;
    }();
    return m;
  }
};

channel::channel(const server_context& ctx) {
  const BIO_METHOD* m = io::method();
  ssl_ = SSL_new(ctx.get());
  BIO* bio = m != nullptr ? BIO_new(m) : nullptr;
  if (ssl_ == nullptr || bio == nullptr) {
    BIO_free(bio);
    SSL_free(ssl_);
    ERR_clear_error();
    throw std::bad_alloc();
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // one BIO both ways; ssl_ owns it
  SSL_set_accept_state(ssl_);
}

channel::~channel() {
  SSL_free(ssl_);
}

read_result channel::read(std::span<const std::uint8_t> cipher, std::span<std::uint8_t> out) {
  in_ = cipher;
  const int n =
      SSL_read(ssl_, out.data(), static_cast<int>(std::min<std::size_t>(out.size(), INT_MAX)));
  const std::size_t used = cipher.size() - in_.size();
  in_ = {};
  if (n > 0) return {.bytes = static_cast<std::size_t>(n), .used = used};
  const int e = SSL_get_error(ssl_, n);
  switch (e) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:  // our BIO never refuses a write
      return {.used = used};
    case SSL_ERROR_ZERO_RETURN:
      return {.used = used, .status = read_status::closed};
    default:
      note_error(e);
      return {.used = used, .status = read_status::failed};
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
  if (out.empty())
    out.swap(out_);  // the usual case: no copy
  else
    out.append(out_);
  out_.clear();
}

bool channel::has_output() const noexcept {
  return !out_.empty();
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
