// Incremental parser for an HTTP/1.x request or response head (the start
// line and the header fields up to the empty line), as the WebSocket opening
// handshake and later resock's HTTP acceptor need it. Bytes after the head
// are not consumed: they belong to whatever follows (WebSocket frames).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "resock/config.h"
#include "resock/error.h"

namespace resock::wire {

struct http_header {
  std::string_view name;   // as sent (compare case-insensitively)
  std::string_view value;  // leading/trailing whitespace trimmed
};

struct http_head {
  // Request heads: method and request-target. Empty for responses.
  std::string_view method;
  std::string_view target;
  // Response heads: status code and reason phrase. 0/empty for requests.
  int status = 0;
  std::string_view reason;
  int version_major = 1;
  int version_minor = 1;
  std::vector<http_header> headers;  // views into the parser's buffer

  // First value of header `name` (case-insensitive), or empty.
  [[nodiscard]] RESOCK_API std::string_view find(std::string_view name) const noexcept;
  [[nodiscard]] RESOCK_API std::size_t count(std::string_view name) const noexcept;
  // True when any field named `name` lists `token` in its comma-separated
  // value (case-insensitive), e.g. has_token("Connection", "upgrade") for
  // "Connection: keep-alive, Upgrade".
  [[nodiscard]] RESOCK_API bool has_token(std::string_view name,
                                          std::string_view token) const noexcept;
};

enum class head_kind : std::uint8_t { request, response };

struct http_head_limits {
  std::size_t max_head_size = 8192;  // bytes up to and including the empty line
  std::size_t max_headers = 64;
};

enum class head_status : std::uint8_t { need_more, complete, error };

struct head_step {
  head_status status = head_status::need_more;
  std::size_t consumed = 0;  // bytes of the input that belong to the head
};

class RESOCK_API http_head_parser {
 public:
  explicit http_head_parser(head_kind kind, const http_head_limits& limits = {});

  // Feeds bytes. On complete, `consumed` stops right after the empty line.
  // Errors: http_malformed, http_head_too_large, http_too_many_headers.
  [[nodiscard]] head_step feed(std::span<const std::uint8_t> input);

  [[nodiscard]] const http_head& head() const noexcept { return head_; }
  [[nodiscard]] errc error() const noexcept { return error_; }
  void reset();

 private:
  errc parse();

  head_kind kind_;
  http_head_limits limits_;
  std::string buffer_;
  http_head head_;
  errc error_ = errc::ok;
  head_status status_ = head_status::need_more;
};

// Case-insensitive ASCII comparison, used for header names and tokens.
[[nodiscard]] RESOCK_API bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace resock::wire
