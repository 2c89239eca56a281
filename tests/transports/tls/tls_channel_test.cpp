// tls::channel against a real OpenSSL client (memory BIOs on the client
// side): handshake, data both ways however the socket splits the bytes,
// close_notify, a wrong first record, and clear errors for bad files.
// The certificate is made here (no files checked in).
#include "tls/tls_channel.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

// cmocka.h needs these, in this order, before it.
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

namespace {

using resock::tls::channel;
using resock::tls::read_status;
using resock::tls::server_context;

int g_files = 0;

struct files {
  std::string stem =
      "/tmp/resock-tls-test-" + std::to_string(getpid()) + "-" + std::to_string(++g_files);
  std::string cert = stem + "-cert.pem";
  std::string key = stem + "-key.pem";
  ~files() {
    std::remove(cert.c_str());
    std::remove(key.c_str());
  }
};

// A self-signed P-256 certificate for CN=127.0.0.1, written as PEM.
void make_cert(const files& f) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  assert_non_null(pkey);
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, pkey);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  assert_true(X509_sign(x, pkey, EVP_sha256()) > 0);
  FILE* c = std::fopen(f.cert.c_str(), "w");
  FILE* k = std::fopen(f.key.c_str(), "w");
  assert_true(PEM_write_X509(c, x) == 1);
  assert_true(PEM_write_PrivateKey(k, pkey, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  std::fclose(c);
  std::fclose(k);
  X509_free(x);
  EVP_PKEY_free(pkey);
}

// An OpenSSL client on memory BIOs; `pump` moves bytes between it and the
// channel in pieces of `chunk` bytes (1 = every byte its own socket read).
struct pair {
  explicit pair(const server_context& ctx) : server(ctx) {
    cctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, nullptr);  // self-signed; verification is lws' job
    client = SSL_new(cctx);
    crd = BIO_new(BIO_s_mem());
    cwr = BIO_new(BIO_s_mem());
    SSL_set_bio(client, crd, cwr);
    SSL_set_connect_state(client);
  }
  ~pair() {
    SSL_free(client);
    SSL_CTX_free(cctx);
  }

  // Client -> server: returns the plaintext the server read.
  std::string to_server(std::size_t chunk) {
    std::string wire;
    std::size_t pending = BIO_ctrl_pending(cwr);
    wire.resize(pending);
    if (pending) BIO_read(cwr, wire.data(), static_cast<int>(pending));
    std::string plain;
    std::vector<std::uint8_t> buf(16384);
    for (std::size_t at = 0; at < wire.size(); at += chunk) {
      std::span<const std::uint8_t> in(reinterpret_cast<const std::uint8_t*>(wire.data()) + at,
                                       std::min(chunk, wire.size() - at));
      for (;;) {
        auto r = server.read(in, buf);
        in = in.subspan(r.used);
        last = r.status;
        if (r.bytes > 0) {
          plain.append(reinterpret_cast<const char*>(buf.data()), r.bytes);
          continue;
        }
        if (r.status != read_status::more || r.used == 0) break;
      }
      assert_true(in.empty());  // every socket byte was taken
    }
    return plain;
  }
  // Server -> client.
  void to_client() {
    std::string out;
    server.take_output(out);
    if (!out.empty()) BIO_write(crd, out.data(), static_cast<int>(out.size()));
  }
  void handshake(std::size_t chunk) {
    for (int i = 0; i < 10 && !SSL_is_init_finished(client); ++i) {
      (void)SSL_do_handshake(client);
      (void)to_server(chunk);
      to_client();
    }
    assert_true(SSL_is_init_finished(client));
    assert_true(server.handshake_done());
  }

  channel server;
  SSL_CTX* cctx;
  SSL* client;
  BIO* crd;
  BIO* cwr;
  read_status last = read_status::more;
};

std::unique_ptr<server_context> load(const files& f) {
  std::string why;
  auto ctx = server_context::load(f.cert, f.key, why);
  assert_non_null(ctx.get());
  return ctx;
}

void round_trip(std::size_t chunk) {
  files f;
  make_cert(f);
  auto ctx = load(f);
  pair p(*ctx);
  p.handshake(chunk);
  // Client -> server: 100 KB crosses several records and many reads.
  std::string big(100000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>('a' + i % 26);
  assert_int_equal(SSL_write(p.client, big.data(), static_cast<int>(big.size())), big.size());
  assert_true(p.to_server(chunk) == big);
  // Server -> client.
  const std::string reply = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
  assert_true(p.server.write({reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size()}));
  p.to_client();
  std::string got(reply.size(), '\0');
  assert_int_equal(SSL_read(p.client, got.data(), static_cast<int>(got.size())), reply.size());
  assert_true(got == reply);
  // The client's close_notify ends the stream; ours goes back once.
  SSL_shutdown(p.client);
  (void)p.to_server(chunk);
  assert_int_equal(static_cast<int>(p.last), static_cast<int>(read_status::closed));
  p.server.shutdown();
  p.server.shutdown();
  assert_true(p.server.shutdown_sent());
  p.to_client();
  assert_int_equal(SSL_shutdown(p.client), 1);  // both close_notify seen
}

void test_whole_reads(void**) {
  round_trip(1 << 20);
}
void test_byte_by_byte(void**) {
  round_trip(1);
}
void test_odd_splits(void**) {
  round_trip(7);
  round_trip(1000);
}

void test_garbage_fails_with_a_reason(void**) {
  files f;
  make_cert(f);
  auto ctx = load(f);
  channel c(*ctx);
  // A handshake record header, then bytes that are no handshake message.
  const char raw[] =
      "\x16\x03\x01\x00\x05"
      "hello-this-is-not-tls";
  const std::string junk(raw, sizeof(raw) - 1);
  std::vector<std::uint8_t> buf(16384);
  std::span<const std::uint8_t> in(reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size());
  resock::tls::read_result r;
  do {  // as a connection does: until OpenSSL takes no more
    r = c.read(in, buf);
    in = in.subspan(r.used);
  } while (r.status == read_status::more && r.used > 0);
  assert_int_equal(static_cast<int>(r.status), static_cast<int>(read_status::failed));
  assert_true(c.error().rfind("tls: ", 0) == 0);
  assert_true(resock::tls::looks_like_tls(0x16));
  assert_false(resock::tls::looks_like_tls('G'));  // "GET ..."
}

void test_load_errors_are_clear(void**) {
  files f;
  make_cert(f);
  std::string why;
  assert_null(server_context::load("/nonexistent.pem", f.key, why).get());
  assert_non_null(std::strstr(why.c_str(), "/nonexistent.pem"));
  files other;
  make_cert(other);
  why.clear();
  assert_null(server_context::load(f.cert, other.key, why).get());
  assert_non_null(std::strstr(why.c_str(), "does not match"));
  why.clear();
  assert_null(server_context::load(f.key, f.key, why).get());  // a key is not a certificate
  assert_false(why.empty());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_whole_reads),
      cmocka_unit_test(test_byte_by_byte),
      cmocka_unit_test(test_odd_splits),
      cmocka_unit_test(test_garbage_fails_with_a_reason),
      cmocka_unit_test(test_load_errors_are_clear),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
