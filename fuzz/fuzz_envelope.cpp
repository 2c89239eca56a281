// Envelope codec fuzzer: decoding any bytes must not crash, and whatever
// decodes must survive decode -> encode -> decode unchanged (and encode
// must then be a fixed point). The first byte picks the sender, so both
// directions' envelope sets are reached.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/decode.h"
#include "protocol/decode_fast.h"
#include "protocol/encode.h"
#include "protocol/json_scan.h"
#include "resock/wire/utf8.h"

using namespace resock::protocol;

namespace {

bool same(const envelope& a, const envelope& b) {
  return a.t == b.t && a.seq == b.seq && a.has_seq == b.has_seq && a.channel == b.channel &&
         a.has_channel == b.has_channel && a.route == b.route && a.has_route == b.has_route &&
         a.data == b.data && a.binary == b.binary && a.version == b.version && a.auth == b.auth &&
         a.has_resume == b.has_resume && a.sid == b.sid && a.ticket == b.ticket && a.ack == b.ack &&
         a.heartbeat == b.heartbeat && a.resumed == b.resumed && a.lim == b.lim &&
         a.lost == b.lost && a.code == b.code && a.code_text == b.code_text && a.text == b.text &&
         a.close_code == b.close_code;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const sender from = (data[0] & 1) ? sender::server : sender::client;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  // The fast path may only be faster: when it accepts, the full decoder
  // must read the same envelope.
  envelope fast;
  const bool utf8 = resock::wire::is_valid_utf8(
      {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  if (from == sender::client && utf8 && decode_client_fast(text, fast)) {
    envelope full;
    if (decode_full(text, from, full) != error::none || !same(fast, full)) std::abort();
  }

  envelope a;
  if (decode(text, from, a, {.max_size = 1 << 16}) != error::none) return 0;
  // What decode hands on as "d" is strictly valid JSON.
  if (a.t == type::msg && !a.binary && !is_valid_json(a.data)) std::abort();

  std::string once;
  encode(a, from, once);
  envelope b;
  if (decode(once, from, b, {.max_size = SIZE_MAX}) != error::none) std::abort();
  if (!same(a, b)) std::abort();
  std::string twice;
  encode(b, from, twice);
  if (twice != once) std::abort();
  return 0;
}
