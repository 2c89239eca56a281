// Tests of the v1 envelope codec: lib/protocol/{decode,encode,json_scan,
// json_escape,error}.cpp.
#include "protocol/envelope.h"

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

#include <string>
#include <string_view>

#include "protocol/decode.h"
#include "protocol/encode.h"
#include "protocol/error.h"
#include "protocol/json_escape.h"
#include "protocol/json_scan.h"

namespace {

using namespace resock::protocol;

error dec(std::string_view text, sender from, envelope& e, std::size_t max = 1 << 20) {
  return decode(text, from, e, {.max_size = max});
}

void expect_error(std::string_view text, sender from, error want) {
  envelope e;
  error got = dec(text, from, e);
  if (got != want) {
    fail_msg("%.*s: got %s, want %s", static_cast<int>(text.size()), text.data(),
             std::string(error_name(got)).c_str(), std::string(error_name(want)).c_str());
  }
}

void test_error_names_are_stable(void**) {
  struct {
    error e;
    const char* name;
  } const table[] = {
      {error::bad_json, "bad_json"},
      {error::bad_envelope, "bad_envelope"},
      {error::unknown_type, "unknown_type"},
      {error::too_big, "too_big"},
      {error::unsupported_version, "unsupported_version"},
      {error::hello_required, "hello_required"},
      {error::already_hello, "already_hello"},
      {error::forbidden, "forbidden"},
      {error::unknown_route, "unknown_route"},
      {error::bad_ticket, "bad_ticket"},
      {error::internal, "internal"},
  };
  for (const auto& t : table) {
    assert_string_equal(std::string(error_name(t.e)).c_str(), t.name);
    auto back = error_from_name(t.name);
    assert_true(back.has_value());
    assert_int_equal(static_cast<int>(*back), static_cast<int>(t.e));
  }
  assert_false(error_from_name("none").has_value());
  assert_false(error_from_name("nope").has_value());
  // The values are part of the ABI of the enum: never renumbered.
  assert_int_equal(static_cast<int>(error::bad_json), 1);
  assert_int_equal(static_cast<int>(error::internal), 11);
}

void test_client_msg_keeps_raw_data(void**) {
  envelope e;
  const std::string text =
      R"({"t":"msg","c":7,"ch":"room:1","d": {"a" : [1, 2.50, "x\u00e9"], "b":null} })";
  assert_int_equal(static_cast<int>(dec(text, sender::client, e)), 0);
  assert_int_equal(static_cast<int>(e.t), static_cast<int>(type::msg));
  assert_int_equal(e.seq, 7);
  assert_true(e.has_channel);
  assert_string_equal(e.channel.c_str(), "room:1");
  // Byte for byte what was sent, whitespace and escapes included.
  assert_string_equal(std::string(e.data).c_str(), R"({"a" : [1, 2.50, "x\u00e9"], "b":null})");
  // And a view into the input, not a copy.
  assert_true(e.data.data() > text.data() && e.data.data() < text.data() + text.size());
  assert_false(e.binary);
}

void test_msg_variants(void**) {
  envelope e;
  assert_int_equal(
      static_cast<int>(dec(R"({"t":"msg","c":1,"r":"echo","d":"hi"})", sender::client, e)), 0);
  assert_true(e.has_route);
  assert_string_equal(e.route.c_str(), "echo");
  assert_string_equal(std::string(e.data).c_str(), "\"hi\"");

  assert_int_equal(static_cast<int>(dec(R"({"t":"msg","c":2,"d":0})", sender::client, e)), 0);
  assert_false(e.has_route);
  assert_false(e.has_channel);
  assert_string_equal(std::string(e.data).c_str(), "0");

  assert_int_equal(static_cast<int>(dec(R"({"t":"msg","c":3,"b":"AAEC-_=="})", sender::client, e)),
                   0);
  assert_true(e.binary);
  assert_string_equal(std::string(e.data).c_str(), "AAEC-_==");

  // Unknown fields are ignored, order does not matter.
  assert_int_equal(static_cast<int>(dec(R"({"x":{"y":[]},"d":[true],"c":4,"t":"msg","zz":1})",
                                        sender::client, e)),
                   0);
  assert_int_equal(e.seq, 4);
  assert_string_equal(std::string(e.data).c_str(), "[true]");

  // Server msg uses "s".
  assert_int_equal(static_cast<int>(dec(R"({"t":"msg","s":9,"ch":"c","d":{}})", sender::server, e)),
                   0);
  assert_int_equal(e.seq, 9);
}

void test_escaped_keys_are_found(void**) {
  envelope e;
  // "\u0064" is "d": a JSON parser sees the member "d", so must the scanner.
  assert_int_equal(static_cast<int>(dec(R"({"t":"msg","c":1,"\u0064":[1]})", sender::client, e)),
                   0);
  assert_string_equal(std::string(e.data).c_str(), "[1]");
  // Duplicate keys: the first one, as cJSON does.
  assert_int_equal(static_cast<int>(dec(R"({"t":"msg","c":1,"d":1,"d":2})", sender::client, e)), 0);
  assert_string_equal(std::string(e.data).c_str(), "1");
}

void test_decode_errors(void**) {
  expect_error("", sender::client, error::bad_json);
  expect_error("nope", sender::client, error::bad_json);
  expect_error("[]", sender::client, error::bad_json);
  expect_error("\"t\"", sender::client, error::bad_json);
  expect_error(R"({"t":"ping"} {})", sender::client, error::bad_json);
  expect_error(R"({"t":"ping")", sender::client, error::bad_json);
  expect_error("{\"t\":\"ping\",\"x\":\"\xff\"}", sender::client, error::bad_json);
  expect_error(R"({"t":1})", sender::client, error::bad_envelope);
  expect_error(R"({})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"bogus"})", sender::client, error::unknown_type);
  expect_error(R"({"t":"welcome"})", sender::client, error::unknown_type);
  expect_error(R"({"t":"hello","v":1})", sender::server, error::unknown_type);
  expect_error(R"({"t":"sub","ch":"x"})", sender::server, error::unknown_type);
  expect_error(R"({"t":"msg","d":1})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":1})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":1,"d":1,"b":"AA"})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":1.5,"d":1})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":-1,"d":1})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":9007199254740992,"d":1})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":"1","d":1})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":1,"ch":"","d":1})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":1,"ch":1,"d":1})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":1,"ch":"a","r":"b","d":1})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":1,"b":"a b"})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":1,"b":"\u0041"})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"msg","c":1,"b":5})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"ack"})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"sub"})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"hello"})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"hello","v":2})", sender::client, error::unsupported_version);
  expect_error(R"({"t":"hello","v":1,"resume":{"sid":"a"}})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"hello","v":1,"auth":5})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"close","code":999})", sender::client, error::bad_envelope);
  expect_error(R"({"t":"close","code":5000})", sender::client, error::bad_envelope);
  std::string long_name(kMaxNameSize + 1, 'x');
  expect_error(R"({"t":"sub","ch":")" + long_name + "\"}", sender::client, error::bad_envelope);
}

void test_too_big_is_checked_before_parsing(void**) {
  envelope e;
  // Not even JSON: the size is checked first.
  std::string junk(101, '{');
  assert_int_equal(static_cast<int>(dec(junk, sender::client, e, 100)),
                   static_cast<int>(error::too_big));
  std::string ok = R"({"t":"ping"})";
  assert_int_equal(static_cast<int>(dec(ok, sender::client, e, ok.size())), 0);
  assert_int_equal(static_cast<int>(dec(ok, sender::client, e, ok.size() - 1)),
                   static_cast<int>(error::too_big));
}

void test_error_keeps_msg_seq(void**) {
  envelope e;
  // A msg with a bad payload still reports its c, so the error can name it.
  assert_int_equal(static_cast<int>(dec(R"({"t":"msg","c":12})", sender::client, e)),
                   static_cast<int>(error::bad_envelope));
  assert_int_equal(static_cast<int>(e.t), static_cast<int>(type::msg));
  assert_int_equal(e.seq, 12);
}

void test_hello_and_welcome(void**) {
  envelope e;
  assert_int_equal(static_cast<int>(dec(
                       R"({"t":"hello","v":1,"auth":"tok","resume":{"sid":"S","tk":"T","ack":41}})",
                       sender::client, e)),
                   0);
  assert_string_equal(e.auth.c_str(), "tok");
  assert_true(e.has_resume);
  assert_string_equal(e.sid.c_str(), "S");
  assert_string_equal(e.ticket.c_str(), "T");
  assert_int_equal(e.ack, 41);

  std::string w;
  append_welcome(w, {.sid = "S",
                     .ticket = "T",
                     .heartbeat = 25000,
                     .resumed = false,
                     .ack = 3,
                     .lim = {1048576, 10000, 8388608, 60000},
                     .lost = "expired"});
  assert_string_equal(w.c_str(),
                      R"({"t":"welcome","v":1,"sid":"S","tk":"T","hb":25000,"resumed":false,)"
                      R"("ack":3,"limits":{"max_message":1048576,"replay_messages":10000,)"
                      R"("replay_bytes":8388608,"ttl":60000},"lost":"expired"})");
  assert_int_equal(static_cast<int>(dec(w, sender::server, e)), 0);
  assert_int_equal(e.heartbeat, 25000);
  assert_false(e.resumed);
  assert_int_equal(e.ack, 3);
  assert_true(e.has_limits);
  assert_int_equal(e.lim.replay_bytes, 8388608);
  assert_string_equal(e.lost.c_str(), "expired");
}

void test_hot_encoders(void**) {
  std::string out;
  append_msg_head(out, 5);
  out += make_msg_body("chat", R"({"x":1})");
  assert_string_equal(out.c_str(), R"({"t":"msg","s":5,"ch":"chat","d":{"x":1}})");
  out.clear();
  append_msg_head(out, 6);
  out += make_msg_body({}, "[]");
  assert_string_equal(out.c_str(), R"({"t":"msg","s":6,"d":[]})");
  out.clear();
  append_client_msg(out, 1, {}, "echo", "2");
  assert_string_equal(out.c_str(), R"({"t":"msg","c":1,"r":"echo","d":2})");
  out.clear();
  append_ack(out, sender::client, 17);
  append_ack(out, sender::server, 18);
  append_ping(out);
  append_pong(out);
  assert_string_equal(out.c_str(),
                      R"({"t":"ack","s":17}{"t":"ack","c":18}{"t":"ping"}{"t":"pong"})");
  out.clear();
  append_error(out, error::forbidden, "no", 4, "room");
  assert_string_equal(out.c_str(),
                      R"({"t":"error","code":"forbidden","msg":"no","c":4,"ch":"room"})");
  out.clear();
  append_close(out, 4001, "replay overflow");
  assert_string_equal(out.c_str(), R"({"t":"close","code":4001,"reason":"replay overflow"})");
}

void test_escaper(void**) {
  std::string out;
  append_json_string(out, std::string_view("a\"b\\c\n\x01\x1f\x7f\xc3\xa9/", 12));
  assert_string_equal(out.c_str(), "\"a\\\"b\\\\c\\n\\u0001\\u001f\x7f\xc3\xa9/\"");
  // Whatever the escaper writes decodes back to the input.
  for (int c = 0; c < 0x80; ++c) {
    std::string s = "x";
    s += static_cast<char>(c);
    std::string enc;
    append_channel_op(enc, type::suback, s);
    envelope e;
    assert_int_equal(static_cast<int>(dec(enc, sender::server, e)), 0);
    // cJSON ends strings at NUL ("x\u0000" reads as "x"); every other byte
    // survives.
    assert_true(e.channel == (c == 0 ? std::string("x") : s));
  }
}

void test_round_trip_every_type(void**) {
  const char* client_side[] = {
      R"({"t":"hello","v":1})",
      R"({"t":"hello","v":1,"auth":"a\"b","resume":{"sid":"S","tk":"T","ack":3}})",
      R"({"t":"msg","c":1,"ch":"x","d":{"k":[1,2,{}]}})",
      R"({"t":"msg","c":2,"r":"y","b":"QUJD"})",
      R"({"t":"ack","s":4})",
      R"({"t":"sub","ch":"room:1"})",
      R"({"t":"unsub","ch":"room:1"})",
      R"({"t":"ping"})",
      R"({"t":"pong"})",
      R"({"t":"close","code":1000,"reason":"bye"})",
  };
  const char* server_side[] = {
      R"({"t":"welcome","v":1,"sid":"S","tk":"T","hb":1,"resumed":true,"ack":2,"limits":{"max_message":1,"replay_messages":2,"replay_bytes":3,"ttl":4}})",
      R"({"t":"msg","s":3,"ch":"x","d":null})",
      R"({"t":"msg","s":4,"d":"é"})",
      R"({"t":"ack","c":5})",
      R"({"t":"suback","ch":"a"})",
      R"({"t":"unsuback","ch":"a"})",
      R"({"t":"error","code":"forbidden","msg":"m","c":3,"ch":"z"})",
      R"({"t":"error","code":"from_the_future","msg":""})",
      R"({"t":"close","code":4001,"reason":"replay overflow"})",
  };
  auto check = [](const char* text, sender from) {
    envelope a;
    if (dec(text, from, a) != error::none) fail_msg("decode %s", text);
    std::string out;
    encode(a, from, out);
    // Our encoders write the canonical form these inputs are already in.
    if (out != text) fail_msg("%s\n re-encoded as %s", text, out.c_str());
  };
  for (const char* t : client_side)
    check(t, sender::client);
  for (const char* t : server_side)
    check(t, sender::server);
}

void test_json_scan(void**) {
  assert_true(is_valid_json("0"));
  assert_true(is_valid_json(" {\"a\":[1,-2.5e+3,true,false,null,\"\\u00e9\"]} "));
  assert_false(is_valid_json(""));
  assert_false(is_valid_json("01"));
  assert_false(is_valid_json("1."));
  assert_false(is_valid_json(".5"));
  assert_false(is_valid_json("+1"));
  assert_false(is_valid_json("[1,]"));
  assert_false(is_valid_json("{\"a\"}"));
  assert_false(is_valid_json("\"a\nb\""));
  assert_false(is_valid_json("\"\\x\""));
  assert_false(is_valid_json("\"\\u12\""));
  assert_false(is_valid_json("tru"));
  assert_false(is_valid_json("1 2"));
  std::string deep(kMaxJsonDepth, '[');
  deep += std::string(kMaxJsonDepth, ']');
  assert_true(is_valid_json(deep));
  std::string deeper(kMaxJsonDepth + 1, '[');
  deeper += std::string(kMaxJsonDepth + 1, ']');
  assert_false(is_valid_json(deeper));

  auto m = find_member(R"( { "a" : 1 , "b" : { "d" : 2 } , "d" : [ 3 ] } )", "d");
  assert_true(m.has_value());
  assert_string_equal(std::string(*m).c_str(), "[ 3 ]");
  assert_false(find_member(R"({"a":1})", "d").has_value());
  assert_false(find_member("[1]", "d").has_value());

  auto u = json_unescape(R"(a\n\u00e9\ud83d\ude00\/)");
  assert_true(u.has_value());
  assert_string_equal(u->c_str(), "a\n\xc3\xa9\xf0\x9f\x98\x80/");
  assert_false(json_unescape(R"(\ud83d)").has_value());
  assert_false(json_unescape(R"(\ude00)").has_value());
  assert_false(json_unescape(R"(\q)").has_value());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_error_names_are_stable),
      cmocka_unit_test(test_client_msg_keeps_raw_data),
      cmocka_unit_test(test_msg_variants),
      cmocka_unit_test(test_escaped_keys_are_found),
      cmocka_unit_test(test_decode_errors),
      cmocka_unit_test(test_too_big_is_checked_before_parsing),
      cmocka_unit_test(test_error_keeps_msg_seq),
      cmocka_unit_test(test_hello_and_welcome),
      cmocka_unit_test(test_hot_encoders),
      cmocka_unit_test(test_escaper),
      cmocka_unit_test(test_round_trip_every_type),
      cmocka_unit_test(test_json_scan),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
