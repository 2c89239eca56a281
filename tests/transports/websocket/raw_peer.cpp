#include "raw_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <span>

#include "resock/wire/frame_writer.h"
#include "resock/wire/handshake.h"
#include "resock/wire/http_head.h"

namespace resock::test {

raw_peer::~raw_peer() {
  if (fd_ >= 0) ::close(fd_);
}

bool raw_peer::connect(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return false;
  timeval tv{10, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0;
}

bool raw_peer::send_all(const void* data, std::size_t len) {
  const auto* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::send(fd_, p, len, MSG_NOSIGNAL);
    if (n <= 0) return false;
    p += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

bool raw_peer::read_more() {
  std::uint8_t buf[64 * 1024];
  ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
  if (n <= 0) return false;
  in.insert(in.end(), buf, buf + n);
  return true;
}

bool raw_peer::http_get(std::uint16_t port, std::string_view path, int& status,
                        std::string& content_type, std::string& body) {
  if (fd_ < 0 && !connect(port)) return false;
  std::string req = "GET " + std::string(path) +
                    " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n\r\n";
  if (!send_all(req.data(), req.size())) return false;
  wire::http_head_parser parser(wire::head_kind::response);
  for (;;) {
    auto step = parser.feed(in);
    if (step.status == wire::head_status::error) return false;
    if (step.status == wire::head_status::complete) {
      in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(step.consumed));
      break;
    }
    in.clear();  // the parser keeps what it was fed
    if (!read_more()) return false;
  }
  status = parser.head().status;
  content_type = std::string(parser.head().find("Content-Type"));
  std::size_t length = std::stoul(std::string(parser.head().find("Content-Length")).empty()
                                      ? "0"
                                      : std::string(parser.head().find("Content-Length")));
  while (in.size() < length)
    if (!read_more()) return false;
  body.assign(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(length));
  return true;
}

bool raw_peer::ws_open(std::uint16_t port, std::string_view path) {
  if (fd_ < 0 && !connect(port)) return false;
  std::string key = wire::make_client_key();
  std::string req =
      wire::build_upgrade_request("127.0.0.1:" + std::to_string(port), path, key, "resock.v1");
  if (!send_all(req.data(), req.size())) return false;
  wire::http_head_parser parser(wire::head_kind::response);
  for (;;) {
    if (!read_more()) return false;
    auto step = parser.feed(in);
    if (step.status == wire::head_status::error) return false;
    if (step.status == wire::head_status::complete) {
      bool ok = wire::validate_upgrade_response(parser.head(), key, "resock.v1", "") == errc::ok;
      in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(step.consumed));
      return ok;
    }
    in.clear();
  }
}

bool raw_peer::ws_send(wire::opcode op, std::string_view payload, int fragments) {
  std::vector<std::uint8_t> out;
  std::size_t per = fragments > 1 ? payload.size() / static_cast<std::size_t>(fragments) : 0;
  std::size_t off = 0;
  for (int i = 0; i < fragments; ++i) {
    bool last = i == fragments - 1;
    std::size_t n = last ? payload.size() - off : per;
    auto h =
        wire::make_header(wire::peer::client, i == 0 ? op : wire::opcode::continuation, n, last);
    wire::append_frame(out, h,
                       std::span<const std::uint8_t>(
                           reinterpret_cast<const std::uint8_t*>(payload.data()) + off, n));
    off += n;
  }
  return send_all(out.data(), out.size());
}

bool raw_peer::ws_read(wire::opcode& op, std::string& payload) {
  payload.clear();
  std::size_t off = 0;
  for (;;) {
    auto step = reader_.next(std::span<std::uint8_t>(in).subspan(off));
    off += step.consumed;
    switch (step.event) {
      case wire::message_event::data:
        payload.append(reinterpret_cast<const char*>(step.data.data()), step.data.size());
        continue;
      case wire::message_event::message_end:
        op = reader_.message_opcode();
        in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(off));
        return true;
      case wire::message_event::ping:
      case wire::message_event::pong:
        continue;
      case wire::message_event::close:
        close_code = reader_.close().code;
        [[fallthrough]];
      case wire::message_event::error:
        in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(off));
        return false;
      case wire::message_event::none:
        if (off < in.size()) continue;
        in.clear();
        off = 0;
        if (!read_more()) return false;
        continue;
    }
  }
}

int raw_peer::ws_close(std::uint16_t code) {
  std::vector<std::uint8_t> out;
  wire::append_close(out, wire::peer::client, code, "bye");
  if (!send_all(out.data(), out.size())) return -1;
  std::size_t off = 0;
  for (;;) {
    auto step = reader_.next(std::span<std::uint8_t>(in).subspan(off));
    off += step.consumed;
    if (step.event == wire::message_event::close) return reader_.close().code;
    if (step.event == wire::message_event::error) return -1;
    if (step.event == wire::message_event::none && off >= in.size()) {
      in.clear();
      off = 0;
      if (!read_more()) return -1;
    }
  }
}

}  // namespace resock::test
