// resockd's options: command-line flags, an optional JSON config file with
// the same keys, and RESOCK_SECRET. Parsing does no I/O beyond reading the
// config file, so it is unit-testable; main.cpp turns the result into
// resock::server_options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace resockd {

// Every tunable the gateway has. Defaults match resock::server_options so
// that `resockd` with no flags behaves like an embedded server.
struct config {
  std::string listen = "127.0.0.1:8080";
  std::string prefix = "/rs";
  std::string secret;  // empty after parsing: main generates one (and warns)
  std::uint64_t max_message_size = 1 << 20;
  std::uint64_t replay_max_messages = 10000;
  std::uint64_t replay_max_bytes = 8u << 20;
  std::uint64_t session_ttl_ms = 60000;
  std::uint64_t heartbeat_ms = 25000;
  std::uint64_t handshake_timeout_ms = 10000;
  std::uint64_t slow_consumer_ms = 10000;
  bool echo = false;
  bool deflate = true;
  std::uint64_t max_connections = 10000;
  std::uint64_t conn_rate_per_ip = 1000;
  std::vector<std::string> origins;  // empty: any
  bool metrics = true;
  std::string jwt_secret;  // empty: no auth (everyone admitted)
  std::uint64_t jwt_skew_s = 30;
  std::string api_key;   // empty: the backend API is off
  std::string tls_cert;  // PEM chain; with tls_key: wss:// and https:// only
  std::string tls_key;
  bool demo = true;
  std::string config_file;  // where the file values came from, for messages
};

// What parse_args decided: run with `cfg`, or print help / version, or a
// usage error (exit status 2) with a one-line message.
struct parse_result {
  enum class action : std::uint8_t { run, help, version, error };
  action what = action::run;
  config cfg;
  std::string error;  // one line, no trailing newline, for action::error
};

// Parses argv (argv[0] excluded). Precedence: flag > RESOCK_SECRET (secret
// only) > config file > defaults. `env_secret` is the value of RESOCK_SECRET
// or nullopt when unset (passed in so tests need not touch the environment).
[[nodiscard]] parse_result parse_args(const std::vector<std::string_view>& args,
                                      std::optional<std::string_view> env_secret);

// Applies the JSON text of a config file onto `cfg`. Returns an empty string
// on success, else a one-line error naming the key (unknown key, wrong type,
// out of range).
[[nodiscard]] std::string apply_config_json(std::string_view json, config& cfg);

// Splits "host:port" / "[v6]:port"; false when malformed. Port 0 is allowed
// (the kernel picks one).
[[nodiscard]] bool split_host_port(std::string_view s, std::string& host, std::uint16_t& port);

// The text of --help.
[[nodiscard]] std::string help_text();

}  // namespace resockd
