#include "sessions.h"

#include <algorithm>
#include <charconv>

#include "envelope.h"

namespace load {
namespace {

// Acks every 32 messages, and for the rest every 100 ms (the sweep), so
// that no replay buffer grows toward its bound.
constexpr std::uint64_t k_ack_every = 32;
constexpr std::size_t k_room_pad = 48;  // a room payload is ~100 bytes

void append_uint(std::string& out, std::uint64_t v) {
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof num, v);
  (void)ec;
  out.append(num, end);
}

// {"i":<stream>,"k":<counter>,"ts":<send time ns>,"p":"xx.."}
void build_payload(std::string& out, std::size_t stream, std::uint32_t k, std::uint64_t ts,
                   std::string_view pad) {
  out.assign(R"({"i":)");
  append_uint(out, stream);
  out.append(R"(,"k":)");
  append_uint(out, k);
  out.append(R"(,"ts":)");
  append_uint(out, ts);
  out.append(R"(,"p":")");
  out.append(pad);
  out.append(R"("})");
}

}  // namespace

well_behaved::well_behaved(const options& o, bench::conn_pool& pool, bench::connect_target target)
    : o_(o),
      pool_(pool),
      target_(std::move(target)),
      sessions_(o.sessions),
      sent_k_(o.sessions + 1, 0),
      busy_pad_(o.busy_size > 64 ? o.busy_size - 64 : 0, 'b') {
  for (std::size_t i = 0; i < o.sessions; ++i)
    sessions_[i].last_k.assign(room_size(room_of(i)), 0);
}

std::size_t well_behaved::room_size(std::size_t room) const {
  return o_.sessions / o_.rooms + (room < o_.sessions % o_.rooms ? 1 : 0);
}

void well_behaved::problem(std::string what) {
  if (problem_.empty()) problem_ = std::move(what);
}

void well_behaved::connect(std::size_t i) {
  pool_.connect(target_, *this, i);
}

bool well_behaved::open_all(double timeout_s) {
  std::size_t next = 0;
  std::uint64_t start = uv_hrtime();
  // Paced below resockd's per-IP rate; sessions refused anyway (the
  // attacks share the address) are tried again at the same pace.
  ticker pace(pool_.loop(), 10, [&] {
    double elapsed = double(uv_hrtime() - start) / 1e9;
    std::size_t due = std::size_t(elapsed * o_.setup_rate) + 1;
    while (next < due) {
      if (next < o_.sessions) {
        connect(next);
      } else if (!retry_.empty()) {
        connect(retry_.back());
        retry_.pop_back();
      } else {
        break;
      }
      ++next;
    }
  });
  bool ok = pool_.run_until([&] { return subscribed_ == o_.sessions; }, timeout_s);
  acker_ = std::make_unique<ticker>(pool_.loop(), 100, [this] { ack_all(); });
  return ok;
}

void well_behaved::on_open(bench::ws_conn& c) {
  c.collect = true;
  sessions_[c.index()].conn = &c;
  c.send_text(bench::hello_envelope);
}

void well_behaved::on_message(bench::ws_conn& c, std::string_view data, std::size_t) {
  std::size_t i = c.index();
  session& s = sessions_[i];
  switch (bench::envelope_type(data)) {
    case bench::env_type::msg:
      on_stream_message(s, i, data);
      break;
    case bench::env_type::ack:
      if (auto n = bench::find_uint(data, "c")) s.server_acked_c = std::max(s.server_acked_c, *n);
      break;
    case bench::env_type::welcome:
      c.send_text(bench::sub_envelope("room:" + std::to_string(room_of(i))));
      s.subs_wanted = 1;
      if (i < o_.busy_subscribers) {
        c.send_text(bench::sub_envelope("busy"));
        s.subs_wanted = 2;
      }
      break;
    case bench::env_type::suback:
      if (++s.subs_done == s.subs_wanted) ++subscribed_;
      break;
    case bench::env_type::ping:
      c.send_text(R"({"t":"pong"})");
      break;
    case bench::env_type::pong:
      break;
    default:  // error, close, anything else: a well-behaved session gets none
      ++errors_;
      problem("session " + std::to_string(i) + " got " + bench::error_text(data));
      break;
  }
}

void well_behaved::on_stream_message(session& s, std::size_t i, std::string_view data) {
  auto seq = bench::find_uint(data, "s");
  if (!seq || *seq != s.last_s + 1) {
    ++seq_gaps_;
    problem("session " + std::to_string(i) + ": s=" + (seq ? std::to_string(*seq) : "?") +
            " after " + std::to_string(s.last_s));
  }
  if (seq) s.last_s = *seq;
  if (s.last_s - s.acked_s >= k_ack_every) {
    s.acked_s = s.last_s;
    s.conn->send_text(bench::ack_envelope(s.acked_s));
  }
  auto stream = bench::find_in_data(data, "i");
  auto k = bench::find_in_data(data, "k");
  auto ts = bench::find_in_data(data, "ts");
  if (!stream || !k || !ts) {
    ++misrouted_;
    problem("session " + std::to_string(i) + ": unexpected msg " + bench::error_text(data));
    return;
  }
  std::uint32_t* last = nullptr;
  if (*stream < o_.sessions && room_of(*stream) == room_of(i)) {
    last = &s.last_k[*stream / o_.rooms];
  } else if (*stream == o_.sessions && i < o_.busy_subscribers) {
    last = &s.busy_last_k;
  } else {
    ++misrouted_;
    problem("session " + std::to_string(i) + " got stream " + std::to_string(*stream));
    return;
  }
  ++delivered_;
  ++s.delivered;
  if (*k <= *last) {
    ++dup_;
    problem("session " + std::to_string(i) + ": stream " + std::to_string(*stream) +
            " k=" + std::to_string(*k) + " again (last " + std::to_string(*last) + ")");
  } else if (*k != *last + 1) {
    ++reorder_;
    problem("session " + std::to_string(i) + ": stream " + std::to_string(*stream) +
            " k=" + std::to_string(*k) + " after " + std::to_string(*last));
  }
  *last = std::max<std::uint32_t>(*last, std::uint32_t(*k));
  if (recording_) {
    std::uint64_t now = pool_.now_ns();
    latency_us_.push_back(now > *ts ? std::uint32_t((now - *ts) / 1000) : 0);
  }
}

void well_behaved::on_closed(bench::ws_conn& c, std::string_view why) {
  session& s = sessions_[c.index()];
  s.conn = nullptr;
  if (ending_) return;
  if (s.subs_wanted == 0 && why.find("HTTP 429") != std::string_view::npos) {
    retry_.push_back(c.index());  // refused at setup: not yet a session
    return;
  }
  ++closed_;
  problem("session " + std::to_string(c.index()) +
          " lost its connection: " + (why.empty() ? std::string("?") : std::string(why)));
}

void well_behaved::publish(std::size_t i, bool busy) {
  session& s = sessions_[i];
  if (s.conn == nullptr) return;
  std::size_t stream = busy ? o_.sessions : i;
  build_payload(
      payload_, stream, ++sent_k_[stream], pool_.now_ns(),
      busy ? std::string_view(busy_pad_) : std::string_view(busy_pad_).substr(0, k_room_pad));
  std::string channel = busy ? std::string("busy") : "room:" + std::to_string(room_of(i));
  bench::build_msg(scratch_, s.next_c++, channel, true, payload_);
  s.conn->send_text(scratch_);
  ++published_;
}

void well_behaved::ack_all() {
  for (session& s : sessions_)
    if (s.conn != nullptr && s.last_s > s.acked_s) {
      s.acked_s = s.last_s;
      s.conn->send_text(bench::ack_envelope(s.acked_s));
    }
}

void well_behaved::publish_for(double seconds) {
  std::uint64_t start = uv_hrtime();
  std::uint64_t room_sent = 0, busy_sent = 0;
  std::size_t next = 0;
  ticker t(pool_.loop(), 5, [&] {
    pool_.refresh_now();
    double elapsed = double(pool_.now_ns() - start) / 1e9;
    // Publishers take turns, so every session publishes every
    // sessions/rate seconds (well within 2 x heartbeat).
    for (auto due = std::uint64_t(elapsed * o_.rate); room_sent < due; ++room_sent) {
      publish(next, false);
      next = (next + 1) % o_.sessions;
    }
    for (auto due = std::uint64_t(elapsed * o_.busy_rate); busy_sent < due; ++busy_sent)
      publish(0, true);
  });
  pool_.run_for(seconds);
}

bool well_behaved::all_delivered() const {
  auto f = figures();
  if (f.delivered - f.dup < f.expected) return false;
  for (const session& s : sessions_)
    if (s.conn != nullptr && s.server_acked_c + 1 != s.next_c) return false;
  return true;
}

void well_behaved::close_all() {
  ack_all();
  acker_.reset();
  ending_ = true;
  for (session& s : sessions_)
    if (s.conn != nullptr) {
      s.conn->send_text(bench::close_envelope);
      s.conn->close_after_flush(1000);
    }
  if (!pool_.run_until(
          [&] {
            return std::all_of(sessions_.begin(), sessions_.end(),
                               [](const session& s) { return s.conn == nullptr; });
          },
          30))
    problem("sessions still open 30 s after their close");
}

delivery_figures well_behaved::figures() const {
  delivery_figures f;
  f.published = published_;
  for (std::size_t stream = 0; stream < o_.sessions; ++stream)
    f.expected += std::uint64_t(sent_k_[stream]) * room_size(room_of(stream));
  f.expected += std::uint64_t(sent_k_[o_.sessions]) * std::min(o_.busy_subscribers, o_.sessions);
  f.delivered = delivered_;
  f.dup = dup_;
  f.reorder = reorder_;
  f.seq_gaps = seq_gaps_;
  f.misrouted = misrouted_;
  f.errors = errors_;
  f.closed = closed_;
  return f;
}

}  // namespace load
