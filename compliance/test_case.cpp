#include "compliance/test_case.h"

#include <string>

namespace resock::conformance {

namespace {

bool contains(const std::vector<std::uint32_t>& codes, std::uint32_t code) {
  for (const std::uint32_t c : codes)
    if (c == code) return true;
  return false;
}

// "1000,1001": Autobahn joins the allowed codes with a bare comma.
std::string join_codes(const std::vector<std::uint32_t>& codes) {
  std::string out;
  for (const std::uint32_t c : codes) {
    if (!out.empty()) out += ',';
    out += std::to_string(c);
  }
  return out;
}

}  // namespace

void test_case::on_message(connection& c, std::string_view payload, bool binary) {
  received.push_back(event::message(std::string(payload), binary));
  finish_when_done(c);
}

void test_case::on_pong(connection& c, std::string_view payload) {
  received.push_back(event::pong(std::string(payload)));
  finish_when_done(c);
}

void test_case::finish_when_done(connection& c) {
  // Every list must match, so a case with alternative outcomes (OK and
  // NON-STRICT differ) never closes on its own; an empty map matches
  // vacuously, as in Autobahn.
  for (const auto& [v, list] : expected) {
    if (received != list) return;
  }
  if (expect_close.closed_by_me && !suppress_close && !expect_close.codes.empty())
    c.send_close(static_cast<std::uint16_t>(expect_close.codes.front()));
}

void test_case::on_connection_lost(const close_state& s) {
  // 1. The first expected outcome (in order) equal to what arrived.
  for (const auto& [v, list] : expected) {
    if (received == list) {
      behavior = v;
      result = "Actual events match at least one expected.";
      break;
    }
  }

  // 2. How the connection ended; the first rule that applies wins.
  if (!s.opened) {
    behavior_close = verdict::failed;
    result_close = "The WebSocket opening handshake was never completed!";
  } else if (expect_close.closed_by_me != s.closed_by_me) {
    behavior_close = verdict::failed;
    result_close = "The connection was failed by the wrong endpoint";
  } else if (expect_close.require_clean && !s.was_clean) {
    behavior_close = verdict::unclean;
    result_close = "The spec requires the connection to be failed cleanly here";
  } else if (s.remote_close_code && !contains(expect_close.codes, *s.remote_close_code)) {
    behavior_close = verdict::wrong_code;
    result_close =
        "The close code should have been " + join_codes(expect_close.codes) + " or empty";
  } else if (s.dropped_by_me) {
    behavior_close = verdict::failed_by_client;
    result_close = "It is preferred that the server close the TCP connection";
  } else {
    behavior_close = verdict::ok;
    result_close = "Connection was properly closed";
  }

  // 3. For the UTF-8 cases a close by the wrong side means the server never
  // noticed the bad payload, which is a failure of the case itself.
  if (expect_close.closed_by_wrong_endpoint_is_fatal && expect_close.closed_by_me != s.closed_by_me)
    behavior = verdict::failed;
}

}  // namespace resock::conformance
