// resock's error categories: every errc maps to one broad condition by its
// hundreds digit, so adding a value inside a group needs no other change.
#include "resock/error.h"

#include <string>

namespace resock {
namespace {

// The group is encoded in the value itself (see error.h); 0 (ok) and
// unknown values belong to no group.
int group_of(int value) noexcept {
  if (value >= 100 && value < 500) return value / 100;
  return 0;
}

class resock_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "resock"; }

  std::string message(int value) const override { return describe(static_cast<errc>(value)); }

  std::error_condition default_error_condition(int value) const noexcept override {
    const int group = group_of(value);
    if (group != 0) return {group, condition_category()};
    return {value, *this};
  }
};

class condition_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "resock.condition"; }

  std::string message(int value) const override {
    switch (static_cast<condition>(value)) {
      case condition::protocol_violation:
        return "WebSocket protocol violation";
      case condition::handshake_failed:
        return "WebSocket opening handshake failed";
      case condition::transport_closed:
        return "connection closed or could not be established";
      case condition::limit_exceeded:
        return "configured limit exceeded";
    }
    return "unknown resock condition";
  }

  // Lets an error_code from resock's own category compare equal to a
  // condition even if someone builds the condition by hand.
  bool equivalent(const std::error_code& code, int cond) const noexcept override {
    return code.category() == resock::error_category() && group_of(code.value()) == cond &&
           cond != 0;
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const resock_category instance;
  return instance;
}

const std::error_category& condition_category() noexcept {
  static const condition_category_impl instance;
  return instance;
}

std::uint16_t close_code_for(errc e) noexcept {
  // Literal codes rather than wire/close.h constants keep error.cpp free of
  // a dependency on the codec headers.
  switch (e) {
    case errc::invalid_utf8:
      return 1007;
    case errc::frame_too_big:
    case errc::message_too_big:
      return 1009;
    default:
      break;
  }
  if (group_of(static_cast<int>(e)) == 1) return 1002;
  return 1006;
}

// Reasons double as close-frame text, so each stays far below the 123-byte
// limit of a close reason and is plain ASCII.
const char* describe(errc e) noexcept {
  switch (e) {
    case errc::ok:
      return "success";
    case errc::reserved_bits_set:
      return "reserved bits set";
    case errc::unknown_opcode:
      return "unknown opcode";
    case errc::fragmented_control:
      return "fragmented control frame";
    case errc::control_too_long:
      return "control frame payload too long";
    case errc::length_msb_set:
      return "payload length has the top bit set";
    case errc::length_not_minimal:
      return "payload length not minimally encoded";
    case errc::mask_required:
      return "client frame not masked";
    case errc::mask_forbidden:
      return "server frame masked";
    case errc::unexpected_continuation:
      return "continuation frame without a message";
    case errc::expected_continuation:
      return "expected a continuation frame";
    case errc::invalid_utf8:
      return "invalid UTF-8";
    case errc::invalid_close_payload:
      return "invalid close payload";
    case errc::invalid_close_code:
      return "invalid close code";
    case errc::http_malformed:
      return "malformed HTTP head";
    case errc::http_head_too_large:
      return "HTTP head too large";
    case errc::http_too_many_headers:
      return "too many HTTP headers";
    case errc::handshake_not_get:
      return "handshake method is not GET";
    case errc::handshake_http_version:
      return "handshake HTTP version below 1.1";
    case errc::handshake_no_upgrade:
      return "missing Upgrade: websocket";
    case errc::handshake_no_connection:
      return "missing Connection: upgrade";
    case errc::handshake_no_key:
      return "missing Sec-WebSocket-Key";
    case errc::handshake_bad_key:
      return "invalid Sec-WebSocket-Key";
    case errc::handshake_bad_version:
      return "unsupported Sec-WebSocket-Version";
    case errc::handshake_no_host:
      return "missing Host header";
    case errc::handshake_bad_status:
      return "handshake response status is not 101";
    case errc::handshake_bad_accept:
      return "Sec-WebSocket-Accept mismatch";
    case errc::handshake_unoffered_protocol:
      return "server chose an unoffered subprotocol";
    case errc::handshake_unoffered_extension:
      return "server chose an unoffered extension";
    case errc::connection_closed:
      return "connection closed";
    case errc::connection_refused:
      return "connection refused";
    case errc::connection_timeout:
      return "connection timed out";
    case errc::tls_failed:
      return "TLS failure";
    case errc::resolve_failed:
      return "name resolution failed";
    case errc::frame_too_big:
      return "frame too big";
    case errc::message_too_big:
      return "message too big";
  }
  return "unknown resock error";
}

}  // namespace resock
