#include "server/config.h"

#include <cjson/cJSON.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>

namespace resockd {
namespace {

// Strict unsigned decimal: no sign, no spaces, no trailing junk. Users who
// type "--heartbeat 10s" get an error instead of a silent 10.
bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

// "a, b,c" -> {"a", "b", "c"}; empty items dropped.
std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    std::size_t comma = s.find(',');
    std::string_view item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// The flags that set a config value, shared by the flag parser and the
// config file so the two cannot drift apart. `key` is the JSON key.
enum class kind : std::uint8_t { text, number, boolean };
struct setting {
  std::string_view flag;  // "" when the key has no value flag (echo is a switch)
  std::string_view key;
  kind type;
  std::uint64_t min = 0;  // numbers: smallest accepted value
  std::function<void(config&, std::string_view, std::uint64_t, bool)> set;
};

const std::vector<setting>& settings() {
  static const std::vector<setting> all = {
      {"--listen", "listen", kind::text, 0,
       [](config& c, std::string_view s, std::uint64_t, bool) { c.listen = s; }},
      {"--prefix", "prefix", kind::text, 0,
       [](config& c, std::string_view s, std::uint64_t, bool) { c.prefix = s; }},
      {"--secret", "secret", kind::text, 0,
       [](config& c, std::string_view s, std::uint64_t, bool) { c.secret = s; }},
      {"--max-message", "max_message_size", kind::number, 64,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.max_message_size = n; }},
      {"--replay-messages", "replay_max_messages", kind::number, 1,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.replay_max_messages = n; }},
      {"--replay-bytes", "replay_max_bytes", kind::number, 1,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.replay_max_bytes = n; }},
      {"--session-ttl", "session_ttl_ms", kind::number, 0,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.session_ttl_ms = n; }},
      {"--heartbeat", "heartbeat_ms", kind::number, 100,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.heartbeat_ms = n; }},
      {"--handshake-timeout", "handshake_timeout_ms", kind::number, 100,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.handshake_timeout_ms = n; }},
      {"--slow-consumer", "slow_consumer_ms", kind::number, 0,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.slow_consumer_ms = n; }},
      {"", "echo", kind::boolean, 0,
       [](config& c, std::string_view, std::uint64_t, bool b) { c.echo = b; }},
      {"", "deflate", kind::boolean, 0,
       [](config& c, std::string_view, std::uint64_t, bool b) { c.deflate = b; }},
      {"--max-connections", "max_connections", kind::number, 0,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.max_connections = n; }},
      {"--conn-rate-per-ip", "conn_rate_per_ip", kind::number, 0,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.conn_rate_per_ip = n; }},
      {"--origins", "origins", kind::text, 0,
       [](config& c, std::string_view s, std::uint64_t, bool) { c.origins = split_list(s); }},
      {"", "metrics", kind::boolean, 0,
       [](config& c, std::string_view, std::uint64_t, bool b) { c.metrics = b; }},
      {"--jwt-secret", "jwt_secret", kind::text, 0,
       [](config& c, std::string_view s, std::uint64_t, bool) { c.jwt_secret = s; }},
      {"--api-key", "api_key", kind::text, 0,
       [](config& c, std::string_view s, std::uint64_t, bool) { c.api_key = s; }},
      {"--tls-cert", "tls_cert", kind::text, 0,
       [](config& c, std::string_view s, std::uint64_t, bool) { c.tls_cert = s; }},
      {"--tls-key", "tls_key", kind::text, 0,
       [](config& c, std::string_view s, std::uint64_t, bool) { c.tls_key = s; }},
      {"--jwt-skew", "jwt_skew_s", kind::number, 0,
       [](config& c, std::string_view, std::uint64_t n, bool) { c.jwt_skew_s = n; }},
  };
  return all;
}

// Checks what both sources must satisfy; returns an error (without the
// flag or key name, which the caller adds) or "".
std::string validate_value(const setting& s, std::string_view text, std::uint64_t n) {
  if (s.key == "listen") {
    std::string host;
    std::uint16_t port = 0;
    if (!split_host_port(text, host, port))
      return "expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:0), got \"" + std::string(text) +
             "\"";
  }
  if (s.key == "prefix" && (text.empty() || text.front() != '/' || text.back() == '/'))
    return "must start with '/' and not end with one (e.g. /rs), got \"" + std::string(text) + "\"";
  if ((s.key == "secret" || s.key == "jwt_secret" || s.key == "api_key" || s.key == "tls_cert" ||
       s.key == "tls_key") &&
      text.empty())
    return "must not be empty";
  if (s.type == kind::number && n < s.min) return "must be at least " + std::to_string(s.min);
  return {};
}

std::string read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "cannot read config file " + path;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return {};
}

}  // namespace

bool split_host_port(std::string_view s, std::string& host, std::uint16_t& port) {
  std::size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view h = s.substr(0, colon);
  if (h.front() == '[') {  // IPv6 literal: keep the brackets off the host
    if (h.size() < 3 || h.back() != ']') return false;
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string_view::npos) {
    return false;  // a bare IPv6 address is ambiguous with the port
  }
  std::uint64_t p = 0;
  if (!parse_u64(s.substr(colon + 1), p) || p > 65535) return false;
  host = h;
  port = static_cast<std::uint16_t>(p);
  return true;
}

std::string apply_config_json(std::string_view json, config& cfg) {
  std::unique_ptr<cJSON, decltype(&cJSON_Delete)> root(
      cJSON_ParseWithLength(json.data(), json.size()), cJSON_Delete);
  if (!root) return "not valid JSON";
  if (!cJSON_IsObject(root.get())) return "must be a JSON object";
  for (const cJSON* item = root->child; item; item = item->next) {
    std::string_view key = item->string ? item->string : "";
    const setting* match = nullptr;
    for (const auto& s : settings())
      if (s.key == key) match = &s;
    if (!match) return "unknown key \"" + std::string(key) + "\"";
    std::string_view text;
    std::uint64_t n = 0;
    bool b = false;
    switch (match->type) {
      case kind::text:
        if (!cJSON_IsString(item)) return "\"" + std::string(key) + "\" must be a string";
        text = item->valuestring;
        break;
      case kind::number: {
        // cJSON keeps numbers as double: reject fractions and negatives
        // rather than truncating them.
        double d = item->valuedouble;
        if (!cJSON_IsNumber(item) || d < 0 || d != std::floor(d) || d > 9.0e15)
          return "\"" + std::string(key) + "\" must be a non-negative integer";
        n = static_cast<std::uint64_t>(d);
        break;
      }
      case kind::boolean:
        if (!cJSON_IsBool(item)) return "\"" + std::string(key) + "\" must be true or false";
        b = cJSON_IsTrue(item);
        break;
    }
    if (auto err = validate_value(*match, text, n); !err.empty())
      return "\"" + std::string(key) + "\": " + err;
    match->set(cfg, text, n, b);
  }
  return {};
}

parse_result parse_args(const std::vector<std::string_view>& args,
                        std::optional<std::string_view> env_secret) {
  parse_result r;
  // Flags are collected first and applied after the file, so that they win
  // whatever their position relative to --config.
  std::vector<std::function<void(config&)>> flag_sets;
  std::string config_path;
  auto fail = [&r](std::string msg) {
    r.what = parse_result::action::error;
    r.error = std::move(msg);
    return r;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    std::optional<std::string_view> inline_value;  // --flag=value
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string_view::npos) {
      inline_value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    auto value = [&](std::string_view& out) {
      if (inline_value) {
        out = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    auto no_value = [&] { return !inline_value.has_value(); };
    if (a == "--help" || a == "-h") {
      r.what = parse_result::action::help;
      return r;
    }
    if (a == "--version") {
      r.what = parse_result::action::version;
      return r;
    }
    if (a == "--echo" || a == "--no-demo" || a == "--no-deflate" || a == "--no-metrics") {
      if (!no_value()) return fail(std::string(a) + " takes no value");
      const std::string which(a);
      flag_sets.push_back([which](config& c) {
        if (which == "--echo")
          c.echo = true;
        else if (which == "--no-demo")
          c.demo = false;
        else if (which == "--no-metrics")
          c.metrics = false;
        else
          c.deflate = false;
      });
      continue;
    }
    if (a == "--config") {
      std::string_view v;
      if (!value(v) || v.empty()) return fail("--config needs a FILE");
      config_path = v;
      continue;
    }
    const setting* match = nullptr;
    for (const auto& s : settings())
      if (!s.flag.empty() && s.flag == a) match = &s;
    if (!match) return fail("unknown option " + std::string(a));
    std::string_view v;
    if (!value(v)) return fail(std::string(a) + " needs a value");
    std::uint64_t n = 0;
    if (match->type == kind::number && !parse_u64(v, n))
      return fail(std::string(a) + ": expected a non-negative integer, got \"" + std::string(v) +
                  "\"");
    if (auto err = validate_value(*match, v, n); !err.empty())
      return fail(std::string(a) + ": " + err);
    std::string text(v);
    flag_sets.push_back([match, text, n](config& c) { match->set(c, text, n, false); });
  }
  if (!config_path.empty()) {
    std::string json;
    if (auto err = read_file(config_path, json); !err.empty()) return fail(err);
    if (auto err = apply_config_json(json, r.cfg); !err.empty())
      return fail("config " + config_path + ": " + err);
    r.cfg.config_file = config_path;
  }
  if (env_secret && !env_secret->empty()) r.cfg.secret = *env_secret;
  for (auto& set : flag_sets)
    set(r.cfg);
  if (r.cfg.tls_cert.empty() != r.cfg.tls_key.empty())
    return fail("--tls-cert and --tls-key (tls_cert, tls_key) go together: set both or neither");
  return r;
}

std::string help_text() {
  return R"HELP(resockd — the resock session gateway: WebSocket sessions that resume after
dropped connections, channels, routes and a demo page, on one port.

Usage: resockd [options]

Options (defaults in brackets):
  --listen HOST:PORT     address to listen on; port 0 picks a free port, which
                         is printed as "PORT <n>" on stdout [127.0.0.1:8080]
  --config FILE          JSON file with any of the keys: listen, prefix, secret,
                         max_message_size, replay_max_messages, replay_max_bytes,
                         session_ttl_ms, heartbeat_ms, handshake_timeout_ms,
                         slow_consumer_ms,
                         echo, deflate,
                         max_connections, conn_rate_per_ip, origins, metrics,
                         jwt_secret, jwt_skew_s, api_key, tls_cert, tls_key.
                         Unknown keys are an error. Flags override the file.
  --prefix PATH          endpoint prefix: PATH/ws, PATH/info [/rs]
  --secret KEY           key of the resume tickets. Also read from the
                         RESOCK_SECRET environment variable (flag > env > file).
                         When none is given a random key is generated and
                         sessions do not survive a restart [random]
  --session-ttl MS       how long a disconnected session waits for its client
                         to resume [60000]
  --heartbeat MS         heartbeat interval announced to clients; a connection
                         silent for 2x this is closed (resumable) [25000]
  --handshake-timeout MS a connection must send its whole request (the
                         WebSocket handshake) within this, else it is dropped
                         (slowloris) [10000]
  --slow-consumer MS     a client that stops reading (1 MiB of output waiting)
                         this long is dropped with 4004; its session stays for
                         resume (0: never) [10000]
  --max-message BYTES    largest accepted envelope [1048576]
  --replay-messages N    unacknowledged messages kept per session for replay;
                         more and the session is lost ("overflow") [10000]
  --replay-bytes N       payload bytes kept per session for replay [8388608]
  --max-connections N    open connections at most; a new one past it is answered
                         503, open ones are not touched (0: no limit) [10000]
  --conn-rate-per-ip N   new connections per second from one IP address; past
                         it 429 (0: no limit) [1000]
  --origins LIST         comma-separated Origin values a browser page may open
                         a WebSocket from (e.g. https://app.example); others get
                         403. Clients that send no Origin are not affected [any]
  --no-metrics           do not serve GET /metrics (Prometheus text) [served]
  --jwt-secret KEY       require an HS256 JWT at connect (hello.auth or
                         Authorization: Bearer): "sub" becomes the identity,
                         "exp" is required, "nbf" checked, a "channels" array
                         (names, "prefix:*") limits subscribe and publish.
                         Refused: error forbidden + close 4000 [no auth]
  --jwt-skew SECONDS     clock skew allowed on exp / nbf [30]
  --api-key KEY          serve the backend HTTP API under PREFIX/api/ (publish,
                         send, close a session, stats: docs/api.md); requests
                         carry "Authorization: apikey KEY" [API off]
  --tls-cert FILE        serve wss:// and https:// (TLS 1.2+, OpenSSL) instead
                         of ws:// and http://, with this PEM certificate chain
                         (leaf first); needs --tls-key [plain TCP]
  --tls-key FILE         the certificate's private key (PEM, unencrypted)
  --echo                 also serve a plain WebSocket echo at /echo [off]
  --no-deflate           do not accept permessage-deflate (RFC 7692); by default
                         it is accepted when a client offers it, without context
                         takeover, and messages of 128 bytes or more are
                         compressed [on]
  --no-demo              do not serve the demo page at / and /resock.js, and do
                         not run the demo routes (chat, counter) [demo on]
  --help                 this text
  --version              print the version

Routes served: "chat" (demo: publishes {"from","text"} to channel "chat"),
"count" (replies {"c":seq,"n":runs for this session}, used by the chaos test);
channel "counter" gets {"n":k} every second (demo).

Logs: one line per connection event on stderr, with a UTC timestamp.
Signals: SIGTERM / SIGINT close every client with 1001 and exit 0, printing
"resockd: stats routes=<n> sessions=<n> disconnects=<n> publishes=<n>
encodings=<n> messages_in=<n> messages_out=<n> resumes=<n> lost=<n>".

Examples:
  resockd                                  # demo at http://127.0.0.1:8080/
  resockd --listen 0.0.0.0:9000 --secret "$(openssl rand -hex 32)"
  RESOCK_SECRET=s3cret resockd --config /etc/resockd.json --no-demo
  resockd --listen 127.0.0.1:0 --session-ttl 1000 --replay-messages 100
  resockd --tls-cert /etc/resockd/cert.pem --tls-key /etc/resockd/key.pem
)HELP";
}

}  // namespace resockd
