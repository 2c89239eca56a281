// Fuzzes the HTTP head parser and the opening-handshake checks: the input
// is parsed as a request and as a response, whole and byte-split, and the
// two parses must agree; a complete head then goes through the validators.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "resock/wire/handshake.h"
#include "resock/wire/http_head.h"

using namespace resock::wire;

namespace {

struct outcome {
  head_status status;
  std::size_t consumed;
  std::size_t headers;
  resock::errc error;
};

outcome parse(head_kind kind, const std::uint8_t* data, std::size_t size, std::size_t chunk,
              http_head_parser& p) {
  http_head_limits limits;
  limits.max_head_size = 2048;
  limits.max_headers = 32;
  p = http_head_parser(kind, limits);
  std::size_t pos = 0, consumed = 0;
  head_step s;
  while (pos < size) {
    std::size_t len = std::min(chunk, size - pos);
    s = p.feed({data + pos, len});
    if (s.consumed > len) abort();
    consumed += s.consumed;
    if (s.status != head_status::need_more) break;
    if (s.consumed != len) abort();
    pos += len;
  }
  return {s.status, consumed, p.head().headers.size(), p.error()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t chunk = 1 + data[0] % 16;
  ++data;
  --size;
  for (head_kind kind : {head_kind::request, head_kind::response}) {
    http_head_parser a(kind), b(kind);
    outcome whole = parse(kind, data, size, size ? size : 1, a);
    outcome split = parse(kind, data, size, chunk, b);
    if (whole.status != split.status || whole.consumed != split.consumed ||
        whole.headers != split.headers || whole.error != split.error)
      abort();
    if (whole.status != head_status::complete) continue;
    if (kind == head_kind::request) {
      upgrade_request req;
      resock::errc e = validate_upgrade_request(a.head(), req);
      if (e == resock::errc::ok && !is_valid_client_key(req.key)) abort();
      int status = http_status_for(e);
      if (e != resock::errc::ok && (status < 400 || status > 599)) abort();
    } else {
      (void)validate_upgrade_response(a.head(), "dGhlIHNhbXBsZSBub25jZQ==", "chat, superchat",
                                      "permessage-deflate");
    }
  }
  return 0;
}
