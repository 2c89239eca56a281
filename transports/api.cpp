#include "api.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include <memory>
#include <string>

#include "resock/wire/http_head.h"

namespace resock {
namespace {

struct json_deleter {
  void operator()(cJSON* j) const noexcept { cJSON_Delete(j); }
};
using json_ptr = std::unique_ptr<cJSON, json_deleter>;

ws::api_response error(int status, std::string_view message) {
  json_ptr j(cJSON_CreateObject());
  cJSON_AddStringToObject(j.get(), "error", std::string(message).c_str());
  std::unique_ptr<char, decltype(&cJSON_free)> text(cJSON_PrintUnformatted(j.get()), cJSON_free);
  return {status, text ? std::string(text.get()) : std::string("{}")};
}

ws::api_response ok(cJSON* body) {
  json_ptr owned(body);
  std::unique_ptr<char, decltype(&cJSON_free)> text(cJSON_PrintUnformatted(body), cJSON_free);
  return {200, text ? std::string(text.get()) : std::string("{}")};
}

// "apikey <key>", the key compared in constant time.
bool authorized(std::string_view header, std::string_view key) {
  constexpr std::string_view scheme = "apikey ";
  if (header.size() != scheme.size() + key.size()) return false;
  if (!wire::iequals(header.substr(0, scheme.size()), scheme)) return false;
  return CRYPTO_memcmp(header.data() + scheme.size(), key.data(), key.size()) == 0;
}

// The body as a JSON object with a string field `name` and any `data`;
// `data` comes back as compact JSON text.
bool read_body(std::string_view body, const char* name, std::string& value, std::string& data,
               std::string& why) {
  json_ptr j(cJSON_ParseWithLength(body.data(), body.size()));
  if (!j || !cJSON_IsObject(j.get())) {
    why = "body must be a JSON object";
    return false;
  }
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(j.get(), name);
  if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
    why = std::string("\"") + name + "\" must be a non-empty string";
    return false;
  }
  const cJSON* d = cJSON_GetObjectItemCaseSensitive(j.get(), "data");
  if (d == nullptr) {
    why = "\"data\" is missing";
    return false;
  }
  std::unique_ptr<char, decltype(&cJSON_free)> text(cJSON_PrintUnformatted(d), cJSON_free);
  if (!text) {
    why = "out of memory";
    return false;
  }
  value = v->valuestring;
  data = text.get();
  return true;
}

ws::api_response publish(core::server_core& core, std::string_view body) {
  std::string channel, data, why;
  if (!read_body(body, "channel", channel, data, why)) return error(400, why);
  cJSON* r = cJSON_CreateObject();
  cJSON_AddNumberToObject(r, "delivered", static_cast<double>(core.publish(channel, data)));
  return ok(r);
}

ws::api_response send(core::server_core& core, std::string_view body) {
  std::string sid, data, why;
  if (!read_body(body, "sid", sid, data, why)) return error(400, why);
  switch (core.send(sid, data)) {
    case send_status::ok:
      return ok(cJSON_CreateObject());
    case send_status::backpressure: {
      cJSON* r = cJSON_CreateObject();
      cJSON_AddTrueToObject(r, "backpressure");
      return ok(r);
    }
    case send_status::dropped:
      break;
  }
  return error(404, "no such session (or it is closing)");
}

ws::api_response stats(const core::server_core& core) {
  const core::server_stats s = core.stats();
  cJSON* r = cJSON_CreateObject();
  const std::pair<const char*, std::uint64_t> fields[] = {
      {"connections", s.connections},
      {"sessions", s.sessions},
      {"messages_in", s.messages_in},
      {"messages_out", s.messages_out},
      {"duplicates_in", s.duplicates_in},
      {"publishes", s.publishes},
      {"payload_encodings", s.payload_encodings},
      {"resumes_ok", s.resumes_ok},
      {"resumes_lost", s.resumes_lost}};
  for (const auto& [name, value] : fields)
    cJSON_AddNumberToObject(r, name, static_cast<double>(value));
  return ok(r);
}

}  // namespace

ws::api_response handle_api(core::server_core& core, std::string_view api_key,
                            std::string_view prefix, const ws::api_request& req) {
  if (!authorized(req.authorization, api_key))
    return error(401, "missing or wrong API key (Authorization: apikey <key>)");
  std::string_view path = req.path.substr(prefix.size() + 4);  // after "<prefix>/api"
  if (path == "/publish" || path == "/send") {
    if (req.method != "POST") return error(405, "use POST");
    return path == "/publish" ? publish(core, req.body) : send(core, req.body);
  }
  if (path == "/stats") {
    if (req.method != "GET") return error(405, "use GET");
    return stats(core);
  }
  constexpr std::string_view sessions = "/sessions/";
  if (path.substr(0, sessions.size()) == sessions && path.size() > sessions.size()) {
    const std::string sid(path.substr(sessions.size()));
    if (req.method == "DELETE") {
      if (req.query.find("keep=1") != std::string_view::npos)
        return error(501, "keep=1 (cut the connection, keep the session) is not implemented yet");
      if (!core.close(sid, 4000, "closed by the API")) return error(404, "no such session");
      return ok(cJSON_CreateObject());
    }
    return error(501, "GET /sessions/{sid} is not implemented yet");
  }
  if (path == "/channels") return error(501, "GET /channels is not implemented yet");
  return error(404, "no such API endpoint");
}

}  // namespace resock
