#include "compliance/engine/tls_client.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace resock::conformance::engine_detail {

namespace {

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// The most specific OpenSSL error queued, or `fallback`.
std::string last_openssl_error(const char* fallback) {
  unsigned long code = 0;
  unsigned long e;
  while ((e = ERR_get_error()) != 0)
    code = e;
  if (code == 0) return fallback;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

}  // namespace

tls_client::~tls_client() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

void tls_client::set_error(const char* what) {
  // A verification failure is the common case and OpenSSL's queue only
  // says "certificate verify failed"; the verify result says why.
  const long verify = ssl_ != nullptr ? SSL_get_verify_result(ssl_) : X509_V_OK;
  std::string detail = last_openssl_error(what);
  if (verify != X509_V_OK)
    detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  error_ = "TLS: " + detail;
}

bool tls_client::start(const tls_settings& settings, std::string& error) {
  ERR_clear_error();
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) {
    error = "TLS: " + last_openssl_error("cannot create SSL_CTX");
    return false;
  }
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  if (settings.insecure) {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    const bool loaded =
        settings.ca_file.empty()
            ? SSL_CTX_set_default_verify_paths(ctx_) == 1
            : SSL_CTX_load_verify_locations(ctx_, settings.ca_file.c_str(), nullptr) == 1;
    if (!loaded) {
      error = "TLS: cannot load CA " +
              (settings.ca_file.empty() ? std::string("system store") : settings.ca_file) + ": " +
              last_openssl_error("unknown error");
      return false;
    }
  }
  ssl_ = SSL_new(ctx_);
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || in_ == nullptr || out_ == nullptr) {
    if (in_ != nullptr) BIO_free(in_);
    if (out_ != nullptr) BIO_free(out_);
    in_ = out_ = nullptr;
    error = "TLS: cannot create session";
    return false;
  }
  SSL_set_bio(ssl_, in_, out_);
  const bool ip = is_ip_literal(settings.host);
  // SNI carries host names only (RFC 6066 3).
  if (!ip) SSL_set_tlsext_host_name(ssl_, settings.host.c_str());
  if (!settings.insecure) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, settings.host.c_str())
                      : SSL_set1_host(ssl_, settings.host.c_str());
    if (ok != 1) {
      error = "TLS: cannot set the expected host " + settings.host;
      return false;
    }
  }
  SSL_set_connect_state(ssl_);
  if (!step_handshake()) {
    error = error_;
    return false;
  }
  return true;
}

bool tls_client::step_handshake() {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    done_ = true;
    return true;
  }
  const int e = SSL_get_error(ssl_, rc);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return true;
  set_error("handshake failed");
  return false;
}

tls_client::status tls_client::feed(std::string_view cipher, std::string& plain) {
  if (!cipher.empty() && BIO_write(in_, cipher.data(), static_cast<int>(cipher.size())) <= 0) {
    error_ = "TLS: cannot buffer input";
    return status::failed;
  }
  status result = status::ok;
  if (!done_) {
    if (!step_handshake()) return status::failed;
    if (!done_) return status::ok;
    result = status::handshake_done;
  }
  char buf[16384];
  for (;;) {
    ERR_clear_error();
    const int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
      plain.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    const int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
    // close_notify: the TCP close that follows ends the connection.
    if (e == SSL_ERROR_ZERO_RETURN) break;
    set_error("read failed");
    return status::failed;
  }
  return result;
}

bool tls_client::write(std::string_view plain) {
  if (plain.empty()) return true;
  ERR_clear_error();
  std::size_t written = 0;
  // Memory BIOs grow as needed, so one call takes the whole buffer.
  if (SSL_write_ex(ssl_, plain.data(), plain.size(), &written) != 1 || written != plain.size()) {
    set_error("write failed");
    return false;
  }
  return true;
}

void tls_client::shutdown() {
  if (ssl_ != nullptr && done_) SSL_shutdown(ssl_);
}

std::string tls_client::take_output() {
  std::string out;
  const std::size_t pending = BIO_ctrl_pending(out_);
  if (pending == 0) return out;
  out.resize(pending);
  const int n = BIO_read(out_, out.data(), static_cast<int>(pending));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

}  // namespace resock::conformance::engine_detail
