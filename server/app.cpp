#include "server/app.h"

#include <algorithm>
#include <charconv>

#include "resock/jwt.h"

#include <cjson/cJSON.h>

#include <memory>
#include <string_view>

#include "server/log.h"

namespace resockd {
namespace {

using json_ptr = std::unique_ptr<cJSON, decltype(&cJSON_Delete)>;

std::string print(const cJSON* j) {
  std::unique_ptr<char, decltype(&cJSON_free)> text(cJSON_PrintUnformatted(j), cJSON_free);
  return text ? std::string(text.get()) : std::string("null");
}

}  // namespace

app::app(uv_loop_t* loop, resock::server& srv, bool demo, auth_options auth)
    : loop_(loop), srv_(srv), demo_(demo), auth_(std::move(auth)) {}

void app::install() {
  srv_.on_connect([this](const resock::connect_request& r) {
    resock::connect_result res;
    if (!auth_.jwt_secret.empty()) {
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      resock::jwt_result jwt =
          resock::verify_jwt_hs256(r.auth, auth_.jwt_secret, now, auth_.jwt_skew);
      if (!jwt.ok) {
        res.admit = false;
        res.reason = "invalid token: " + jwt.error;
        log_line("event=refused peer=" + std::string(r.peer) + " reason=\"" + res.reason + "\"");
        return res;
      }
      if (!r.resume) ++stats_.sessions;
      res.identity = std::move(jwt.claims.sub);
      if (jwt.claims.channels) {
        res.channels = std::move(*jwt.claims.channels);
        // An empty list means "every channel" to the core; an empty claim
        // means none. No valid channel name (1-256 bytes) matches this.
        if (res.channels.empty()) res.channels.emplace_back(257, '-');
      }
      return res;
    }
    // Everyone is admitted: the demo has no accounts. auth is whatever name
    // the client chose; anonymous clients get a numbered guest name (a
    // resume presents a name, so it never gets a guest name here).
    if (!r.resume) ++stats_.sessions;
    res.identity = r.auth.empty() ? "guest-" + std::to_string(++guests_) : std::string(r.auth);
    return res;
  });
  srv_.on_disconnect([this](const resock::disconnect_info& d) {
    ++stats_.disconnects;
    if (auto it = count_runs_.find(d.sid); it != count_runs_.end()) count_runs_.erase(it);
    // The core logs transport events; this line proves the hook itself ran
    // (the chaos test greps for it after an expiry or an overflow).
    log_line("event=disconnect sid=" + std::string(d.sid) + " identity=" + std::string(d.identity) +
             " reason=" + std::string(resock::end_reason_name(d.reason)));
  });
  srv_.route("count", [this](const resock::message& m) { on_count(m); });
  if (demo_) srv_.route("chat", [this](const resock::message& m) { on_chat(m); });
}

void app::on_count(const resock::message& m) {
  ++stats_.routes;
  auto it = count_runs_.find(m.sid);
  if (it == count_runs_.end()) it = count_runs_.emplace(std::string(m.sid), 0).first;
  const std::uint64_t n = ++it->second;
  // {"c":<seq>,"n":<runs>} without printf (this runs per message).
  char reply[64] = R"({"c":)";
  char* p = std::to_chars(reply + 5, reply + 30, m.seq).ptr;
  p = std::copy_n(R"(,"n":)", 5, p);
  p = std::to_chars(p, reply + 62, n).ptr;
  *p++ = '}';
  srv_.send(m.sid, std::string_view(reply, static_cast<std::size_t>(p - reply)));
}

void app::on_chat(const resock::message& m) {
  ++stats_.routes;
  // The page sends {"text":"..."}; a bare JSON string is accepted too so
  // that `resock-client --route chat` can type lines.
  json_ptr in(cJSON_ParseWithLength(m.data.data(), m.data.size()), cJSON_Delete);
  const cJSON* text = nullptr;
  if (in && cJSON_IsString(in.get())) text = in.get();
  if (in && cJSON_IsObject(in.get())) text = cJSON_GetObjectItemCaseSensitive(in.get(), "text");
  if (!text || !cJSON_IsString(text)) return;  // nothing to say: ignore quietly
  json_ptr out(cJSON_CreateObject(), cJSON_Delete);
  cJSON_AddItemToObject(out.get(), "from", cJSON_CreateString(std::string(m.identity).c_str()));
  cJSON_AddItemToObject(out.get(), "text", cJSON_CreateString(text->valuestring));
  srv_.publish("chat", print(out.get()));
}

void app::start() {
  if (!demo_) return;
  uv_timer_init(loop_, &ticker_);
  ticker_.data = this;
  ticker_open_ = true;
  uv_timer_start(&ticker_, &app::on_tick, 1000, 1000);
}

void app::on_tick(uv_timer_t* t) {
  auto* self = static_cast<app*>(t->data);
  self->srv_.publish("counter", "{\"n\":" + std::to_string(++self->counter_) + "}");
}

void app::stop() {
  if (!ticker_open_) return;
  ticker_open_ = false;
  uv_timer_stop(&ticker_);
  uv_close(reinterpret_cast<uv_handle_t*>(&ticker_), nullptr);
}

}  // namespace resockd
