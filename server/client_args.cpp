#include "server/client_args.h"

#include <charconv>
#include <cstdio>

namespace resock_client {
namespace {

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

}  // namespace

parse_result parse(const std::vector<std::string_view>& argv) {
  parse_result r;
  auto fail = [&r](std::string msg) {
    r.what = parse_result::action::error;
    r.error = std::move(msg);
    return r;
  };
  args& a = r.a;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string_view f = argv[i];
    if (f == "--help" || f == "-h") {
      r.what = parse_result::action::help;
      return r;
    }
    if (f == "--json") {
      a.json = true;
      continue;
    }
    if (f == "--insecure") {
      a.insecure = true;
      continue;
    }
    if (!f.starts_with("--")) {
      if (!a.url.empty()) return fail("unexpected argument " + std::string(f));
      if (!f.starts_with("ws://") && !f.starts_with("wss://"))
        return fail("URL must start with ws:// or wss://, got " + std::string(f));
      a.url = f;
      continue;
    }
    if (i + 1 >= argv.size()) return fail(std::string(f) + " needs a value");
    std::string_view v = argv[++i];
    auto number = [&](std::uint64_t& out) {
      if (parse_u64(v, out)) return std::string();
      return std::string(f) + ": expected a non-negative integer, got \"" + std::string(v) + "\"";
    };
    std::string err;
    if (f == "--sub") {
      a.subs.emplace_back(v);
    } else if (f == "--pub") {
      a.pub = v;
    } else if (f == "--route") {
      a.route = v;
    } else if (f == "--auth") {
      a.auth = v;
    } else if (f == "--ca") {
      a.ca_file = v;
    } else if (f == "--count") {
      err = number(a.count);
    } else if (f == "--size") {
      err = number(a.size);
    } else if (f == "--exit-after-idle") {
      err = number(a.exit_after_idle_ms);
    } else if (f == "--expect") {
      err = number(a.expect);
      a.has_expect = true;
    } else if (f == "--rate") {
      // "500/s" or "500": the unit is there for readability only.
      std::string_view n = v.ends_with("/s") ? v.substr(0, v.size() - 2) : v;
      std::uint64_t per_s = 0;
      if (!parse_u64(n, per_s) || per_s == 0)
        err = "--rate: expected R/s with R > 0 (e.g. 1000/s), got \"" + std::string(v) + "\"";
      a.rate = static_cast<double>(per_s);
    } else {
      return fail("unknown option " + std::string(f));
    }
    if (!err.empty()) return fail(err);
    if ((f == "--sub" || f == "--pub" || f == "--route" || f == "--ca") && v.empty())
      return fail(std::string(f) + " needs a non-empty name");
  }
  if (a.url.empty()) return fail("missing URL (e.g. ws://127.0.0.1:8080/rs/ws)");
  if ((!a.ca_file.empty() || a.insecure) && !a.url.starts_with("wss://"))
    return fail("--ca and --insecure apply to wss:// URLs only");
  if (!a.ca_file.empty() && a.insecure) return fail("--ca and --insecure exclude each other");
  if (!a.pub.empty() && !a.route.empty()) return fail("--pub and --route exclude each other");
  if (a.count > 0 && a.pub.empty() && a.route.empty())
    return fail("--count needs --pub CH or --route R");
  if (a.size > 0 && a.count == 0) return fail("--size needs --count");
  return r;
}

std::string generated_message(std::uint64_t k, std::uint64_t size) {
  std::string head = "{\"i\":" + std::to_string(k) + ",\"pad\":\"";
  std::string tail = "\"}";
  std::string out = head;
  if (size > head.size() + tail.size()) out.append(size - head.size() - tail.size(), 'x');
  out += tail;
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string help_text() {
  return R"HELP(resock-client — connect to a resock gateway, subscribe, send, print what arrives.
The session survives dropped connections: it reconnects (exponential backoff
with jitter), resumes, resends what the server has not acknowledged, and
prints every server message exactly once, in order.

Usage: resock-client URL [--sub CH]... [--pub CH | --route R]
                         [--count N [--size S]] [--rate R/s] [--json]
                         [--auth TOKEN] [--exit-after-idle MS] [--expect N]
                         [--ca FILE | --insecure]

  URL                  ws://HOST:PORT/rs/ws, or wss:// (TLS: the server's
                       certificate is verified against the system's CAs and
                       its name against the URL's host)
  --sub CH             subscribe to channel CH (repeatable)
  --pub CH             publish to channel CH ...
  --route R            ... or send to route R (default: the server's default handler)
  --count N            send N generated messages {"i":k,"pad":"xx.."} instead of
                       reading stdin; otherwise each stdin line is sent as a
                       JSON string
  --size S             bytes of each generated message (default: no padding)
  --rate R/s           at most R messages per second (default: all at once)
  --json               print one JSON object per event on stdout:
                       connecting, connected, resumed, lost, message, error, closed
                       (default: "[seq] channel: data" per message on stdout,
                       other events on stderr)
  --auth TOKEN         sent as hello.auth (resockd uses it as your name)
  --expect N           exit once N messages were received (and ours acked);
                       without --pub/--route stdin is then ignored
  --exit-after-idle MS exit after MS ms connected without events, once ours are
                       acked; without --pub/--route stdin is then ignored
  --ca FILE            wss: trust the CA certificates in FILE (PEM), e.g. a
                       private CA, instead of the system's
  --insecure           wss: do not verify the certificate at all (testing only:
                       anyone on the path can read and change the session)
  --help               this text

Exits 0 when stdin has ended (or --count messages were sent) and the server
acknowledged everything, or on --expect / --exit-after-idle, or on
SIGINT/SIGTERM; 1 on a fatal error (e.g. an untrusted
TLS certificate: event "error" code "tls_certificate"); 2 on a usage error.

Examples:
  resock-client ws://127.0.0.1:8080/rs/ws --sub chat             # watch a channel
  echo hello | resock-client ws://127.0.0.1:8080/rs/ws --route chat --auth ann
  resock-client ws://127.0.0.1:8080/rs/ws --route count --count 1000 --rate 500/s --json
  resock-client ws://127.0.0.1:8080/rs/ws --sub bulk --expect 10000 --json > got.ndjson
)HELP";
}

}  // namespace resock_client
