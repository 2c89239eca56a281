// Section 0 — Opening handshake (RFC 6455 4.1, 4.2): ours, not Autobahn's.
// Each case writes its own HTTP request (raw mode), valid or deliberately
// broken, and judges the server's response:
//
// * valid requests: a 101 that passes the client-side checks of RFC 6455
//   4.1 for the key we sent is OK; anything else is FAILED. The WebSocket
//   is then closed with 1000.
// * invalid requests: a 4xx is OK (exact where the RFC is: 426 plus
//   Sec-WebSocket-Version for an unsupported version); another non-101
//   status, or a TCP close without any response, is NON-STRICT; 101 is
//   FAILED (and the accidental WebSocket is closed with 1000).
// * no response at all within 5 s: FAILED.
// * close verdict: OK when the server closed the connection or the close
//   handshake completed; INFORMATIONAL when the fuzzer had to drop it
//   (HTTP keep-alive after an error response is allowed). After a
//   rejection the fuzzer waits 0.5 s for the server to close, then drops.
#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"
#include "resock/error.h"
#include "resock/wire/handshake.h"

namespace resock::conformance::cases {
namespace {

constexpr double kResponseWait = 5;  // as Autobahn's openHandshakeTimeout
constexpr double kCloseGrace = 0.5;  // time given to the server to close after rejecting

// A request head we are free to break.
struct request {
  std::string method = "GET";
  std::string version = "HTTP/1.1";
  std::vector<std::pair<std::string, std::string>> headers;

  void set(std::string_view name, std::string value) {
    for (auto& [n, v] : headers)
      if (wire::iequals(n, name)) {
        v = std::move(value);
        return;
      }
    headers.emplace_back(std::string(name), std::move(value));
  }
  void remove(std::string_view name) {
    std::erase_if(headers, [name](const auto& h) { return wire::iequals(h.first, name); });
  }
  [[nodiscard]] std::string text(std::string_view resource) const {
    std::string out = method + " " + std::string(resource) + " " + version + "\r\n";
    for (const auto& [n, v] : headers)
      out += n + ": " + v + "\r\n";
    return out + "\r\n";
  }
};

request baseline(const std::string& host, const std::string& key) {
  request r;
  r.headers = {{"Host", host},
               {"User-Agent", "resock-conformance"},
               {"Upgrade", "websocket"},
               {"Connection", "Upgrade"},
               {"Sec-WebSocket-Key", key},
               {"Sec-WebSocket-Version", "13"}};
  return r;
}

enum class judge : std::uint8_t {
  accept,              // valid request: must get a good 101
  reject,              // invalid request: must get a 4xx
  reject_version,      // unsupported version: 426 + Sec-WebSocket-Version: 13
  reject_version_1_0,  // HTTP/1.0: a 4xx or 505
  oversized,           // 4xx or TCP close; 101 is informational
};

struct handshake_spec {
  std::function<void(request&)> mutate;  // breaks (or varies) the baseline
  judge how = judge::accept;
  std::size_t chopsize = 0;
  std::string offered_protocols;  // what the mutated request offers
  std::string offered_extensions;
};

class handshake_case : public test_case {
 public:
  explicit handshake_case(std::shared_ptr<const handshake_spec> spec) : spec_(std::move(spec)) {}

  void on_open(connection& c) override {
    key_ = wire::make_client_key();
    request r = baseline(c.target_host(), key_);
    if (spec_->mutate) spec_->mutate(r);
    c.send_raw(r.text(c.target_resource()), spec_->chopsize);
    result = "No HTTP response within " + std::to_string(static_cast<int>(kResponseWait)) + " s.";
    c.continue_later(
        kResponseWait,
        [this, &c] {
          if (got_response_) return;
          waited_out_ = true;
          c.drop();
        },
        "response");
  }

  bool on_http_response(connection& c, const wire::http_head& response) override {
    got_response_ = true;
    rate(response);
    if (response.status == 101) {
      // Whatever the verdict, a WebSocket is open now: close it properly.
      if (c.is_open()) {
        c.send_close(1000);
      } else {
        c.continue_later(
            0, [&c] { c.send_close(1000); }, "close");
      }
      return true;
    }
    c.continue_later(
        kCloseGrace, [&c] { c.drop(); }, "drop");
    return false;
  }

  void on_connection_lost(const close_state& s) override {
    verdict keep = behavior;
    std::string why = result;
    test_case::on_connection_lost(s);
    behavior = keep;
    result = std::move(why);
    if (!got_response_ && !waited_out_) rate_silent_close();
    if (s.was_clean || !s.dropped_by_me) {
      behavior_close = verdict::ok;
      result_close =
          s.was_clean ? "The closing handshake completed." : "The server closed the connection.";
    } else {
      behavior_close = verdict::informational;
      result_close =
          "The server kept the connection open; the fuzzer dropped it (allowed after an HTTP "
          "error response).";
    }
  }

 private:
  void set(verdict v, std::string why) {
    behavior = v;
    result = std::move(why);
  }

  void rate(const wire::http_head& response) {
    const int status = response.status;
    const std::string code = std::to_string(status);
    const bool client_error = status >= 400 && status <= 499;
    switch (spec_->how) {
      case judge::accept: {
        if (status != 101)
          return set(verdict::failed, "A valid request was answered " + code + ".");
        errc e = wire::validate_upgrade_response(response, key_, spec_->offered_protocols,
                                                 spec_->offered_extensions);
        if (e != errc::ok)
          return set(verdict::failed,
                     std::string("The 101 response is not valid: ") + describe(e) + ".");
        return set(verdict::ok, "The server accepted the upgrade with a valid 101 response.");
      }
      case judge::reject_version: {
        if (status == 101) return set(verdict::failed, "The server accepted version 8 (101).");
        const bool header = response.has_token("Sec-WebSocket-Version", "13");
        if (!header)
          return set(verdict::failed,
                     "Answered " + code + " without the Sec-WebSocket-Version: 13 header.");
        if (status == 426) return set(verdict::ok, "Answered 426 with Sec-WebSocket-Version: 13.");
        if (client_error)
          return set(verdict::non_strict,
                     "Answered " + code + " (426 expected) with Sec-WebSocket-Version: 13.");
        return set(verdict::failed, "Answered " + code + " instead of 426.");
      }
      case judge::oversized: {
        if (status == 101)
          return set(verdict::informational,
                     "The server accepted a request with a 64 KiB header line (RFC 6455 sets "
                     "no limit).");
        if (client_error)
          return set(verdict::ok, "The oversized request was rejected with " + code + ".");
        return set(verdict::non_strict,
                   "The oversized request was rejected with " + code + ", not a 4xx.");
      }
      case judge::reject:
      case judge::reject_version_1_0: {
        if (status == 101)
          return set(verdict::failed, "The server accepted an invalid request (101).");
        if (client_error || (spec_->how == judge::reject_version_1_0 && status == 505))
          return set(verdict::ok, "The invalid request was rejected with " + code + ".");
        return set(verdict::non_strict,
                   "The invalid request was rejected with " + code + ", not a 4xx.");
      }
    }
  }

  // The server closed TCP without answering at all.
  void rate_silent_close() {
    switch (spec_->how) {
      case judge::accept:
        return set(verdict::failed, "The server closed the connection without a response.");
      case judge::oversized:
        return set(verdict::ok, "The server closed the connection without a response.");
      default:
        return set(verdict::non_strict,
                   "The server closed the connection without an HTTP error response.");
    }
  }

  std::shared_ptr<const handshake_spec> spec_;
  std::string key_;
  bool got_response_ = false;
  bool waited_out_ = false;
};

const char* kAcceptRule =
    "The server answers 101 with a response that passes the client's checks of RFC 6455 4.1 "
    "(Upgrade, Connection, Sec-WebSocket-Accept for our key, no unoffered subprotocol or "
    "extension): OK; any other answer, or none, is FAILED. The fuzzer then closes the "
    "WebSocket with 1000; close verdict OK when the closing handshake completes or the server "
    "closes TCP, else INFORMATIONAL.";
const char* kRejectRule =
    "A 4xx response is OK; another non-101 status, or a TCP close without any response, is "
    "NON-STRICT; 101 is FAILED; no response within 5 s is FAILED. Close verdict: OK when the "
    "server closes the connection (the fuzzer waits 0.5 s after the response, then drops it), "
    "INFORMATIONAL when it keeps it open (HTTP keep-alive after an error is allowed).";

case_info entry(std::string id, std::string description, std::string expectation,
                handshake_spec spec) {
  auto shared = std::make_shared<const handshake_spec>(std::move(spec));
  case_info info;
  info.id = std::move(id);
  info.description = std::move(description);
  info.expectation = std::move(expectation);
  info.raw = true;
  info.make = [shared]() -> std::unique_ptr<test_case> {
    return std::make_unique<handshake_case>(shared);
  };
  // Response wait, then at most the 0.5 s grace or the 1 s + 1 s close.
  info.hard_timeout_s = hard_timeout_for(kResponseWait + 2);
  return info;
}

case_info valid(std::string id, std::string description, std::string what, handshake_spec spec) {
  spec.how = judge::accept;
  return entry(std::move(id), std::move(description), what + " " + kAcceptRule, std::move(spec));
}

case_info invalid(std::string id, std::string description, std::function<void(request&)> mutate,
                  judge how = judge::reject) {
  handshake_spec spec;
  spec.mutate = std::move(mutate);
  spec.how = how;
  return entry(std::move(id), std::move(description), kRejectRule, std::move(spec));
}

void add_valid(std::vector<case_info>& out) {
  out.push_back(valid("0.1.1",
                      "A plain, valid upgrade request (RFC 6455 4.1, 4.2.1), then a normal "
                      "close.",
                      "The server accepts it.", {}));
  {
    handshake_spec spec;
    spec.mutate = [](request& r) { r.set("Connection", "keep-alive, Upgrade"); };
    out.push_back(valid("0.1.2",
                        "A valid upgrade request with \"Connection: keep-alive, Upgrade\": the "
                        "header only has to include the Upgrade token (RFC 6455 4.2.1, item 4).",
                        "The server accepts it (101).", std::move(spec)));
  }
  {
    handshake_spec spec;
    spec.chopsize = 1;
    out.push_back(valid("0.1.3",
                        "A valid upgrade request written one byte per TCP write (RFC 6455 4.2.1; "
                        "TCP is a byte stream, the head may arrive in any split).",
                        "The server accepts it.", std::move(spec)));
  }
  {
    handshake_spec spec;
    spec.mutate = [](request& r) {
      for (auto& [name, value] : r.headers) {
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        if (name == "upgrade") value = "WebSocket";
        if (name == "connection") value = "UPGRADE";
      }
    };
    out.push_back(valid("0.1.4",
                        "A valid upgrade request with lower-case header names and mixed-case "
                        "Upgrade/Connection values, which compare case-insensitively (RFC 6455 "
                        "4.2.1, items 3 and 4).",
                        "The server accepts it.", std::move(spec)));
  }
}

void add_invalid(std::vector<case_info>& out) {
  out.push_back(invalid("0.2.1",
                        "An upgrade request without Sec-WebSocket-Key (RFC 6455 4.2.1, item 5).",
                        [](request& r) { r.remove("Sec-WebSocket-Key"); }));
  out.push_back(invalid("0.2.2",
                        "An upgrade request whose Sec-WebSocket-Key decodes to 15 bytes instead "
                        "of 16 (RFC 6455 4.2.1, item 5).",
                        [](request& r) { r.set("Sec-WebSocket-Key", "cmVzb2NrLWNvbmZvcm0h"); }));
  out.push_back(
      invalid("0.2.3",
              "An upgrade request whose Sec-WebSocket-Key has 24 characters but is not "
              "base64 (RFC 6455 4.2.1, item 5).",
              [](request& r) { r.set("Sec-WebSocket-Key", "@@@@not*base64*at*all@=="); }));
  {
    handshake_spec spec;
    spec.mutate = [](request& r) { r.set("Sec-WebSocket-Version", "8"); };
    spec.how = judge::reject_version;
    out.push_back(entry(
        "0.2.4", "An upgrade request with Sec-WebSocket-Version: 8 (RFC 6455 4.2.2 item 4, 4.4).",
        "The server must refuse the version and name the ones it supports: 426 with "
        "Sec-WebSocket-Version: 13 is OK; another 4xx with that header is NON-STRICT; no such "
        "header, 101, another status or no response is FAILED; a TCP close without response "
        "is NON-STRICT. Close verdict: OK when the server closes the connection (the fuzzer "
        "waits 0.5 s, then drops it), else INFORMATIONAL.",
        std::move(spec)));
  }
  out.push_back(invalid("0.2.5",
                        "An upgrade request without Sec-WebSocket-Version (RFC 6455 4.2.1, item "
                        "6).",
                        [](request& r) { r.remove("Sec-WebSocket-Version"); }));
  out.push_back(invalid("0.2.6",
                        "An upgrade request without the Upgrade header (RFC 6455 4.2.1, item 3).",
                        [](request& r) { r.remove("Upgrade"); }));
  out.push_back(invalid("0.2.7",
                        "An upgrade request without the Connection header (RFC 6455 4.2.1, item "
                        "4).",
                        [](request& r) { r.remove("Connection"); }));
  out.push_back(invalid("0.2.8",
                        "An upgrade request with method POST instead of GET (RFC 6455 4.2.1, item "
                        "1).",
                        [](request& r) { r.method = "POST"; }));
  out.push_back(invalid(
      "0.2.9",
      "An upgrade request sent as HTTP/1.0 (RFC 6455 4.2.1 item 1: HTTP/1.1 or "
      "higher). 505 counts as a rejection too.",
      [](request& r) { r.version = "HTTP/1.0"; }, judge::reject_version_1_0));
}

void add_negotiation(std::vector<case_info>& out) {
  out.push_back(valid("0.3.1",
                      "A valid upgrade request offering no subprotocol: the response must not "
                      "select one (RFC 6455 4.2.2 item 5.4, 4.1).",
                      "The server accepts it without Sec-WebSocket-Protocol.", {}));
  {
    handshake_spec spec;
    spec.mutate = [](request& r) { r.set("Sec-WebSocket-Protocol", "chat"); };
    spec.offered_protocols = "chat";
    out.push_back(valid("0.3.2",
                        "A valid upgrade request offering the subprotocol \"chat\": the server "
                        "may select it or none, nothing else (RFC 6455 4.2.2 item 5.4).",
                        "The server accepts it; Sec-WebSocket-Protocol is absent or \"chat\".",
                        std::move(spec)));
  }
  out.push_back(valid("0.3.3",
                      "A valid upgrade request offering no extension: the response must not "
                      "name one (RFC 6455 4.2.2 item 5.5, 9.1).",
                      "The server accepts it without Sec-WebSocket-Extensions.", {}));
  {
    handshake_spec spec;
    spec.mutate = [](request& r) { r.set("Sec-WebSocket-Extensions", "x-resock-unknown"); };
    spec.offered_extensions = "x-resock-unknown";
    out.push_back(valid("0.3.4",
                        "A valid upgrade request offering an extension the server cannot know "
                        "(x-resock-unknown): it must be ignored, and no other extension named "
                        "(RFC 6455 9.1).",
                        "The server accepts it without selecting an extension it was not "
                        "offered.",
                        std::move(spec)));
  }
}

void add_limits(std::vector<case_info>& out) {
  handshake_spec spec;
  spec.mutate = [](request& r) { r.set("X-Resock-Padding", std::string(64 * 1024, 'a')); };
  spec.how = judge::oversized;
  out.push_back(entry(
      "0.4.1",
      "A valid upgrade request carrying one 64 KiB header line. RFC 6455 sets no head size "
      "limit but lets servers bound their resources (RFC 6455 10.4; 431 is RFC 6585).",
      "A 4xx response (400 or 431) or a TCP close without response is OK; 101 is "
      "INFORMATIONAL (allowed, but the server buffers any head size); another status is "
      "NON-STRICT; no response within 5 s is FAILED. Close verdict: OK when the server closes "
      "the connection or the closing handshake completes, else INFORMATIONAL.",
      std::move(spec)));
}

}  // namespace

void add_section0_handshake(std::vector<case_info>& out) {
  add_valid(out);
  add_invalid(out);
  add_negotiation(out);
  add_limits(out);
}

}  // namespace resock::conformance::cases
