// permessage-deflate (RFC 7692): the server side of the negotiation and the
// per-message codec on zlib.
//
// The negotiation picks the first acceptable offer of a
// Sec-WebSocket-Extensions list and says what the response must contain.
// The codec compresses or decompresses one whole message at a time; the
// trailing 00 00 ff ff of a sync flush is stripped on the way out and put
// back on the way in (RFC 7692 7.2.1, 7.2.2).
//
// Without context takeover (the default policy on both sides) every
// message is a fresh deflate stream, so one deflater and one inflater can
// serve every connection of a loop: no zlib state per connection, which is
// what keeps an idle session small (see docs/decisions.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "resock/config.h"

struct z_stream_s;

namespace resock::wire {

inline constexpr std::string_view permessage_deflate_name = "permessage-deflate";

// What both sides agreed on for one connection.
struct deflate_agreement {
  bool server_no_context_takeover = true;
  bool client_no_context_takeover = true;
  std::uint8_t server_max_window_bits = 15;  // our deflate window, 9..15
  // Echoed in the response only when the client offered the parameter
  // (RFC 7692 7.1.2.2: a server must not send it otherwise).
  std::optional<std::uint8_t> client_max_window_bits;
};

// What this server is willing to keep between messages.
struct deflate_policy {
  // false: answer server_no_context_takeover / client_no_context_takeover
  // whatever the offer said (RFC 7692 7.1.1.1 and 7.1.1.2 allow both).
  bool server_context_takeover = false;
  bool client_context_takeover = false;
};

// `offers` is the Sec-WebSocket-Extensions value (several header lines
// joined with ","). Returns the agreement for the first permessage-deflate
// offer whose parameters are all known, given at most once and valid
// (RFC 7692 7.1), or nullopt: then the response carries no extension.
// server_max_window_bits=8 is declined: zlib cannot produce a raw stream
// with a 256-byte window.
[[nodiscard]] RESOCK_API std::optional<deflate_agreement> accept_deflate(
    std::string_view offers, const deflate_policy& policy = {});

// The extension element for the 101 response, e.g.
// "permessage-deflate; server_no_context_takeover; client_no_context_takeover".
[[nodiscard]] RESOCK_API std::string deflate_response(const deflate_agreement& a);

// Appends `bytes` (at most 65535) as a non-final stored deflate block
// (RFC 1951 3.2.4), starting at a byte boundary. A message may start with
// one and continue with a body compressed on its own (a fresh stream
// never refers back before its start): this is how one compressed body
// serves every subscriber of a publish behind its own header.
RESOCK_API void append_stored_block(std::string& out, std::span<const std::uint8_t> bytes);

// Compresses whole messages. Not copyable; zlib state is allocated on the
// first compress() and kept.
class RESOCK_API message_deflater {
 public:
  explicit message_deflater(int window_bits = 15, int level = 6) noexcept;
  ~message_deflater();
  message_deflater(const message_deflater&) = delete;
  message_deflater& operator=(const message_deflater&) = delete;

  // Appends the compressed form of `in` to `out`, without the final
  // 00 00 ff ff. `keep_context`: the next message may refer to this one
  // (context takeover). False when zlib fails (out of memory); `out` is
  // then back to its old size.
  [[nodiscard]] bool compress(std::span<const std::uint8_t> in, std::string& out,
                              bool keep_context = false);

 private:
  z_stream_s* z_ = nullptr;
  int window_bits_;
  int level_;
};

enum class inflate_status : std::uint8_t {
  ok,
  too_big,    // the message inflates to more than the limit (close 1009)
  corrupt,    // not a valid deflate stream (close 1007)
  no_memory,  // zlib could not allocate (close 1011)
};

// Decompresses whole messages.
class RESOCK_API message_inflater {
 public:
  explicit message_inflater(int window_bits = 15) noexcept;
  ~message_inflater();
  message_inflater(const message_inflater&) = delete;
  message_inflater& operator=(const message_inflater&) = delete;

  // Appends the decompressed message to `out`; at most `max_size` bytes of
  // it (0: no limit), so a small message cannot inflate into gigabytes.
  // On failure `out` is back to its old size and the stream is reset.
  [[nodiscard]] inflate_status decompress(std::span<const std::uint8_t> in, std::string& out,
                                          std::size_t max_size, bool keep_context = false);

 private:
  z_stream_s* z_ = nullptr;
  int window_bits_;
};

}  // namespace resock::wire
