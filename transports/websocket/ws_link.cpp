#include "websocket/ws_link.h"

#include <libwebsockets.h>

#include <span>

#include "core/server_core.h"
#include "websocket/ws_lws.h"

namespace resock::ws {
namespace {

// Buffers that grew for one big message are given back afterwards: an idle
// connection should hold no large buffers (DESIGN.md, memory per idle
// connection).
constexpr std::size_t k_keep_capacity = 64u << 10;
// Echo: stop reading while this much is queued and not yet written (a peer
// that sends without reading must not grow our memory without bound).
constexpr std::size_t k_echo_pause_bytes = 16u << 20;

}  // namespace

ws_link::ws_link(lws* wsi, role r, core::server_core& core, std::size_t max_message,
                 std::string peer, const std::function<void(std::string_view)>* tap)
    : wsi_(wsi),
      role_(r),
      core_(core),
      max_message_(max_message),
      peer_(std::move(peer)),
      tap_(tap && *tap ? tap : nullptr) {}

void ws_link::want_write() noexcept {
  lws_callback_on_writable(wsi_);
}

void ws_link::close(std::uint16_t code, std::string_view reason) noexcept {
  if (closing_) return;
  closing_ = true;
  close_code_ = code;
  try {
    close_reason_.assign(reason);
  } catch (...) {
    close_reason_.clear();  // the code alone still closes correctly
  }
  // The close frame goes out from WRITEABLE, after what is already queued.
  lws_callback_on_writable(wsi_);
}

void ws_link::recycle(std::string& buffer) noexcept {
  if (buffer.capacity() > k_keep_capacity) std::string().swap(buffer);
}

int ws_link::deliver(const std::uint8_t* data, std::size_t len) {
  if (!conn || closing_) return 0;
  if (tap_) (*tap_)(std::string_view(reinterpret_cast<const char*>(data), len));
  core_.receive(conn, std::span<const std::uint8_t>(data, len));
  return 0;
}

int ws_link::on_receive(const void* in, std::size_t len, bool first, bool final, bool binary) {
  const auto* bytes = static_cast<const std::uint8_t*>(in);
  if (role_ == role::echo) {
    if (first) {
      rx_.assign(LWS_PRE, '\0');
      rx_binary_ = binary;
      rx_oversize_ = false;
    }
    if (rx_oversize_) return 0;
    if (rx_.size() - LWS_PRE + len > max_message_) {
      rx_oversize_ = true;
      close(1009, "message too big");
      return 0;
    }
    rx_.append(reinterpret_cast<const char*>(bytes), len);
    if (!final) return 0;
    echo_.push_back({std::move(rx_), rx_binary_});
    rx_ = std::string();
    std::size_t queued = 0;
    for (const auto& m : echo_)
      queued += m.bytes.size();
    if (queued > k_echo_pause_bytes) lws_rx_flow_control(wsi_, 0);
    lws_callback_on_writable(wsi_);
    return 0;
  }

  if (first) {
    rx_.clear();
    rx_binary_ = binary;
    rx_oversize_ = false;
  }
  if (rx_oversize_) {
    if (final) rx_oversize_ = false;
    return 0;
  }
  // The usual case, a message in one callback, goes to the core without a copy.
  if (first && final && len <= max_message_) return deliver(bytes, len);
  if (rx_.size() + len > max_message_) {
    // The core owns the too_big answer (error envelope, close 1009). It
    // decides by size, so it gets max+1 bytes, not the whole oversized message.
    rx_.append(reinterpret_cast<const char*>(bytes), max_message_ + 1 - rx_.size());
    deliver(reinterpret_cast<const std::uint8_t*>(rx_.data()), rx_.size());
    rx_.clear();
    recycle(rx_);
    rx_oversize_ = !final;
    close(1009, "message too big");  // no-op when the core closed it already
    return 0;
  }
  rx_.append(reinterpret_cast<const char*>(bytes), len);
  if (!final) return 0;
  deliver(reinterpret_cast<const std::uint8_t*>(rx_.data()), rx_.size());
  rx_.clear();
  recycle(rx_);
  return 0;
}

int ws_link::on_writeable() {
  if (role_ == role::echo) {
    if (!echo_.empty()) {
      echo_message m = std::move(echo_.front());
      echo_.pop_front();
      auto* p = reinterpret_cast<unsigned char*>(m.bytes.data()) + LWS_PRE;
      int n = lws_write(wsi_, p, m.bytes.size() - LWS_PRE,
                        m.binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
      if (n < 0) return -1;
      if (echo_.empty()) lws_rx_flow_control(wsi_, 1);
      if (!echo_.empty() || closing_) lws_callback_on_writable(wsi_);
      return 0;
    }
  } else if (conn) {
    out_.resize(LWS_PRE);
    if (core_.writable(conn, out_)) {
      auto* p = reinterpret_cast<unsigned char*>(out_.data()) + LWS_PRE;
      int n = lws_write(wsi_, p, out_.size() - LWS_PRE, LWS_WRITE_TEXT);
      recycle(out_);
      if (n < 0) return -1;
      // One envelope per callback; ask for the next round until the core
      // says its queue is empty (or the close is due).
      lws_callback_on_writable(wsi_);
      return 0;
    }
  }
  if (closing_) {
    set_close_reason(wsi_, close_code_, close_reason_);
    return -1;  // lws sends the close frame set above and ends the connection
  }
  return 0;
}

void ws_link::on_peer_close(const void* in, std::size_t len) {
  auto frame = parse_close_payload(in, len);
  peer_closed_ = true;
  peer_code_ = frame.code;
  peer_reason_ = std::move(frame.reason);
}

void ws_link::on_closed() {
  if (!conn) return;
  core::link_closed why;
  if (peer_closed_) {
    why.code = peer_code_;
    why.reason = peer_reason_;
    why.clean = true;
  } else if (closing_) {
    why.code = close_code_;
    why.reason = close_reason_;
    why.clean = true;
  }
  auto* c = conn;
  conn = nullptr;
  core_.closed(c, why);
}

}  // namespace resock::ws
