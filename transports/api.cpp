#include "api.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include <memory>
#include <optional>
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
      {"resumes_lost", s.resumes_lost},
      {"resumes_refused", s.resumes_refused},
      {"sessions_detached", s.sessions_detached},
      {"replay_messages", s.replay_messages},
      {"replay_bytes", s.replay_bytes}};
  for (const auto& [name, value] : fields)
    cJSON_AddNumberToObject(r, name, static_cast<double>(value));
  return ok(r);
}

ws::api_response session_info(const core::server_core& core, std::string_view sid) {
  const std::optional<core::session_view> v = core.find_session(sid);
  if (!v) return error(404, "no such session");
  cJSON* r = cJSON_CreateObject();
  cJSON_AddStringToObject(r, "sid", v->sid.c_str());
  cJSON_AddStringToObject(r, "identity", v->identity.c_str());
  cJSON_AddStringToObject(r, "state", v->attached ? "attached" : "detached");
  if (v->attached) {
    cJSON_AddStringToObject(r, "transport", std::string(transport_name(v->transport)).c_str());
    cJSON_AddStringToObject(r, "peer", v->peer.c_str());
  } else {
    cJSON_AddNumberToObject(r, "expires_in_ms", static_cast<double>(v->expires_in.count()));
  }
  cJSON_AddNumberToObject(r, "last_seq", static_cast<double>(v->last_seq));
  cJSON_AddNumberToObject(r, "acked_seq", static_cast<double>(v->acked_seq));
  cJSON_AddNumberToObject(r, "last_client_seq", static_cast<double>(v->last_client_seq));
  cJSON* chans = cJSON_AddArrayToObject(r, "channels");
  for (const auto& c : v->channels)
    cJSON_AddItemToArray(chans, cJSON_CreateString(c.c_str()));
  cJSON* replay = cJSON_AddObjectToObject(r, "replay");
  cJSON_AddNumberToObject(replay, "messages", static_cast<double>(v->replay_messages));
  cJSON_AddNumberToObject(replay, "bytes", static_cast<double>(v->replay_bytes));
  return ok(r);
}

ws::api_response channel_list(const core::server_core& core) {
  cJSON* r = cJSON_CreateObject();
  cJSON* arr = cJSON_AddArrayToObject(r, "channels");
  for (const core::channel_view& c : core.channels()) {
    cJSON* item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "name", c.name.c_str());
    cJSON_AddNumberToObject(item, "subscribers", static_cast<double>(c.subscribers));
    cJSON_AddItemToArray(arr, item);
  }
  return ok(r);
}

// True when the query string has `param` exactly ("a=1&keep=1").
bool has_param(std::string_view query, std::string_view param) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    if (query.substr(0, amp) == param) return true;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return false;
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
      if (has_param(req.query, "keep=1")) {
        if (!core.cut(sid)) return error(404, "no such session, or it has no connection now");
        return ok(cJSON_CreateObject());
      }
      if (!core.close(sid, 4000, "closed by the API")) return error(404, "no such session");
      return ok(cJSON_CreateObject());
    }
    if (req.method != "GET") return error(405, "use GET or DELETE");
    return session_info(core, sid);
  }
  if (path == "/channels") {
    if (req.method != "GET") return error(405, "use GET");
    return channel_list(core);
  }
  return error(404, "no such API endpoint");
}

}  // namespace resock
