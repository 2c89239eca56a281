// Uses the installed headers and library: computes the RFC 6455 example
// accept key and round-trips a masked frame. Exit 0 on success.
#include <cstdio>
#include <resock/wire.h>
#include <string>
#include <vector>

int main() {
  using namespace resock::wire;
  if (accept_key("dGhlIHNhbXBsZSBub25jZQ==") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") {
    std::puts("consumer: wrong accept key");
    return 1;
  }
  std::vector<std::uint8_t> out;
  const std::string text = "Hello";
  append_message(out, peer::client, opcode::text,
                 {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  message_reader reader(reader_options{.frame = {.sender = peer::client}});
  std::string got;
  std::span<std::uint8_t> in(out);
  for (;;) {
    read_step s = reader.next(in);
    in = in.subspan(s.consumed);
    if (s.event == message_event::data) got.append(s.data.begin(), s.data.end());
    if (s.event == message_event::message_end || s.event == message_event::error ||
        s.event == message_event::none)
      break;
  }
  if (got != text) {
    std::puts("consumer: frame round trip failed");
    return 1;
  }
  std::puts("consumer: ok");
  return 0;
}
