#include "envelope.h"

#include <charconv>

namespace bench {

env_type envelope_type(std::string_view json) {
  constexpr std::string_view key = R"("t":")";
  auto at = json.find(key);
  if (at == std::string_view::npos) return env_type::other;
  auto start = at + key.size();
  auto end = json.find('"', start);
  if (end == std::string_view::npos) return env_type::other;
  std::string_view t = json.substr(start, end - start);
  if (t == "msg") return env_type::msg;
  if (t == "ack") return env_type::ack;
  if (t == "welcome") return env_type::welcome;
  if (t == "suback") return env_type::suback;
  if (t == "error") return env_type::error;
  if (t == "close") return env_type::close;
  if (t == "ping") return env_type::ping;
  if (t == "pong") return env_type::pong;
  return env_type::other;
}

std::optional<std::uint64_t> find_uint(std::string_view json, std::string_view key,
                                       std::size_t from) {
  // `"key":` built without allocating: look for the key, then check quotes.
  for (auto at = json.find(key, from); at != std::string_view::npos; at = json.find(key, at + 1)) {
    if (at == 0 || json[at - 1] != '"') continue;
    auto p = at + key.size();
    if (p + 1 >= json.size() || json[p] != '"' || json[p + 1] != ':') continue;
    p += 2;
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(json.data() + p, json.data() + json.size(), v);
    if (ec != std::errc()) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> find_in_data(std::string_view json, std::string_view key) {
  auto d = json.find(R"("d":)");
  if (d == std::string_view::npos) return std::nullopt;
  return find_uint(json, key, d + 4);
}

std::string ack_envelope(std::uint64_t s) {
  return R"({"t":"ack","s":)" + std::to_string(s) + "}";
}

std::string sub_envelope(std::string_view channel) {
  return R"({"t":"sub","ch":")" + std::string(channel) + R"("})";
}

std::string padded_object(std::size_t size) {
  constexpr std::size_t frame = 8;  // {"p":""}
  if (size < frame) size = frame;
  return R"({"p":")" + std::string(size - frame, 'x') + R"("})";
}

void build_msg(std::string& out, std::uint64_t c, std::string_view target, bool publish,
               std::string_view data) {
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof num, c);
  (void)ec;
  out.clear();
  out.append(R"({"t":"msg","c":)");
  out.append(num, end);
  out.append(publish ? R"(,"ch":")" : R"(,"r":")");
  out.append(target);
  out.append(R"(","d":)");
  out.append(data);
  out.push_back('}');
}

std::string error_text(std::string_view json) {
  return std::string(json.substr(0, 200));
}

}  // namespace bench
