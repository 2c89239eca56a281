// Encoding envelopes by hand (field order as docs/protocol.md lists it).
// Payloads ("d") are spliced in as the caller's raw JSON text: the caller
// guarantees it is valid JSON (server_core checks application data once
// with is_valid_json, decoded data was checked by decode).
//
// The server's msg envelopes are written in two parts so fan-out encodes a
// payload once: make_msg_body() builds the shared tail once per publish,
// and append_msg_head() writes the per-session head at send time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/envelope.h"
#include "protocol/error.h"

namespace resock::protocol {

// The shared tail of a server msg: `"ch":"x","d":<data>}` (no "ch" when
// `channel` is empty; "b" instead of "d" when `binary`).
[[nodiscard]] std::string make_msg_body(std::string_view channel, std::string_view data,
                                        bool binary = false);
// The per-session head `{"t":"msg","s":N,` that precedes a body.
void append_msg_head(std::string& out, std::uint64_t s);

// Client msg: {"t":"msg","c":N,"ch":...|"r":...,"d":...}. At most one of
// `channel` and `route` non-empty.
void append_client_msg(std::string& out, std::uint64_t c, std::string_view channel,
                       std::string_view route, std::string_view data, bool binary = false);

// Cumulative acks: the client acks "s", the server acks "c".
void append_ack(std::string& out, sender from, std::uint64_t n);
void append_ping(std::string& out);
void append_pong(std::string& out);
// sub, unsub, suback, unsuback: {"t":"<t>","ch":"x"}.
void append_channel_op(std::string& out, type t, std::string_view channel);
void append_close(std::string& out, std::uint16_t code, std::string_view reason);

// Error envelope; `c` is written when non-zero, `ch` when non-empty.
void append_error(std::string& out, error code, std::string_view msg, std::uint64_t c = 0,
                  std::string_view channel = {});

struct hello_fields {
  std::string_view auth;  // omitted when empty
  bool resume = false;
  std::string_view sid;
  std::string_view ticket;
  std::uint64_t ack = 0;
};
void append_hello(std::string& out, const hello_fields& h);

struct welcome_fields {
  std::string_view sid;
  std::string_view ticket;
  std::uint64_t heartbeat = 0;
  bool resumed = false;
  std::uint64_t ack = 0;
  limits lim;
  std::string_view lost;  // omitted when empty
};
void append_welcome(std::string& out, const welcome_fields& w);

// Any decoded envelope back to text, as `from` would write it. Used by the
// round-trip fuzzer and tests; the cores call the functions above.
void encode(const envelope& e, sender from, std::string& out);

}  // namespace resock::protocol
