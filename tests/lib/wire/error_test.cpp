#include "resock/error.h"

// cmocka.h needs these, in this order, before it.
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5 (Debian) declares its C functions without an extern "C" guard.
extern "C" {
#include <cmocka.h>
}
// clang-format on

#include <cstring>
#include <string>

#include "resock/wire/wire_error.h"

namespace {

using resock::condition;
using resock::errc;

// Every defined value, to catch a new errc that forgot its message.
constexpr errc kAll[] = {
    errc::reserved_bits_set,
    errc::unknown_opcode,
    errc::fragmented_control,
    errc::control_too_long,
    errc::length_msb_set,
    errc::length_not_minimal,
    errc::mask_required,
    errc::mask_forbidden,
    errc::unexpected_continuation,
    errc::expected_continuation,
    errc::invalid_utf8,
    errc::invalid_close_payload,
    errc::invalid_close_code,
    errc::http_malformed,
    errc::http_head_too_large,
    errc::http_too_many_headers,
    errc::handshake_not_get,
    errc::handshake_http_version,
    errc::handshake_no_upgrade,
    errc::handshake_no_connection,
    errc::handshake_no_key,
    errc::handshake_bad_key,
    errc::handshake_bad_version,
    errc::handshake_no_host,
    errc::handshake_bad_status,
    errc::handshake_bad_accept,
    errc::handshake_unoffered_protocol,
    errc::handshake_unoffered_extension,
    errc::connection_closed,
    errc::connection_refused,
    errc::connection_timeout,
    errc::tls_failed,
    errc::resolve_failed,
    errc::frame_too_big,
    errc::message_too_big,
};

condition group(errc e) {
  return static_cast<condition>(static_cast<int>(e) / 100);
}

void test_category_names(void**) {
  assert_string_equal(resock::error_category().name(), "resock");
  const std::error_code ec = errc::invalid_utf8;  // implicit via is_error_code_enum
  assert_ptr_equal(&ec.category(), &resock::error_category());
  assert_int_equal(ec.value(), 110);
  assert_string_not_equal(resock::condition_category().name(), "resock");
}

void test_messages_non_empty_and_distinct(void**) {
  const std::string unknown = resock::describe(static_cast<errc>(9999));
  for (errc e : kAll) {
    const char* d = resock::describe(e);
    assert_non_null(d);
    assert_true(std::strlen(d) > 0);
    assert_true(std::strlen(d) < 123);  // fits a close frame reason
    assert_string_not_equal(d, unknown.c_str());
    assert_string_equal(resock::make_error_code(e).message().c_str(), d);
    for (errc other : kAll) {
      if (other != e) assert_string_not_equal(d, resock::describe(other));
    }
  }
  assert_true(std::strlen(resock::describe(errc::ok)) > 0);
  assert_false(unknown.empty());
  for (int c = 1; c <= 4; ++c) {
    assert_false(resock::make_error_condition(static_cast<condition>(c)).message().empty());
  }
}

void test_conditions(void**) {
  assert_true(resock::make_error_code(errc::invalid_utf8) == condition::protocol_violation);
  assert_true(resock::make_error_code(errc::reserved_bits_set) == condition::protocol_violation);
  assert_true(resock::make_error_code(errc::invalid_close_code) == condition::protocol_violation);
  assert_false(resock::make_error_code(errc::invalid_utf8) == condition::handshake_failed);
  assert_true(resock::make_error_code(errc::http_malformed) == condition::handshake_failed);
  assert_true(resock::make_error_code(errc::handshake_unoffered_extension) ==
              condition::handshake_failed);
  assert_true(resock::make_error_code(errc::connection_closed) == condition::transport_closed);
  assert_true(resock::make_error_code(errc::resolve_failed) == condition::transport_closed);
  assert_true(resock::make_error_code(errc::frame_too_big) == condition::limit_exceeded);
  assert_true(resock::make_error_code(errc::message_too_big) == condition::limit_exceeded);
  assert_false(resock::make_error_code(errc::message_too_big) == condition::protocol_violation);

  for (errc e : kAll) {
    const std::error_code ec = resock::make_error_code(e);
    for (int c = 1; c <= 4; ++c) {
      const bool expect = group(e) == static_cast<condition>(c);
      assert_int_equal(ec == static_cast<condition>(c), expect);
    }
    assert_int_equal(ec.default_error_condition().value(), static_cast<int>(group(e)));
  }
  // ok and foreign codes belong to no group.
  const std::error_code ok = resock::make_error_code(errc::ok);
  for (int c = 1; c <= 4; ++c)
    assert_false(ok == static_cast<condition>(c));
  const std::error_code foreign(1, std::generic_category());
  assert_false(foreign == condition::protocol_violation);
}

void test_close_code_for(void**) {
  assert_int_equal(resock::close_code_for(errc::invalid_utf8), 1007);
  assert_int_equal(resock::close_code_for(errc::frame_too_big), 1009);
  assert_int_equal(resock::close_code_for(errc::message_too_big), 1009);
  assert_int_equal(resock::close_code_for(errc::reserved_bits_set), 1002);
  assert_int_equal(resock::close_code_for(errc::invalid_close_payload), 1002);
  assert_int_equal(resock::close_code_for(errc::invalid_close_code), 1002);
  assert_int_equal(resock::close_code_for(errc::ok), 1006);
  assert_int_equal(resock::close_code_for(errc::http_malformed), 1006);
  assert_int_equal(resock::close_code_for(errc::connection_closed), 1006);
  for (errc e : kAll) {
    std::uint16_t expect = 1006;
    if (e == errc::invalid_utf8) {
      expect = 1007;
    } else if (e == errc::frame_too_big || e == errc::message_too_big) {
      expect = 1009;
    } else if (group(e) == condition::protocol_violation) {
      expect = 1002;
    }
    assert_int_equal(resock::close_code_for(e), expect);
  }
}

void test_make_wire_error(void**) {
  const auto w = resock::wire::make_wire_error(errc::unknown_opcode);
  assert_true(static_cast<bool>(w));
  assert_int_equal(w.close_code, 1002);
  assert_string_equal(w.reason, resock::describe(errc::unknown_opcode));
  assert_false(static_cast<bool>(resock::wire::wire_error{}));
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_category_names),
      cmocka_unit_test(test_messages_non_empty_and_distinct),
      cmocka_unit_test(test_conditions),
      cmocka_unit_test(test_close_code_for),
      cmocka_unit_test(test_make_wire_error),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
