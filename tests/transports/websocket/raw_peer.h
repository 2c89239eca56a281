// A deliberately plain peer for the transport tests: blocking POSIX
// sockets, run on a thread of its own while the test thread runs the uv
// loop, and frames written and parsed with resock::wire — never lws — so
// the server is checked against an independent implementation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resock/wire/frame.h"
#include "resock/wire/message_reader.h"

namespace resock::test {

class raw_peer {
 public:
  raw_peer() = default;
  ~raw_peer();
  raw_peer(const raw_peer&) = delete;
  raw_peer& operator=(const raw_peer&) = delete;

  bool connect(std::uint16_t port);  // 127.0.0.1, 10 s receive timeout
  bool send_all(const void* data, std::size_t len);
  bool read_more();  // appends what arrives to `in`; false on EOF/timeout/error

  // HTTP/1.1 GET with Connection: close. Fills status, content type, body.
  bool http_get(std::uint16_t port, std::string_view path, int& status, std::string& content_type,
                std::string& body);

  // The opening handshake to `path` (checked with resock::wire).
  bool ws_open(std::uint16_t port, std::string_view path);
  // Sends one message from the client role (masked), split in `fragments` frames.
  bool ws_send(wire::opcode op, std::string_view payload, int fragments = 1);
  // Reads the next data message; false on close (see close_code), error or timeout.
  bool ws_read(wire::opcode& op, std::string& payload);
  // Sends close(code) and waits for the server's close; returns its code.
  int ws_close(std::uint16_t code);

  std::vector<std::uint8_t> in;
  int close_code = 0;  // the code of the server's close frame, once one came

 private:
  int fd_ = -1;
  wire::message_reader reader_{
      wire::reader_options{.frame = {.sender = wire::peer::server, .max_frame_size = 0},
                           .message = {.max_message_size = 0}}};
};

}  // namespace resock::test
