#include "ws_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include "resock/wire/frame_writer.h"
#include "resock/wire/handshake.h"
#include "resock/wire/mask.h"

namespace bench {
namespace wire = resock::wire;

namespace {

wire::reader_options client_reader_options() {
  // Servers do not mask; the figures check payloads themselves, so the
  // client skips UTF-8 validation and size limits to stay cheap.
  return {.frame = {.sender = wire::peer::server, .max_frame_size = 0},
          .message = {.max_message_size = 0, .validate_utf8 = false}};
}

}  // namespace

ws_conn::ws_conn(conn_pool& pool, conn_handler& handler, connect_target target, std::size_t index)
    : pool_(pool),
      handler_(handler),
      target_(std::move(target)),
      index_(index),
      mask_(wire::random_mask_key()),
      reader_(client_reader_options()) {}

void ws_conn::start() {
  state_ = state::connecting;
  started_ns_ = uv_hrtime();
  ++pool_.opening_;
  counted_pending_ = true;
  uv_tcp_init(&pool_.loop_, &tcp_);
  tcp_.data = this;
  ++pool_.live_;
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", target_.port, &addr);
  connect_req_.data = this;
  int rc = uv_tcp_connect(&connect_req_, &tcp_, reinterpret_cast<const sockaddr*>(&addr),
                          &ws_conn::on_connect);
  if (rc != 0) fail(std::string("connect: ") + uv_strerror(rc));
}

void ws_conn::on_connect(uv_connect_t* req, int status) {
  auto* c = static_cast<ws_conn*>(req->data);
  if (c->state_ != state::connecting) return;  // closed meanwhile
  if (status != 0) {
    c->fail(std::string("connect: ") + uv_strerror(status));
    return;
  }
  uv_tcp_nodelay(&c->tcp_, 1);
  c->state_ = state::handshaking;
  c->key_ = wire::make_client_key();
  c->head_ = std::make_unique<wire::http_head_parser>(wire::head_kind::response);
  std::string request = wire::build_upgrade_request("127.0.0.1:" + std::to_string(c->target_.port),
                                                    c->target_.path, c->key_, c->target_.protocol);
  c->out_.insert(c->out_.end(), request.begin(), request.end());
  c->flush();
  int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp_), &ws_conn::on_alloc,
                         &ws_conn::on_read);
  if (rc != 0) c->fail(std::string("read: ") + uv_strerror(rc));
}

void ws_conn::on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
  auto* c = static_cast<ws_conn*>(h->data);
  auto& b = c->pool_.read_buffer_;
  *buf = uv_buf_init(reinterpret_cast<char*>(b.data()), unsigned(b.size()));
}

void ws_conn::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<ws_conn*>(s->data);
  if (nread < 0) {
    c->fail(nread == UV_EOF ? "server closed the connection"
                            : std::string("read: ") + uv_strerror(int(nread)));
    return;
  }
  if (nread == 0) return;
  c->pool_.refresh_now();
  c->on_bytes({reinterpret_cast<std::uint8_t*>(buf->base), std::size_t(nread)});
}

void ws_conn::on_bytes(std::span<std::uint8_t> data) {
  if (state_ == state::handshaking) {
    auto step = head_->feed(data);
    if (step.status == wire::head_status::need_more) return;
    if (step.status == wire::head_status::error) {
      fail(std::string("bad handshake response: ") + resock::describe(head_->error()));
      return;
    }
    auto ec = wire::validate_upgrade_response(head_->head(), key_, target_.protocol, {});
    if (ec != resock::errc::ok) {
      fail("handshake refused (HTTP " + std::to_string(head_->head().status) +
           "): " + resock::describe(ec));
      return;
    }
    head_.reset();
    key_.clear();
    state_ = state::open;
    if (counted_pending_) {
      counted_pending_ = false;
      --pool_.opening_;
      pool_.start_queued();
    }
    handler_.on_open(*this);
    data = data.subspan(step.consumed);
    if (data.empty() || state_ != state::open) return;
  }
  if (state_ == state::open || state_ == state::closing) on_frames(data);
}

void ws_conn::on_frames(std::span<std::uint8_t> data) {
  for (;;) {
    auto step = reader_.next(data);
    data = data.subspan(step.consumed);
    switch (step.event) {
      case wire::message_event::none:
        if (data.empty()) return;
        break;
      case wire::message_event::data:
        message_size_ += step.data.size();
        if (collect)
          message_.append(reinterpret_cast<const char*>(step.data.data()), step.data.size());
        break;
      case wire::message_event::message_end: {
        std::size_t size = message_size_;
        message_size_ = 0;
        handler_.on_message(*this, message_, size);
        message_.clear();
        if (state_ == state::closed) return;
        break;
      }
      case wire::message_event::ping: {
        wire::frame_header h{.fin = true,
                             .rsv = 0,
                             .op = wire::opcode::pong,
                             .masked = true,
                             .mask = mask_,
                             .length = step.data.size()};
        wire::append_frame(out_, h, step.data);
        mark_dirty();
        break;
      }
      case wire::message_event::pong:
        break;
      case wire::message_event::close: {
        auto code = reader_.close().code;
        fail(state_ == state::closing ? std::string()
                                      : "server sent close " + std::to_string(code) + " " +
                                            std::string(reader_.close().reason));
        return;
      }
      case wire::message_event::error:
        fail(std::string("bad frame from server: ") + reader_.error().reason);
        return;
    }
  }
}

void ws_conn::send_text(std::string_view payload) {
  if (state_ != state::open) return;
  wire::frame_header h{.fin = true,
                       .rsv = 0,
                       .op = wire::opcode::text,
                       .masked = true,
                       .mask = mask_,
                       .length = payload.size()};
  std::size_t at = out_.size();
  out_.resize(at + wire::header_size(payload.size(), true) + payload.size());
  std::size_t n = wire::write_header(out_.data() + at, h);
  wire::mask_copy(out_.data() + at + n, reinterpret_cast<const std::uint8_t*>(payload.data()),
                  payload.size(), mask_);
  mark_dirty();
}

void ws_conn::mark_dirty() {
  if (listed_) return;
  listed_ = true;
  pool_.dirty_.push_back(this);
}

void ws_conn::close_after_flush(std::uint16_t code) {
  if (state_ != state::open) {
    close();
    return;
  }
  wire::append_close(out_, wire::peer::client, code);
  state_ = state::closing;
  close_when_flushed_ = true;
  flush();
}

void ws_conn::flush() {
  if (writing_ || out_.empty() || state_ == state::closed) return;
  std::swap(out_, inflight_);
  uv_buf_t b = uv_buf_init(reinterpret_cast<char*>(inflight_.data()), unsigned(inflight_.size()));
  write_req_.data = this;
  int rc = uv_write(&write_req_, reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1, &ws_conn::on_write);
  if (rc != 0) {
    fail(std::string("write: ") + uv_strerror(rc));
    return;
  }
  writing_ = true;
}

void ws_conn::on_write(uv_write_t* req, int status) {
  auto* c = static_cast<ws_conn*>(req->data);
  c->writing_ = false;
  c->inflight_.clear();
  if (c->state_ == state::closed) return;
  if (status != 0) {
    c->fail(std::string("write: ") + uv_strerror(status));
    return;
  }
  if (!c->out_.empty()) {
    c->flush();
  } else if (c->close_when_flushed_) {
    c->why_.clear();
    c->close();
  }
}

void ws_conn::fail(std::string why) {
  if (state_ == state::closed) return;
  why_ = std::move(why);
  close();
}

void ws_conn::close() {
  if (state_ == state::closed || state_ == state::queued) return;
  state_ = state::closed;
  if (counted_pending_) {
    counted_pending_ = false;
    --pool_.opening_;
    pool_.start_queued();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &ws_conn::on_close);
}

void ws_conn::on_close(uv_handle_t* h) {
  auto* c = static_cast<ws_conn*>(h->data);
  --c->pool_.live_;
  if (c->listed_) {  // never leave a dangling pointer for the next flush
    auto& d = c->pool_.dirty_;
    if (auto it = std::find(d.begin(), d.end(), c); it != d.end()) d.erase(it);
  }
  // A pending uv_write completes (cancelled) before the close callback,
  // so nothing refers to the connection any more.
  c->handler_.on_closed(*c, c->why_);
  delete c;
}

// --- pool ---------------------------------------------------------------------

conn_pool::conn_pool(std::size_t max_opening)
    : max_opening_(max_opening), read_buffer_(256 * 1024) {
  uv_loop_init(&loop_);
  uv_check_init(&loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, &conn_pool::on_check);
  uv_timer_init(&loop_, &tick_);
  tick_.data = this;
  // Wakes run_until's loop so predicates and deadlines are checked even
  // when no socket is active.
  uv_timer_start(&tick_, &conn_pool::on_tick, 5, 5);
  refresh_now();
}

conn_pool::~conn_pool() {
  close_all();
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

ws_conn* conn_pool::connect(const connect_target& target, conn_handler& handler,
                            std::size_t index) {
  auto* c = new ws_conn(*this, handler, target, index);
  queued_.push_back(c);
  start_queued();
  return c;
}

void conn_pool::start_queued() {
  while (opening_ < max_opening_ && !queued_.empty()) {
    ws_conn* c = queued_.front();
    queued_.pop_front();
    c->start();
  }
}

void conn_pool::flush_dirty() {
  // Swapped out so that connections marked during the loop go to the next
  // turn; a connection is freed only in its close callback, never here.
  std::vector<ws_conn*> list;
  list.swap(dirty_);
  for (ws_conn* c : list) {
    c->listed_ = false;
    c->flush();
  }
  if (dirty_.empty()) {
    list.clear();
    dirty_.swap(list);  // keep the capacity
  }
}

void conn_pool::on_check(uv_check_t* h) {
  static_cast<conn_pool*>(h->data)->flush_dirty();
}

void conn_pool::on_tick(uv_timer_t*) {}

bool conn_pool::run_until(const std::function<bool()>& done, double timeout_s) {
  std::uint64_t deadline = uv_hrtime() + std::uint64_t(timeout_s * 1e9);
  for (;;) {
    refresh_now();
    if (done()) {
      flush_dirty();
      return true;
    }
    flush_dirty();
    if (now_ns_ > deadline) return false;
    uv_run(&loop_, UV_RUN_ONCE);
  }
}

void conn_pool::run_for(double seconds) {
  (void)run_until([] { return false; }, seconds);
}

void conn_pool::close_all() {
  for (ws_conn* c : queued_) {
    c->handler_.on_closed(*c, "never started");
    delete c;
  }
  queued_.clear();
  // Connections are only reachable through libuv's handle list.
  uv_walk(
      &loop_,
      [](uv_handle_t* h, void*) {
        if (h->type == UV_TCP && !uv_is_closing(h)) static_cast<ws_conn*>(h->data)->close();
      },
      nullptr);
  if (!run_until([this] { return live_ == 0; }, 10))
    std::fprintf(stderr, "session_bench: %zu connections did not close within 10 s\n", live_);
}

}  // namespace bench
