// resock-client: a command-line resock session client. It is the tool a
// user types to poke a gateway, and the load/chaos driver of the integration
// tests (--json gives them one parseable line per event).
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "resock/client.h"
#include "server/client_args.h"

namespace {

using namespace resock_client;

// Lines of stdin, read on a thread (stdin may be a tty, a pipe or a regular
// file, and libuv has no one handle type for all three) and handed to the
// loop through a uv_async_t, the one libuv call that is thread-safe.
struct stdin_feed {
  std::mutex mu;
  std::deque<std::string> lines;
  bool eof = false;
  bool closed = false;  // the async handle is closed: the thread must not signal it
  uv_async_t async{};
};

void read_stdin(std::shared_ptr<stdin_feed> feed) {
  std::string line;
  for (;;) {
    bool ok = static_cast<bool>(std::getline(std::cin, line));
    std::lock_guard lock(feed->mu);
    if (ok)
      feed->lines.push_back(std::move(line));
    else
      feed->eof = true;
    if (!feed->closed) uv_async_send(&feed->async);
    if (!ok) return;
  }
}

resock::client_options options(const args& a) {
  resock::client_options o;
  o.url = a.url;
  o.ca_file = a.ca_file;
  o.insecure = a.insecure;
  o.auth = a.auth;
  return o;
}

class runner {
 public:
  runner(uv_loop_t* loop, args a)
      : loop_(loop),
        a_(std::move(a)),
        client_(std::make_unique<resock::client>(loop, options(a_))) {}

  // Destroys the client (closing its handles) while our own handles stay
  // valid until the loop has run their close callbacks.
  void destroy_client() { client_.reset(); }

  int run() {
    client_->on_event([this](const resock::client_event& e) { on_event(e); });
    for (const auto& ch : a_.subs)
      client_->subscribe(ch);
    if (auto ec = client_->start()) {
      std::fprintf(stderr, "resock-client: cannot start: %s\n", ec.message().c_str());
      return 1;
    }
    uv_timer_init(loop_, &tick_);
    tick_.data = this;
    uv_timer_start(
        &tick_, [](uv_timer_t* t) { static_cast<runner*>(t->data)->on_tick(); }, 5, 5);
    for (auto [h, sig] : {std::pair{&sigint_, SIGINT}, std::pair{&sigterm_, SIGTERM}}) {
      uv_signal_init(loop_, h);
      h->data = this;
      uv_signal_start(
          h, [](uv_signal_t* s, int) { static_cast<runner*>(s->data)->on_signal(); }, sig);
    }
    if (a_.reads_stdin()) start_stdin();
    last_activity_ = last_tick_ = uv_now(loop_);
    uv_run(loop_, UV_RUN_DEFAULT);
    std::fflush(stdout);
    return status_;
  }

 private:
  void start_stdin() {
    feed_ = std::make_shared<stdin_feed>();
    uv_async_init(loop_, &feed_->async, [](uv_async_t*) {
      // Nothing to do here: the tick drains the queue at the paced rate.
    });
    // Detached: a blocked read(2) cannot be interrupted portably, and the
    // process may exit while it waits; `feed_` keeps its memory alive.
    std::thread(read_stdin, feed_).detach();
  }

  // Messages still to hand to the client: generated or read lines.
  bool next_outgoing(std::string& data) {
    if (a_.count > 0) {
      if (generated_ >= a_.count) return false;
      data = generated_message(++generated_, a_.size);
      return true;
    }
    if (!feed_) return false;
    std::lock_guard lock(feed_->mu);
    if (feed_->lines.empty()) return false;
    data = json_string(feed_->lines.front());
    feed_->lines.pop_front();
    return true;
  }

  bool outgoing_done() {
    if (a_.count > 0) return generated_ >= a_.count;
    if (!feed_) return true;
    std::lock_guard lock(feed_->mu);
    return feed_->eof && feed_->lines.empty();
  }

  void send_some(std::uint64_t now) {
    // Token bucket: late ticks (a loaded machine) catch up, but at most
    // 100 ms worth at once so a stall does not become a burst.
    double budget = 1e9;
    if (a_.rate > 0) {
      tokens_ += a_.rate * static_cast<double>(now - last_tick_) / 1000.0;
      double cap = a_.rate / 10.0 + 1.0;
      if (tokens_ > cap) tokens_ = cap;
      budget = tokens_;
    }
    std::string data;
    while (budget >= 1.0 && next_outgoing(data)) {
      if (!a_.pub.empty())
        client_->publish(a_.pub, data);
      else
        client_->send(a_.route, data);  // empty route: the default handler
      budget -= 1.0;
      if (a_.rate > 0) tokens_ -= 1.0;
      last_activity_ = now;
    }
  }

  void on_tick() {
    std::uint64_t now = uv_now(loop_);
    if (!stopping_) send_some(now);
    last_tick_ = now;
    std::fflush(stdout);
    if (stopping_) {
      // closed should follow stop() promptly; if the transport is wedged,
      // do not hang the caller (a test waits for us) forever.
      if (now - stop_started_ > 5000) {
        std::fprintf(stderr, "resock-client: no 'closed' 5 s after stop; leaving\n");
        status_ = 1;
        finish();
      }
      return;
    }
    if (should_exit(now)) begin_stop();
  }

  bool should_exit(std::uint64_t now) {
    bool acked = client_->pending() == 0;
    if (a_.has_expect) return received_ >= a_.expect && outgoing_done() && acked;
    // Idle means "the session is up and nothing happens": waiting for a
    // reconnect is not idleness, or a long backoff would end the client.
    if (a_.exit_after_idle_ms > 0)
      return session_up_ && acked && now - last_activity_ >= a_.exit_after_idle_ms;
    return outgoing_done() && acked;
  }

  void on_signal() {
    if (stopping_) {  // second signal: stop waiting for the server
      finish();
      return;
    }
    begin_stop();
  }

  void begin_stop() {
    stopping_ = true;
    stop_started_ = uv_now(loop_);
    client_->stop();
  }

  // Closes our handles so uv_run returns; the client has already stopped.
  void finish() {
    if (finished_) return;
    finished_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
    if (feed_) {
      std::lock_guard lock(feed_->mu);
      feed_->closed = true;
      uv_close(reinterpret_cast<uv_handle_t*>(&feed_->async), nullptr);
    }
    // The client may keep handles open until it is destroyed; main destroys
    // it after uv_run returns, then drains the close callbacks.
    uv_stop(loop_);
  }

  void on_event(const resock::client_event& e) {
    using kind = resock::client_event::kind;
    last_activity_ = uv_now(loop_);
    if (e.type == kind::connecting) session_up_ = false;
    if (e.type == kind::connected || e.type == kind::resumed) session_up_ = true;
    std::string line;
    const bool j = a_.json;
    switch (e.type) {
      case kind::connecting:
        line = j ? "{\"event\":\"connecting\",\"attempt\":" + std::to_string(e.attempt) +
                       ",\"delay_ms\":" + std::to_string(e.delay_ms) +
                       (e.reason.empty() ? "" : ",\"after\":" + json_string(e.reason)) + "}"
                 : "connecting (attempt " + std::to_string(e.attempt) + ", after " +
                       std::to_string(e.delay_ms) + " ms" +
                       (e.reason.empty() ? "" : "; last: " + std::string(e.reason)) + ")";
        break;
      case kind::connected:
        line = j ? "{\"event\":\"connected\",\"transport\":" +
                       json_string(resock::transport_name(e.transport)) +
                       ",\"sid\":" + json_string(e.sid) + "}"
                 : "connected over " + std::string(resock::transport_name(e.transport)) +
                       ", session " + std::string(e.sid);
        break;
      case kind::resumed:
        line = j ? "{\"event\":\"resumed\",\"sid\":" + json_string(e.sid) +
                       ",\"seq\":" + std::to_string(e.seq) + "}"
                 : "resumed session " + std::string(e.sid) + " after seq " + std::to_string(e.seq);
        break;
      case kind::lost:
        line = j ? "{\"event\":\"lost\",\"reason\":" + json_string(e.code) +
                       ",\"unconfirmed\":" + std::to_string(e.unconfirmed) + "}"
                 : "session lost (" + std::string(e.code) + "), " + std::to_string(e.unconfirmed) +
                       " message(s) unconfirmed";
        break;
      case kind::message: {
        ++received_;
        std::string data = e.binary         ? json_string(e.data)
                           : e.data.empty() ? std::string("null")
                                            : std::string(e.data);
        if (j) {
          line = "{\"event\":\"message\",\"seq\":" + std::to_string(e.seq);
          if (!e.channel.empty()) line += ",\"ch\":" + json_string(e.channel);
          if (e.binary) line += ",\"binary\":true";
          line += ",\"data\":" + data + "}";
        } else {
          line = "[" + std::to_string(e.seq) + "] " +
                 (e.channel.empty() ? std::string("(direct)") : std::string(e.channel)) + ": " +
                 data;
        }
        // Messages are the bulk: stdout is flushed by the tick, not per line.
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stdout);
        return;
      }
      case kind::error:
        line = j ? "{\"event\":\"error\",\"code\":" + json_string(e.code) +
                       ",\"msg\":" + json_string(e.reason) + "}"
                 : "error " + std::string(e.code) + ": " + std::string(e.reason);
        // The client stops on an untrusted certificate: a fatal error.
        if (e.code == "tls_certificate") status_ = 1;
        break;
      case kind::closed:
        line = j ? "{\"event\":\"closed\"}" : "closed";
        break;
    }
    if (j) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);  // tests wait for these lines
    } else {
      std::fprintf(stderr, "resock-client: %s\n", line.c_str());
    }
    if (e.type == kind::closed) finish();
  }

  uv_loop_t* loop_;
  args a_;
  std::unique_ptr<resock::client> client_;
  uv_timer_t tick_{};
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  std::shared_ptr<stdin_feed> feed_;
  std::uint64_t generated_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t last_activity_ = 0;
  std::uint64_t last_tick_ = 0;
  std::uint64_t stop_started_ = 0;
  double tokens_ = 0;
  bool session_up_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  int status_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> argv_list(argv + 1, argv + argc);
  auto parsed = parse(argv_list);
  if (parsed.what == parse_result::action::help) {
    std::fputs(help_text().c_str(), stdout);
    return 0;
  }
  if (parsed.what == parse_result::action::error) {
    std::fprintf(stderr, "resock-client: %s (try --help)\n", parsed.error.c_str());
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  // Many message lines: let stdio batch them (the tick flushes).
  static char outbuf[1 << 16];
  std::setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

  uv_loop_t loop;
  uv_loop_init(&loop);
  auto r = std::make_unique<runner>(&loop, std::move(parsed.a));
  int status = r->run();
  if (status != 0) {
    std::fflush(stdout);
    std::_Exit(status);  // the client may hold handles we cannot wait for
  }
  r->destroy_client();
  uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks of ours and the client's handles
  (void)uv_loop_close(&loop);
  r.reset();
  return 0;
}
