#include "core/memory_link.h"

#include <memory>

namespace resock::core {

class memory_pair::server_link final : public link {
 public:
  server_link(transport_kind k, std::string_view peer) : kind_(k), peer_(peer) {}
  transport_kind kind() const noexcept override { return kind_; }
  void want_write() noexcept override { wants_write = true; }
  void close(std::uint16_t code, std::string_view reason) noexcept override {
    // Recorded only: the core may call this from inside writable(); the
    // pair finishes the close when its queue has drained.
    if (closing) return;
    closing = true;
    close_code = code;
    close_reason = std::string(reason);
  }
  std::string_view peer() const noexcept override { return peer_; }

  bool wants_write = false;
  bool closing = false;
  std::uint16_t close_code = 0;
  std::string close_reason;

 private:
  transport_kind kind_;
  std::string peer_;
};

memory_pair::memory_pair(server_core& server, client_core& client, transport_kind kind,
                         std::string peer)
    : server_(server), client_(client), kind_(kind), peer_(std::move(peer)) {}

memory_pair::~memory_pair() {
  if (conn_) drop();
}

void memory_pair::connect(const link_info& info) {
  if (conn_) return;
  link_ = new server_link(kind_, peer_);
  conn_ = server_.open(*link_, info);
  client_.connected(kind_);
}

void memory_pair::pull() {
  if (!conn_) return;
  std::string out;
  // Until the close is asked for: after it nothing more is written.
  while (!link_->closing) {
    out.clear();
    if (!server_.writable(conn_, out)) break;
    to_client_.push_back(out);
  }
  link_->wants_write = false;
  while (!link_->closing && client_.has_output()) {
    out.clear();
    if (!client_.writable(out)) break;
    to_server_.push_back(out);
  }
}

std::size_t memory_pair::pump(std::size_t max) {
  std::size_t delivered = 0;
  while (conn_ && delivered < max) {
    pull();
    if (to_server_.empty() && to_client_.empty()) {
      if (link_->closing) {
        finish_close(link_->close_code, link_->close_reason, true);
      }
      break;
    }
    if (!to_server_.empty() && !link_->closing) {
      std::string env = std::move(to_server_.front());
      to_server_.pop_front();
      if (tap_) tap_(direction::to_server, env);
      server_.receive(conn_, {reinterpret_cast<const std::uint8_t*>(env.data()), env.size()});
      ++delivered;
    } else if (link_->closing) {
      to_server_.clear();  // the server stopped reading
    }
    if (conn_ && delivered < max && !to_client_.empty()) {
      std::string env = std::move(to_client_.front());
      to_client_.pop_front();
      if (tap_) tap_(direction::to_client, env);
      client_.receive({reinterpret_cast<const std::uint8_t*>(env.data()), env.size()});
      ++delivered;
    }
  }
  return delivered;
}

void memory_pair::drop() {
  if (!conn_) return;
  finish_close(1006, {}, false);
}

void memory_pair::finish_close(std::uint16_t code, std::string_view reason, bool clean) {
  if (link_->closing) {
    last_close_code_ = link_->close_code;
    last_close_reason_ = link_->close_reason;
  }
  connection* c = conn_;
  std::unique_ptr<server_link> owned(link_);
  conn_ = nullptr;
  link_ = nullptr;
  to_server_.clear();
  to_client_.clear();
  server_.closed(c, link_closed{.code = code, .reason = reason, .clean = clean});
  client_.disconnected();
}

void memory_pair::inject(direction d, std::string_view bytes) {
  if (!conn_) return;
  if (tap_) tap_(d, bytes);
  auto span = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                            bytes.size());
  if (d == direction::to_server) {
    server_.receive(conn_, span);
  } else {
    client_.receive(span);
  }
}

}  // namespace resock::core
