#include "protocol/encode.h"

#include "protocol/json_escape.h"

namespace resock::protocol {
namespace {

void append_payload(std::string& out, std::string_view data, bool binary) {
  if (binary) {
    // Base64 needs no escaping; decode guarantees the alphabet.
    out += "\"b\":\"";
    out += data;
    out += '"';
  } else {
    out += "\"d\":";
    out += data;
  }
}

void append_type(std::string& out, std::string_view t) {
  out += "{\"t\":\"";
  out += t;
  out += '"';
}

}  // namespace

std::string make_msg_body(std::string_view channel, std::string_view data, bool binary) {
  std::string body;
  body.reserve(data.size() + channel.size() + 16);
  if (!channel.empty()) {
    body += "\"ch\":";
    append_json_string(body, channel);
    body += ',';
  }
  append_payload(body, data, binary);
  body += '}';
  return body;
}

void append_msg_head(std::string& out, std::uint64_t s) {
  out += "{\"t\":\"msg\",\"s\":";
  append_uint(out, s);
  out += ',';
}

void append_client_msg(std::string& out, std::uint64_t c, std::string_view channel,
                       std::string_view route, std::string_view data, bool binary) {
  out += "{\"t\":\"msg\",\"c\":";
  append_uint(out, c);
  out += ',';
  if (!channel.empty()) {
    out += "\"ch\":";
    append_json_string(out, channel);
    out += ',';
  } else if (!route.empty()) {
    out += "\"r\":";
    append_json_string(out, route);
    out += ',';
  }
  append_payload(out, data, binary);
  out += '}';
}

void append_ack(std::string& out, sender from, std::uint64_t n) {
  out += from == sender::client ? "{\"t\":\"ack\",\"s\":" : "{\"t\":\"ack\",\"c\":";
  append_uint(out, n);
  out += '}';
}

void append_ping(std::string& out) {
  out += "{\"t\":\"ping\"}";
}
void append_pong(std::string& out) {
  out += "{\"t\":\"pong\"}";
}

void append_channel_op(std::string& out, type t, std::string_view channel) {
  append_type(out, type_name(t));
  out += ",\"ch\":";
  append_json_string(out, channel);
  out += '}';
}

void append_close(std::string& out, std::uint16_t code, std::string_view reason) {
  out += "{\"t\":\"close\",\"code\":";
  append_uint(out, code);
  out += ",\"reason\":";
  append_json_string(out, reason);
  out += '}';
}

void append_error(std::string& out, error code, std::string_view msg, std::uint64_t c,
                  std::string_view channel) {
  out += "{\"t\":\"error\",\"code\":";
  append_json_string(out, error_name(code));
  out += ",\"msg\":";
  append_json_string(out, msg);
  if (c != 0) {
    out += ",\"c\":";
    append_uint(out, c);
  }
  if (!channel.empty()) {
    out += ",\"ch\":";
    append_json_string(out, channel);
  }
  out += '}';
}

void append_hello(std::string& out, const hello_fields& h) {
  out += "{\"t\":\"hello\",\"v\":1";
  if (!h.auth.empty()) {
    out += ",\"auth\":";
    append_json_string(out, h.auth);
  }
  if (h.resume) {
    out += ",\"resume\":{\"sid\":";
    append_json_string(out, h.sid);
    out += ",\"tk\":";
    append_json_string(out, h.ticket);
    out += ",\"ack\":";
    append_uint(out, h.ack);
    out += '}';
  }
  out += '}';
}

void append_welcome(std::string& out, const welcome_fields& w) {
  out += "{\"t\":\"welcome\",\"v\":1,\"sid\":";
  append_json_string(out, w.sid);
  out += ",\"tk\":";
  append_json_string(out, w.ticket);
  out += ",\"hb\":";
  append_uint(out, w.heartbeat);
  out += w.resumed ? ",\"resumed\":true,\"ack\":" : ",\"resumed\":false,\"ack\":";
  append_uint(out, w.ack);
  out += ",\"limits\":{\"max_message\":";
  append_uint(out, w.lim.max_message);
  out += ",\"replay_messages\":";
  append_uint(out, w.lim.replay_messages);
  out += ",\"replay_bytes\":";
  append_uint(out, w.lim.replay_bytes);
  out += ",\"ttl\":";
  append_uint(out, w.lim.ttl);
  out += '}';
  if (!w.lost.empty()) {
    out += ",\"lost\":";
    append_json_string(out, w.lost);
  }
  out += '}';
}

void encode(const envelope& e, sender from, std::string& out) {
  switch (e.t) {
    case type::hello:
      append_hello(
          out,
          {.auth = e.auth, .resume = e.has_resume, .sid = e.sid, .ticket = e.ticket, .ack = e.ack});
      return;
    case type::welcome:
      append_welcome(out, {.sid = e.sid,
                           .ticket = e.ticket,
                           .heartbeat = e.heartbeat,
                           .resumed = e.resumed,
                           .ack = e.ack,
                           .lim = e.lim,
                           .lost = e.lost});
      return;
    case type::msg:
      if (from == sender::client) {
        append_client_msg(out, e.seq, e.channel, e.route, e.data, e.binary);
      } else {
        append_msg_head(out, e.seq);
        out += make_msg_body(e.channel, e.data, e.binary);
      }
      return;
    case type::ack:
      append_ack(out, from, e.seq);
      return;
    case type::sub:
    case type::unsub:
    case type::suback:
    case type::unsuback:
      append_channel_op(out, e.t, e.channel);
      return;
    case type::ping:
      append_ping(out);
      return;
    case type::pong:
      append_pong(out);
      return;
    case type::error:
      out += "{\"t\":\"error\",\"code\":";
      append_json_string(out, e.code_text.empty() ? error_name(e.code) : e.code_text);
      out += ",\"msg\":";
      append_json_string(out, e.text);
      if (e.has_seq) {
        out += ",\"c\":";
        append_uint(out, e.seq);
      }
      if (e.has_channel) {
        out += ",\"ch\":";
        append_json_string(out, e.channel);
      }
      out += '}';
      return;
    case type::close:
      append_close(out, e.close_code, e.text);
      return;
  }
}

}  // namespace resock::protocol
