// Section 2 — Pings/Pongs (RFC 6455 5.5.2 / 5.5.3): pings must be answered
// with the same payload, control frames over 125 bytes are a protocol
// error, unsolicited pongs are ignored.
#include <string>

#include "compliance/cases/case_kit.h"
#include "compliance/cases/sections.h"

namespace resock::conformance::cases {
namespace {

const std::string kHello = "Hello, world!";
const std::string kUnsolicited = "unsolicited pong payload";

case_info ping_echo(std::string id, std::string payload, std::string what, pacing p,
                    double close_s) {
  script s;
  s.expected = ok({pong(payload)});
  s.after = close_after(close_s);
  s.run = [payload, p](connection& c) { send_frames(c, {{op_ping, payload}}, p); };
  std::string description = "Send a ping with " + what + ".";
  if (p == pacing::chop1) description = "Send a ping with " + what + ", one byte per TCP write.";
  return make_scripted(std::move(id), std::move(description),
                       "A pong with the same payload comes back; then a normal close.",
                       std::move(s), close_s);
}

case_info many_pings(std::string id, pacing p) {
  script s;
  event_list pongs;
  std::vector<frame> pings;
  for (int i = 0; i < 10; ++i) {
    std::string payload = "payload-" + std::to_string(i);
    pings.push_back({op_ping, payload});
    pongs.push_back(pong(payload));
  }
  s.expected = ok(std::move(pongs));
  s.after = close_after(3);
  s.run = [pings = std::move(pings), p](connection& c) { send_frames(c, pings, p); };
  std::string description = "Send 10 pings back to back, payloads \"payload-0\" to \"payload-9\"";
  description += p == pacing::chop1 ? ", each written one byte per TCP write." : ".";
  return make_scripted(std::move(id), std::move(description),
                       "Ten pongs come back in the same order with the same payloads; then a "
                       "normal close.",
                       std::move(s), 3);
}

}  // namespace

void add_section2_pings(std::vector<case_info>& out) {
  out.push_back(ping_echo("2.1", "", "an empty payload", pacing::normal, 1));
  out.push_back(ping_echo("2.2", kHello, "a short text payload", pacing::normal, 1));
  out.push_back(ping_echo("2.3", from_hex("00fffefdfcfb00ff"), "an 8-byte binary payload",
                          pacing::normal, 1));
  out.push_back(ping_echo("2.4", std::string(125, '\xFE'),
                          "the largest payload a control frame may carry (125 bytes)",
                          pacing::normal, 1));
  {
    script s;
    s.expected = ok({});
    s.close = server_fails({1002});
    s.after = kill_after(1);
    s.run = [](connection& c) { c.send_frame(op_ping, std::string(126, '\xFE')); };
    out.push_back(make_scripted(
        "2.5", "Send a ping with a 126-byte payload, over the control-frame limit of 125.",
        "The server fails the connection (RFC 6455 5.5: control frames carry at most 125 "
        "bytes). No pong.",
        std::move(s), 1));
  }
  out.push_back(ping_echo("2.6", std::string(125, '\xFE'), "a 125-byte payload", pacing::chop1, 2));
  {
    script s;
    s.expected = ok({});
    s.after = close_after(1);
    s.run = [](connection& c) {
      c.send_frame(op_pong, "");
      c.send_close(1000);
    };
    out.push_back(
        make_scripted("2.7", "Send an unsolicited pong with an empty payload, then close.",
                      "The pong is ignored (nothing comes back); normal close.", std::move(s), 1));
  }
  {
    script s;
    s.expected = ok({});
    s.after = close_after(1);
    s.run = [](connection& c) {
      c.send_frame(op_pong, kUnsolicited);
      c.send_close(1000);
    };
    out.push_back(make_scripted("2.8", "Send an unsolicited pong with a payload, then close.",
                                "The pong is ignored (nothing comes back); normal close.",
                                std::move(s), 1));
  }
  {
    script s;
    s.expected = ok({pong("ping payload")});
    s.after = close_after(1);
    s.run = [](connection& c) {
      c.send_frame(op_pong, kUnsolicited);
      c.send_frame(op_ping, "ping payload");
    };
    out.push_back(make_scripted("2.9", "Send an unsolicited pong, then a ping.",
                                "Only the ping is answered, with a pong of the same payload; "
                                "normal close.",
                                std::move(s), 1));
  }
  out.push_back(many_pings("2.10", pacing::normal));
  out.push_back(many_pings("2.11", pacing::chop1));
}

}  // namespace resock::conformance::cases
