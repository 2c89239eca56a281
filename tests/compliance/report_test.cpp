// The Autobahn report layout: index.json, per-case JSON and HTML,
// index.html and junit.xml, from hand-made results.
#include "compliance/report/report.h"

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

#include <cjson/cJSON.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace resock::conformance;
namespace fs = std::filesystem;

namespace {

constexpr const char* agent = "AutobahnPython/0.10.9";

wire_entry entry(std::string code, double t) {
  wire_entry w;
  w.code = std::move(code);
  w.time_ms = t;
  return w;
}

// 1.1.1 passed: the usual shape of a good run.
case_result passed() {
  case_result r;
  r.agent = agent;
  r.id = "1.1.1";
  r.index = 1;
  r.description = "Send text message with payload 0.";
  r.expectation =
      "Receive echo'ed text message (with empty payload). Clean close with normal code.";
  r.behavior = verdict::ok;
  r.behavior_close = verdict::ok;
  r.result = "Actual events match at least one expected.";
  r.result_close = "Connection was properly closed";
  r.started = "2026-11-23T19:30:00.123Z";
  r.duration_ms = 2.4;
  r.close.opened = true;
  r.close.closed_by_me = true;
  r.close.was_clean = true;
  r.close.remote_close_code = 1000;
  r.close.local_close_code = 1000;
  r.expected = {{verdict::ok, {event::message("")}}};
  r.received = {event::message("")};
  r.http_request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n";
  r.http_response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
  r.rx_frame_stats = {{1, 1}, {8, 1}};
  r.tx_frame_stats = {{1, 1}, {8, 1}};
  r.rx_octet_stats = {{4, 1}, {129, 1}};
  r.tx_octet_stats = {{6, 1}, {8, 1}, {240, 1}};

  wire_entry to = entry("TO", 0.1);
  to.length = 6;
  to.data = std::string("\x81\x80\xaa\xbb\xcc\xdd", 6);
  wire_entry tf = entry("TF", 0.1);
  tf.opcode = 1;
  tf.fin = true;
  tf.mask_hex = "aabbccdd";
  wire_entry kl = entry("KL", 0.2);
  kl.delay_s = 1;
  wire_entry rf = entry("RF", 1.5);
  rf.opcode = 1;
  rf.fin = true;
  wire_entry ro = entry("RO", 1.4);
  ro.length = 2;
  ro.data = std::string("\x81\x00", 2);
  r.wirelog = {to, tf, kl, ro, rf, entry("KLE", 1000.25)};
  return r;
}

// 6.4.2 failed, with markup in the description and an engine error.
case_result failed() {
  case_result r;
  r.agent = agent;
  r.id = "6.4.2";
  r.index = 75;
  r.description = "Evil <script>alert('x')</script> & \"friends\"<br>second line";
  r.expectation = "The connection is failed immediately.";
  r.behavior = verdict::failed;
  r.behavior_close = verdict::failed;
  r.result = "Actual events differ from any expected.";
  r.result_close = "The connection was failed by the wrong endpoint";
  r.duration_ms = 1003.4;
  r.close.opened = true;
  r.close.closed_by_me = true;
  r.expect_close = {false, {1007}, false, true};
  r.expected = {{verdict::ok, {}}};
  r.received = {event::message(std::string("\xce\xba\xe1\xbd\xb9\xcf\x83", 7)),
                event::pong(std::string(70, '\xfe'))};
  r.engine_error = "connect: connection refused (ECONNREFUSED)";
  return r;
}

case_result simple(std::string agent_name, std::string id, verdict b, verdict bc) {
  case_result r;
  r.agent = std::move(agent_name);
  r.id = std::move(id);
  r.description = "case " + r.id;
  r.behavior = b;
  r.behavior_close = bc;
  r.close.remote_close_code = 1000;
  r.duration_ms = 10;
  return r;
}

std::vector<case_result> sample() {
  return {passed(),
          failed(),
          simple("lws", "1.1.1", verdict::non_strict, verdict::ok),
          simple("lws", "2.1", verdict::ok, verdict::unclean),
          simple("lws", "7.13.1", verdict::informational, verdict::informational),
          simple("lws", "10.1.1", verdict::unimplemented, verdict::ok)};
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  assert_true(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct temp_dir {
  fs::path root;
  temp_dir() {
    char tmpl[] = "/tmp/resock_report_test_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    root = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

fs::path write_sample(const temp_dir& t, const report_options& options = {}) {
  fs::path out = t.root / "reports" / "servers";  // parents do not exist yet
  std::string error;
  assert_true(write_reports(out.string(), sample(), options, error));
  return out;
}

void file_names_use_autobahn_clean(void**) {
  assert_string_equal(report_file_stem(agent, "1.1.1").c_str(), "autobahnpython_0_10_9_case_1_1_1");
  assert_string_equal(report_file_stem("  My Server ", "2.1").c_str(), "my_server_case_2_1");
  assert_string_equal(report_file_stem("a--b", "9.7.6").c_str(), "a__b_case_9_7_6");
  assert_string_equal(report_file_stem("/x/", "1.1.1").c_str(), "x_case_1_1_1");
  assert_string_equal(report_file_stem("Gr\xc3\xbc\xc3\x9f"
                                       "e",
                                       "1.1.1")
                          .c_str(),
                      "gr__e_case_1_1_1");  // one '_' per character, not per byte
}

void index_json_has_autobahn_shape(void**) {
  temp_dir t;
  fs::path out = write_sample(t);
  std::string text = read(out / "index.json");
  // Sorted keys, 3-space indentation, Python's separators.
  assert_true(
      text.starts_with("{\n   \"AutobahnPython/0.10.9\": {\n      \"1.1.1\": {\n"
                       "         \"behavior\": \"OK\",\n"
                       "         \"behaviorClose\": \"OK\",\n"
                       "         \"duration\": 2,\n"
                       "         \"remoteCloseCode\": 1000,\n"
                       "         \"reportfile\": \"autobahnpython_0_10_9_case_1_1_1.json\"\n"
                       "      },\n"));
  // Lexical order of ids: "1.1.1" < "10.1.1" < "2.1".
  auto p1 = text.find("\"1.1.1\"", text.find("\"lws\""));
  auto p10 = text.find("\"10.1.1\"");
  auto p2 = text.find("\"2.1\"");
  assert_true(p1 < p10 && p10 < p2);

  cJSON* root = cJSON_Parse(text.c_str());
  assert_non_null(root);
  const cJSON* c =
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, agent), "6.4.2");
  assert_non_null(c);
  assert_int_equal(cJSON_GetArraySize(c), 5);
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "behavior")->valuestring, "FAILED");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "behaviorClose")->valuestring, "FAILED");
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(c, "duration")->valueint, 1003);
  assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c, "remoteCloseCode")));
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "reportfile")->valuestring,
                      "autobahnpython_0_10_9_case_6_4_2.json");
  const cJSON* lws = cJSON_GetObjectItemCaseSensitive(root, "lws");
  assert_int_equal(cJSON_GetArraySize(lws), 4);
  const cJSON* l = cJSON_GetObjectItemCaseSensitive(lws, "2.1");
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(l, "behaviorClose")->valuestring, "UNCLEAN");
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(l, "remoteCloseCode")->valueint, 1000);
  cJSON_Delete(root);
}

void case_json_has_every_key(void**) {
  temp_dir t;
  fs::path out = write_sample(t);
  assert_true(fs::exists(out / "autobahnpython_0_10_9_case_1_1_1.html"));
  std::string text = read(out / "autobahnpython_0_10_9_case_1_1_1.json");
  cJSON* root = cJSON_Parse(text.c_str());
  assert_non_null(root);
  for (const char* key : {"agent",
                          "behavior",
                          "behaviorClose",
                          "case",
                          "closedByMe",
                          "createStats",
                          "createWirelog",
                          "description",
                          "droppedByMe",
                          "duration",
                          "expectation",
                          "expected",
                          "expectedClose",
                          "failedByMe",
                          "httpRequest",
                          "httpResponse",
                          "id",
                          "isServer",
                          "localCloseCode",
                          "localCloseReason",
                          "received",
                          "remoteCloseCode",
                          "remoteCloseReason",
                          "reportCompressionRatio",
                          "reportTime",
                          "result",
                          "resultClose",
                          "rxFrameStats",
                          "rxOctetStats",
                          "started",
                          "trafficStats",
                          "txFrameStats",
                          "txOctetStats",
                          "wasClean",
                          "wasCloseHandshakeTimeout",
                          "wasNotCleanReason",
                          "wasOpenHandshakeTimeout",
                          "wasServerConnectionDropTimeout",
                          "wirelog",
                          "wirelogTimesMs"}) {
    if (!cJSON_HasObjectItem(root, key)) fail_msg("missing key %s", key);
  }
  assert_false(cJSON_HasObjectItem(root, "engineError"));
  assert_int_equal(cJSON_GetObjectItemCaseSensitive(root, "case")->valueint, 1);
  assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "trafficStats")));
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "wirelog")),
                   cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "wirelogTimesMs")));
  cJSON_Delete(root);

  // Autobahn's entry shapes, and statistics in numeric key order.
  assert_non_null(strstr(text.c_str(),
                         "\"expected\": {\n      \"OK\": [\n         [\n"
                         "            \"message\",\n            \"\",\n"
                         "            false\n         ]\n      ]\n   },"));
  assert_non_null(strstr(text.c_str(),
                         "[\n         \"TO\",\n         [\n            6,\n"
                         "            \"8180aabbccdd\"\n         ],\n"
                         "         false\n      ]"));
  assert_non_null(strstr(text.c_str(),
                         "\"TF\",\n         [\n            0,\n            \"\"\n"
                         "         ],\n         1,\n         true,\n         0,\n"
                         "         \"aabbccdd\",\n         null,\n         null,\n"
                         "         false\n"));
  assert_non_null(strstr(text.c_str(), "\"KL\",\n         1\n"));
  assert_non_null(strstr(text.c_str(), "\"rxOctetStats\": {\n      \"4\": 1,\n      \"129\": 1\n"));
  assert_non_null(strstr(text.c_str(), "1000.25"));

  std::string failed_json = read(out / "autobahnpython_0_10_9_case_6_4_2.json");
  root = cJSON_Parse(failed_json.c_str());
  assert_non_null(root);
  assert_string_equal(cJSON_GetObjectItemCaseSensitive(root, "engineError")->valuestring,
                      "connect: connection refused (ECONNREFUSED)");
  const cJSON* received = cJSON_GetObjectItemCaseSensitive(root, "received");
  // Text payloads as text, binary-looking ones as 0x + 64 bytes + " ...".
  assert_string_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(received, 0), 1)->valuestring,
                      "\xce\xba\xe1\xbd\xb9\xcf\x83");
  std::string pong = cJSON_GetArrayItem(cJSON_GetArrayItem(received, 1), 1)->valuestring;
  std::string expected_pong = "0x";
  for (int i = 0; i < 64; ++i)
    expected_pong += "fe";
  assert_string_equal(pong.c_str(), (expected_pong + " ...").c_str());
  const cJSON* close = cJSON_GetObjectItemCaseSensitive(root, "expectedClose");
  assert_true(
      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(close, "closedByWrongEndpointIsFatal")));
  cJSON_Delete(root);
  // ensure_ascii, as Python writes it.
  assert_non_null(strstr(failed_json.c_str(), "\\u03ba\\u1f79\\u03c3"));
}

void html_is_escaped(void**) {
  temp_dir t;
  fs::path out = write_sample(t);
  std::string page = read(out / "autobahnpython_0_10_9_case_6_4_2.html");
  assert_null(strstr(page.c_str(), "<script>"));
  assert_non_null(strstr(page.c_str(),
                         "Evil &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
                         "&amp; &quot;friends&quot;<br>second line"));
  assert_non_null(strstr(page.c_str(), "ECONNREFUSED"));
  std::string index = read(out / "index.html");
  assert_null(strstr(index.c_str(), "<script>"));
  assert_non_null(strstr(index.c_str(), "href=\"autobahnpython_0_10_9_case_1_1_1.html\""));
  assert_non_null(strstr(index.c_str(), "Unclean"));
}

void index_html_uses_section_titles(void**) {
  temp_dir t;
  report_options options;
  options.section_title = [](std::string_view id) -> std::string {
    if (id == "6") return "6 UTF-8 Handling";
    if (id == "6.4") return "6.4 Fail-fast on invalid UTF-8";
    return "";
  };
  fs::path out = write_sample(t, options);
  std::string index = read(out / "index.html");
  assert_non_null(strstr(index.c_str(), "6.4 Fail-fast on invalid UTF-8"));
  assert_non_null(strstr(index.c_str(), ">6 UTF-8 Handling<"));
  assert_non_null(strstr(index.c_str(), ">10<"));  // no title: the id itself
}

void junit_counts(void**) {
  temp_dir t;
  fs::path out = write_sample(t);
  std::string xml = read(out / "junit.xml");
  assert_true(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
  assert_non_null(strstr(xml.c_str(),
                         "<testsuite name=\"AutobahnPython/0.10.9\" tests=\"2\" "
                         "failures=\"1\" errors=\"0\" skipped=\"0\" time=\"1.006\">"));
  assert_non_null(strstr(xml.c_str(),
                         "<testsuite name=\"lws\" tests=\"4\" failures=\"0\" "
                         "errors=\"0\" skipped=\"1\""));
  // Names carry the description without its markup.
  assert_non_null(strstr(xml.c_str(),
                         "classname=\"resock-conformance.6.4\" name=\"6.4.2 Evil "
                         "alert(&#39;x&#39;) &amp; &quot;friends&quot; second line\""));
  assert_non_null(strstr(xml.c_str(), "classname=\"resock-conformance.2\" name=\"2.1 case 2.1\""));
  assert_non_null(strstr(xml.c_str(), "<failure type=\"FAILED/FAILED\""));
  assert_null(strstr(xml.c_str(), "<script>"));

  temp_dir strict_dir;
  report_options strict;
  strict.strict = true;  // NON-STRICT (1.1.1) and UNCLEAN (2.1) fail too
  xml = read(write_sample(strict_dir, strict) / "junit.xml");
  assert_non_null(strstr(xml.c_str(), "<testsuite name=\"lws\" tests=\"4\" failures=\"2\""));
}

void classification(void**) {
  auto c = [](verdict b, verdict bc) { return classify(simple("a", "1.1.1", b, bc)); };
  assert_true(c(verdict::ok, verdict::ok) == outcome::ok);
  assert_true(c(verdict::failed, verdict::ok) == outcome::failed);
  assert_true(c(verdict::ok, verdict::failed) == outcome::failed);
  assert_true(c(verdict::ok, verdict::wrong_code) == outcome::non_strict);
  assert_true(c(verdict::ok, verdict::unclean) == outcome::non_strict);
  assert_true(c(verdict::ok, verdict::failed_by_client) == outcome::non_strict);
  assert_true(c(verdict::non_strict, verdict::ok) == outcome::non_strict);
  assert_true(c(verdict::informational, verdict::informational) == outcome::informational);
  assert_true(c(verdict::unimplemented, verdict::ok) == outcome::unimplemented);
  case_result r = simple("a", "1.1.1", verdict::non_strict, verdict::ok);
  assert_false(counts_as_failure(r, false));
  assert_true(counts_as_failure(r, true));
}

void unwritable_outdir_is_an_error(void**) {
  temp_dir t;
  std::ofstream(t.root / "file") << "x";
  std::string error;
  assert_false(
      write_reports((t.root / "file" / "sub").string(), sample(), report_options{}, error));
  assert_non_null(strstr(error.c_str(), "cannot create the report directory"));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(file_names_use_autobahn_clean),
      cmocka_unit_test(index_json_has_autobahn_shape),
      cmocka_unit_test(case_json_has_every_key),
      cmocka_unit_test(html_is_escaped),
      cmocka_unit_test(index_html_uses_section_titles),
      cmocka_unit_test(junit_counts),
      cmocka_unit_test(classification),
      cmocka_unit_test(unwritable_outdir_is_an_error),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
