// Fuzzes permessage-deflate (RFC 7692): the first byte picks a mode.
//  - offers: the rest is a Sec-WebSocket-Extensions value; an accepted
//    offer must produce a response that is itself an acceptable offer
//    with the same outcome (what we answer, we would accept).
//  - inflate: the rest is a compressed message; the output never exceeds
//    the limit, and a failure leaves the output untouched.
//  - round trip: the rest is a message; compress then inflate gives it
//    back, with and without context takeover and at every window size.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "resock/wire/permessage_deflate.h"

using namespace resock::wire;

namespace {

void offers(std::string_view text) {
  auto a = accept_deflate(text);
  if (!a) return;
  if (a->server_max_window_bits < 9 || a->server_max_window_bits > 15) abort();
  const std::string response = deflate_response(*a);
  auto again = accept_deflate(response);
  if (!again || again->server_max_window_bits != a->server_max_window_bits ||
      !again->server_no_context_takeover || !again->client_no_context_takeover)
    abort();
}

void inflate_bounded(std::span<const std::uint8_t> in, std::size_t limit) {
  static message_inflater inf;
  std::string out = "prefix";
  const inflate_status s = inf.decompress(in, out, limit);
  if (s == inflate_status::ok) {
    if (out.size() - 6 > limit || out.compare(0, 6, "prefix") != 0) abort();
  } else if (out != "prefix") {
    abort();
  }
}

void round_trip(std::span<const std::uint8_t> in, int bits, bool keep) {
  static message_deflater* defl[7] = {};
  static message_inflater takeover_inf;
  static message_inflater fresh_inf;
  if (!defl[bits - 9]) defl[bits - 9] = new message_deflater(bits);
  std::string z;
  if (!defl[bits - 9]->compress(in, z, keep)) abort();
  message_inflater& inf = keep ? takeover_inf : fresh_inf;
  std::string back;
  if (inf.decompress({reinterpret_cast<const std::uint8_t*>(z.data()), z.size()}, back, 0, keep) !=
      inflate_status::ok)
    abort();
  if (back.size() != in.size() ||
      (!in.empty() &&
       back.compare(0, back.size(), reinterpret_cast<const char*>(in.data()), in.size()) != 0))
    abort();
  if (keep) {  // both sides drop their context together
    if (!defl[bits - 9]->compress({}, z, false)) abort();
    back.clear();
    (void)inf.decompress({reinterpret_cast<const std::uint8_t*>(z.data()), z.size()}, back, 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  std::span<const std::uint8_t> rest(data + 1, size - 1);
  switch (mode % 3) {
    case 0:
      offers({reinterpret_cast<const char*>(rest.data()), rest.size()});
      break;
    case 1:
      inflate_bounded(rest, (mode >> 2) * 1024u + 1);
      break;
    default:
      round_trip(rest, 9 + (mode >> 2) % 7, (mode & 0x80) != 0);
      break;
  }
  return 0;
}
