// Tests of lib/protocol/decode_fast.cpp and json_scan.h's member_reader:
// the fast path reads the common client envelopes exactly as the full
// decoder does, and declines (never errs) on anything unusual.
#include "protocol/decode_fast.h"
#include "protocol/decode.h"
#include "protocol/json_scan.h"

// cmocka.h needs these, in this order, before it.
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

#include <string>
#include <string_view>

namespace {

using namespace resock::protocol;

// The fast path accepts `text`, and the full decoder reads the same.
void accepted_like_full(std::string_view text) {
  envelope fast, full;
  assert_true(decode_client_fast(text, fast));
  assert_int_equal(static_cast<int>(decode_full(text, sender::client, full)),
                   static_cast<int>(error::none));
  assert_int_equal(static_cast<int>(fast.t), static_cast<int>(full.t));
  assert_int_equal(fast.seq, full.seq);
  assert_true(fast.channel == full.channel && fast.has_channel == full.has_channel);
  assert_true(fast.route == full.route && fast.has_route == full.has_route);
  assert_true(fast.data == full.data && fast.binary == full.binary);
}

void test_common_envelopes(void**) {
  accepted_like_full(R"({"t":"msg","c":1,"r":"count","d":{"a":[1,2,{"b":null}]}})");
  accepted_like_full(R"( { "t" : "msg" , "c" : 42 , "ch" : "news" , "d" : "hi" } )");
  accepted_like_full(R"({"t":"msg","c":9007199254740991,"d":[1,2,3]})");
  accepted_like_full(R"({"t":"msg","c":3,"ch":"up","b":"AAECAw=="})");
  accepted_like_full(R"({"t":"ack","s":17})");
  accepted_like_full(R"({"d":true,"c":0,"t":"msg"})");  // any order
}

void test_declines_the_unusual(void**) {
  const char* declined[] = {
      R"({"t":"msg","c":1,"d":"\u0041"})",            // an escape in the payload
      R"({"t":"m\u0073g","c":1,"d":1})",              // an escape in the type
      R"({"t":"msg","c":1,"r":"co\"unt","d":1})",     // an escape in a name
      R"({"t":"msg","c":1,"d":1,"x":2})",             // an unknown member
      R"({"t":"msg","c":1,"d":1,"d":2})",             // a repeated member
      R"({"t":"msg","c":1.0,"d":1})",                 // not a plain integer
      R"({"t":"msg","c":01,"d":1})",                  // leading zero (invalid JSON)
      R"({"t":"msg","c":9007199254740992,"d":1})",    // above 2^53 - 1
      R"({"t":"msg","c":1})",                         // no payload
      R"({"t":"msg","c":1,"d":1,"b":"AA"})",          // both payloads
      R"({"t":"msg","c":1,"ch":"a","r":"b","d":1})",  // channel and route
      R"({"t":"msg","c":1,"ch":"","d":1})",           // an empty name
      R"({"t":"msg","c":1,"b":"A A"})",               // not base64
      R"({"t":"sub","ch":"a"})",                      // not msg / ack
      R"({"t":"msg","c":1,"d":1} x)",                 // trailing bytes
      R"({"t":"msg","c":1,"d":[1,}})",                // invalid JSON
      R"([1,2])",                                     // not an object
  };
  for (const char* text : declined) {
    envelope e;
    if (decode_client_fast(text, e)) fail_msg("fast path accepted %s", text);
  }
}

void test_member_reader(void**) {
  member_reader r(R"( {"a" : 1, "b":{"c":[true]} } )");
  std::string_view k, v;
  assert_true(r.next(k, v));
  assert_true(k == "a" && v == "1");
  assert_true(r.next(k, v));
  assert_true(k == "b" && v == R"({"c":[true]})");
  assert_false(r.next(k, v));
  assert_true(r.ok());
  member_reader empty("{}");
  assert_false(empty.next(k, v));
  assert_true(empty.ok());
  for (const char* bad : {"{", R"({"a":1,})", R"({"a" 1})", R"({"a":1} 2)", "[]", ""}) {
    member_reader b(bad);
    while (b.next(k, v)) {
    }
    if (b.ok()) fail_msg("accepted %s", bad);
  }
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_common_envelopes),
      cmocka_unit_test(test_declines_the_unusual),
      cmocka_unit_test(test_member_reader),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
