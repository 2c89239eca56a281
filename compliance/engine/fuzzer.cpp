#include "compliance/engine/fuzzer.h"

#include <algorithm>
#include <exception>

#include "resock/wire/handshake.h"
#include "resock/wire/mask.h"

namespace resock::conformance::engine_detail {

namespace {

constexpr char user_agent[] = "resock-conformance/0.1";

// Codes Autobahn accepts in a close frame from its peer (protocol.py):
// 1000-2999 only the listed ones, 3000-4999 all, the rest none. Note 1012+
// are refused although IANA registered them later; that is the reference.
bool allowed_close_code(std::uint32_t code) {
  if (code >= 3000 && code <= 4999) return true;
  switch (code) {
    case 1000:
    case 1001:
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
    case 1011:
      return true;
    default:
      return false;
  }
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

template <class F>
void fuzzer::guarded(F&& f) noexcept {
  try {
    f();
  } catch (const std::exception& e) {
    if (result_.engine_error.empty())
      result_.engine_error = std::string("case script threw: ") + e.what();
    drop_connection(true);
  } catch (...) {
    if (result_.engine_error.empty()) result_.engine_error = "case script threw";
    drop_connection(true);
  }
}

fuzzer::fuzzer(uv_loop_t* loop, timer_pool& timers, test_case& tc, case_result& result,
               fuzzer_setup setup, std::uint64_t start_ns)
    : timers_(timers),
      case_(tc),
      result_(result),
      setup_(std::move(setup)),
      rec_(result, start_ns),
      link_(loop, timers, *this) {
  uv_idle_init(loop, &idle_);
  idle_.data = this;
  for (const std::string& p : setup_.target.protocols) {
    if (!offered_protocols_.empty()) offered_protocols_ += ',';
    offered_protocols_ += p;
  }
}

fuzzer::~fuzzer() = default;

void fuzzer::start() {
  link_.connect(setup_.url, setup_.options);
}

void fuzzer::abort_run(const std::string& error) {
  if (result_.engine_error.empty()) result_.engine_error = error;
  if (state_ != state::closed) {
    close_.dropped_by_me = true;
    state_ = state::closed;
  }
  // Also cuts a graceful close that is stuck flushing to a server that
  // stopped reading.
  link_.close(true);
}

// ---------------------------------------------------------------- opening

void fuzzer::on_connected() {
  if (setup_.raw) {
    // Section 0 writes its own HTTP; the case starts on the bare socket.
    phase_ = phase::raw_head;
    open_ms_ = rec_.now_ms();
    guarded([&] { case_.on_open(*this); });
    return;
  }
  key_ = wire::make_client_key();
  const parsed_url& u = setup_.url;
  const bool v6 = u.host.find(':') != std::string::npos;
  std::string req;
  req.reserve(512);
  req += "GET " + u.resource + " HTTP/1.1\r\n";
  req += std::string("User-Agent: ") + user_agent + "\r\n";
  req += "Host: " + (v6 ? "[" + u.host + "]" : u.host) + ":" + std::to_string(u.port) + "\r\n";
  req += "Upgrade: WebSocket\r\n";
  req += "Connection: Upgrade\r\n";
  req += "Pragma: no-cache\r\n";
  req += "Cache-Control: no-cache\r\n";
  req += "Sec-WebSocket-Key: " + key_ + "\r\n";
  if (!setup_.target.origin.empty()) req += "Origin: " + setup_.target.origin + "\r\n";
  if (!offered_protocols_.empty()) req += "Sec-WebSocket-Protocol: " + offered_protocols_ + "\r\n";
  req += "Sec-WebSocket-Version: 13\r\n\r\n";
  result_.http_request = req;
  send_data(std::move(req), false, 0);
  const double limit = setup_.options.open_handshake_timeout_s;
  open_timer_ = timers_.start(limit, [this, limit] {
    open_timer_ = 0;
    if (state_ != state::connecting || phase_ != phase::handshake) return;
    close_.was_open_handshake_timeout = true;
    close_.was_not_clean_reason = "peer did not finish (in time) the opening handshake";
    if (result_.engine_error.empty())
      result_.engine_error = "opening handshake timed out after " + seconds_text(limit) + " s";
    drop_connection(true);
  });
}

void fuzzer::on_data(std::string_view bytes) {
  rec_.rx_octets(bytes);
  if (state_ == state::closed) return;
  switch (phase_) {
    case phase::handshake:
    case phase::raw_head:
      on_head_bytes(bytes);
      break;
    case phase::raw:
      break;
    case phase::frames:
      read_frames(bytes_of(bytes));
      break;
  }
}

void fuzzer::on_head_bytes(std::string_view bytes) {
  const wire::head_step st = head_parser_.feed(bytes_of(bytes));
  if (st.status == wire::head_status::need_more) {
    result_.http_response.append(bytes);
    return;
  }
  if (st.status == wire::head_status::error) {
    result_.http_response.append(bytes);
    if (phase_ == phase::raw_head) {
      phase_ = phase::raw;  // the case sees no head; its timers end it
      return;
    }
    const std::string why =
        std::string("malformed HTTP response (") + describe(head_parser_.error()) + ")";
    close_.was_not_clean_reason = why;
    if (result_.engine_error.empty()) result_.engine_error = "opening handshake failed: " + why;
    drop_connection(true);
    return;
  }
  result_.http_response.append(bytes.substr(0, st.consumed));
  const std::string_view rest = bytes.substr(st.consumed);
  const wire::http_head& head = head_parser_.head();
  server_header_ = std::string(head.find("Server"));

  if (phase_ == phase::raw_head) {
    bool websocket = false;
    guarded([&] { websocket = case_.on_http_response(*this, head); });
    if (state_ == state::closed) return;
    if (!websocket) {
      phase_ = phase::raw;
      return;
    }
    // The case did its own handshake; from here on it is a WebSocket.
    state_ = state::open;
    phase_ = phase::frames;
    close_.opened = true;
    read_frames(bytes_of(rest));
    return;
  }

  errc e = wire::validate_upgrade_response(head, key_, offered_protocols_, {});
  // Autobahn also insists on exactly one accept / protocol / extensions field.
  if (e == errc::ok &&
      (head.count("Sec-WebSocket-Accept") != 1 || head.count("Sec-WebSocket-Protocol") > 1 ||
       head.count("Sec-WebSocket-Extensions") > 1))
    e = errc::http_malformed;
  if (e != errc::ok) {
    std::string why = describe(e);
    if (e == errc::handshake_bad_status) why += " (status " + std::to_string(head.status) + ")";
    close_.was_not_clean_reason = why;
    if (result_.engine_error.empty()) result_.engine_error = "opening handshake failed: " + why;
    drop_connection(true);
    return;
  }
  became_open();
  if (state_ != state::closed && !rest.empty()) read_frames(bytes_of(rest));
}

void fuzzer::became_open() {
  timers_.cancel(open_timer_);
  open_timer_ = 0;
  state_ = state::open;
  phase_ = phase::frames;
  close_.opened = true;
  open_ms_ = rec_.now_ms();
  guarded([&] { case_.on_open(*this); });
}

// ---------------------------------------------------------------- frames in

void fuzzer::read_frames(std::span<const std::uint8_t> bytes) {
  while (state_ != state::closed) {
    const read_step s = reader_.next(bytes);
    bytes = bytes.subspan(s.consumed);
    switch (s.event) {
      case read_event::need_more:
        return;
      case read_event::header:
        if (!on_header()) return;
        break;
      case read_event::payload:
        if (!on_payload(s.payload)) return;
        break;
      case read_event::frame_end:
        if (!on_frame_end()) return;
        break;
    }
  }
}

// Autobahn's checks, in its order. A violation sends a close (or, when
// already closing, drops TCP) and processing goes on with the same frame:
// the server's close reply must still be seen.
bool fuzzer::on_header() {
  const raw_header& h = reader_.header();
  const auto violate = [&](const std::string& reason) {
    protocol_violation(reason);
    return state_ != state::closed;
  };
  const std::string op = std::to_string(h.opcode);
  if (h.rsv != 0 && !violate("RSV = " + std::to_string(h.rsv) + " and no extension negotiated"))
    return false;
  if (h.masked && !violate("masked server-to-client frame")) return false;
  if (h.opcode > 7) {
    if (!h.fin && !violate("fragmented control frame")) return false;
    if (h.len7 > 125 && !violate("control frame with payload length > 125 octets")) return false;
    if (h.opcode != 8 && h.opcode != 9 && h.opcode != 10 &&
        !violate("control frame using reserved opcode " + op))
      return false;
    if (h.opcode == 8 && h.len7 == 1 && !violate("received close control frame with payload len 1"))
      return false;
  } else if (h.opcode == 0) {
    if (!in_message_ && !violate("received continuation data frame outside fragmented message"))
      return false;
  } else if (h.opcode == 1 || h.opcode == 2) {
    if (in_message_ &&
        !violate("received non-continuation data frame while inside fragmented message"))
      return false;
  } else if (!violate("data frame using reserved opcode " + op)) {
    return false;
  }
  if (h.len7 == 126 && h.length < 126 &&
      !violate("invalid data frame length (not using minimal length encoding)"))
    return false;
  if (h.len7 == 127) {
    if (h.length > 0x7FFFFFFFFFFFFFFFull && !violate("invalid data frame length (>2^63)"))
      return false;
    if (h.length < 65536 &&
        !violate("invalid data frame length (not using minimal length encoding)"))
      return false;
  }

  if (h.opcode > 7) {
    control_.clear();
    return true;
  }
  if (!in_message_) {
    in_message_ = true;
    message_binary_ = h.opcode == 2;
    validate_utf8_ = h.opcode == 1;
    utf8_.reset();
    message_.clear();
  }
  // Grow geometrically: exact reserves per fragment would copy the whole
  // message for every frame (9.3.1 sends 65536 of them).
  constexpr std::uint64_t max_hint = 64u << 20;
  const std::uint64_t want = message_.size() + std::min<std::uint64_t>(h.length, max_hint);
  if (want > message_.capacity())
    message_.reserve(
        std::max<std::size_t>(static_cast<std::size_t>(want), 2 * message_.capacity()));
  frame_start_ = message_.size();
  return true;
}

bool fuzzer::on_payload(std::span<const std::uint8_t> bytes) {
  const raw_header& h = reader_.header();
  std::string& buf = h.opcode > 7 ? control_ : message_;
  const std::size_t at = buf.size();
  buf.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto* chunk = reinterpret_cast<std::uint8_t*>(buf.data() + at);
  if (h.masked)
    wire::mask_inplace({chunk, bytes.size()}, h.mask,
                       static_cast<std::size_t>(reader_.payload_offset() & 3));
  if (h.opcode <= 7 && validate_utf8_ && !utf8_.feed({chunk, bytes.size()})) {
    invalid_payload(
        "encountered invalid UTF-8 while processing text message at payload octet index " +
        std::to_string(at + utf8_.error_offset()));
    return state_ != state::closed;
  }
  return true;
}

bool fuzzer::on_frame_end() {
  const raw_header& h = reader_.header();
  const std::string_view payload =
      h.opcode > 7 ? std::string_view(control_) : std::string_view(message_).substr(frame_start_);
  rec_.rx_frame(h.opcode, h.fin, h.rsv, h.masked, h.mask, h.length,
                payload.substr(0, logged_bytes));

  if (h.opcode > 7) {
    switch (h.opcode) {
      case 8:
        on_close_frame();
        break;
      case 9:
        // Autobahn answers pings only while OPEN, with the same payload.
        if (state_ == state::open) send_frame(10, control_, frame_options{});
        break;
      case 10:
        guarded([&] { case_.on_pong(*this, control_); });
        break;
      default:
        break;
    }
    return state_ != state::closed;
  }
  if (!h.fin) return true;
  if (validate_utf8_ && !utf8_.complete()) {
    invalid_payload(
        "UTF-8 text message payload ended within Unicode code point at payload octet index " +
        std::to_string(message_.size()));
    if (state_ == state::closed) return false;
  }
  in_message_ = false;
  // Once the fuzzer failed the connection it stops delivering messages.
  if (!close_.failed_by_me) guarded([&] { case_.on_message(*this, message_, message_binary_); });
  return state_ != state::closed;
}

void fuzzer::on_close_frame() {
  std::optional<std::uint32_t> code;
  std::optional<std::string> reason;
  if (control_.size() >= 2) {
    code = (static_cast<std::uint32_t>(static_cast<std::uint8_t>(control_[0])) << 8) |
           static_cast<std::uint8_t>(control_[1]);
    if (control_.size() > 2) reason = control_.substr(2);
  }
  close_.remote_close_code.reset();
  close_.remote_close_reason.reset();
  if (code && !allowed_close_code(*code))
    protocol_violation("invalid close code " + std::to_string(*code));
  if (reason) {
    if (wire::is_valid_utf8(bytes_of(*reason)))
      close_.remote_close_reason = reason;
    else
      invalid_payload("invalid close reason (non-UTF-8 payload)");
  }
  // Kept raw even when invalid: the verdict then says WRONG CODE.
  close_.remote_close_code = code;

  if (state_ == state::closing) {
    // The reply to our close (or a second close): the handshake is done and
    // the server should now close TCP.
    timers_.cancel(close_timer_);
    close_timer_ = 0;
    close_.was_clean = true;
    if (setup_.options.server_drop_timeout_s > 0) {
      timers_.start(setup_.options.server_drop_timeout_s, [this] {
        if (state_ == state::closed) return;
        close_.was_clean = false;
        close_.was_not_clean_reason = "server did not drop TCP connection (in time)";
        close_.was_server_connection_drop_timeout = true;
        drop_connection(true);
      });
    }
  } else if (state_ == state::open) {
    // The server started closing: answer 1000 and wait for it to close TCP
    // (no timer on this path, as in Autobahn).
    close_.was_clean = true;
    send_close_internal(1000, std::nullopt, true);
  }
}

// ---------------------------------------------------------------- closing

void fuzzer::fail_connection(std::uint16_t code, const std::string& reason) {
  if (state_ == state::closed) return;
  close_.failed_by_me = true;
  if (state_ == state::open) {
    // A close reason must fit the 125-byte payload with its code.
    send_close_internal(code, std::string_view(reason).substr(0, 123), false);
  } else {
    // CLOSING: the handshake is under way, a second failure drops TCP
    // gracefully. CONNECTING (raw cases): there is no WebSocket to close.
    drop_connection(state_ == state::connecting);
  }
}

void fuzzer::send_close_internal(std::optional<std::uint32_t> code,
                                 std::optional<std::string_view> reason, bool is_reply) {
  if (state_ != state::open) return;
  std::string payload;
  if (code) {
    payload += static_cast<char>((*code >> 8) & 0xFF);
    payload += static_cast<char>(*code & 0xFF);
  }
  if (reason) payload.append(*reason);
  send_frame(8, payload, frame_options{});
  state_ = state::closing;
  close_.closed_by_me = !is_reply;
  close_.local_close_code =
      code ? std::optional<std::uint32_t>(*code & 0xFFFF) : std::optional<std::uint32_t>();
  close_.local_close_reason = reason ? std::optional<std::string>(*reason) : std::nullopt;
  if (!is_reply && setup_.options.close_handshake_timeout_s > 0) {
    close_timer_ = timers_.start(setup_.options.close_handshake_timeout_s, [this] {
      close_timer_ = 0;
      if (state_ == state::closed) return;
      close_.was_clean = false;
      close_.was_not_clean_reason = "peer did not respond (in time) in closing handshake";
      close_.was_close_handshake_timeout = true;
      drop_connection(true);
    });
  }
}

void fuzzer::drop_connection(bool abort) {
  if (state_ == state::closed) return;
  close_.dropped_by_me = true;
  state_ = state::closed;
  link_.close(abort);
}

void fuzzer::on_finished(const std::string& error) {
  if (finished_) return;
  finished_ = true;
  lost_ms_ = rec_.now_ms();
  state_ = state::closed;
  if (!error.empty() && result_.engine_error.empty()) result_.engine_error = error;
  if (error.empty() && !close_.was_clean && !close_.dropped_by_me &&
      close_.was_not_clean_reason.empty())
    close_.was_not_clean_reason =
        "peer dropped the TCP connection without previous WebSocket closing handshake";
  // The case is over: pending timers (killAfter etc.) would only no-op.
  timers_.close_all();
  queue_.clear();
  uv_idle_stop(&idle_);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), nullptr);
}

// ---------------------------------------------------------------- timers

void fuzzer::close_after(double seconds) {
  rec_.timer("TI", seconds);
  timers_.start(seconds, [this] {
    if (state_ == state::closed) return;
    rec_.timer_end("TIE");
    send_close(std::nullopt, {});
  });
}

void fuzzer::kill_after(double seconds) {
  rec_.timer("KL", seconds);
  timers_.start(seconds, [this] {
    if (state_ == state::closed) return;
    rec_.timer_end("KLE");
    fail_connection(1001, "Going Away");
  });
}

void fuzzer::continue_later(double seconds, std::function<void()> fn,
                            std::optional<std::string> tag) {
  rec_.timer("CT", seconds, tag);
  timers_.start(seconds, [this, fn = std::move(fn), tag = std::move(tag)] {
    if (state_ == state::closed) return;
    rec_.timer_end("CTE", tag);
    guarded([&] {
      if (fn) fn();
    });
  });
}

// Section 0 builds its requests by hand: give it the Host value and the
// resource of the URL under test, exactly as the automatic handshake sends them.
std::string fuzzer::target_host() const {
  const parsed_url& u = setup_.url;
  const bool v6 = u.host.find(':') != std::string::npos;
  return (v6 ? "[" + u.host + "]" : u.host) + ":" + std::to_string(u.port);
}

std::string fuzzer::target_resource() const { return setup_.url.resource; }

}  // namespace resock::conformance::engine_detail
