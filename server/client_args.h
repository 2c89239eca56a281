// resock-client's command line, parsed without side effects so that the
// rules (which flags combine, what reads stdin) live in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace resock_client {

struct args {
  std::string url;                // ws://host:port/rs/ws
  std::vector<std::string> subs;  // --sub, repeatable
  std::string pub;                // --pub CH: publish to this channel
  std::string route;              // --route R: send to this route
  std::uint64_t count = 0;        // --count N: generate N messages instead of reading stdin
  std::uint64_t size = 0;         // --size S: bytes of each generated message
  double rate = 0;                // --rate R/s: messages per second, 0 = as fast as possible
  bool json = false;              // --json: one JSON object per event on stdout
  std::string auth;               // --auth TOKEN: hello.auth
  std::uint64_t exit_after_idle_ms = 0;
  std::uint64_t expect = 0;  // --expect N: exit after N messages received
  bool has_expect = false;
  std::string ca_file;    // --ca FILE: wss trusts this CA
  bool insecure = false;  // --insecure: wss without certificate checks

  // Lines of stdin are sent only when no --count is given and either a
  // target (--pub/--route) is set or nothing else says when to exit: a pure
  // listener with --expect / --exit-after-idle ignores stdin.
  [[nodiscard]] bool reads_stdin() const {
    if (count > 0) return false;
    if (!pub.empty() || !route.empty()) return true;
    return !has_expect && exit_after_idle_ms == 0;
  }
};

struct parse_result {
  enum class action : std::uint8_t { run, help, error };
  action what = action::run;
  args a;
  std::string error;  // one line, for action::error (exit status 2)
};

[[nodiscard]] parse_result parse(const std::vector<std::string_view>& argv);
[[nodiscard]] std::string help_text();

// {"i":k,"pad":"xxx"} padded to `size` bytes (or the shortest form when
// size is smaller than that).
[[nodiscard]] std::string generated_message(std::uint64_t k, std::uint64_t size);

// A JSON string literal for `s` (quotes included), escaping what RFC 8259
// requires. Invalid UTF-8 is passed through; the server rejects it.
[[nodiscard]] std::string json_string(std::string_view s);

}  // namespace resock_client
