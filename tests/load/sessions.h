// The well-behaved sessions: each is in one "room" channel and publishes
// to it; a few are also on the "busy" channel that session 0 floods with
// large messages (the slow consumer's channel). Every delivery is checked
// as it arrives: the server's `s` must be the session's last + 1, and the
// payload's per-stream counter `k` the stream's last + 1 (a stream is one
// publisher on one channel), so a loss, duplicate or reorder is seen at
// once. Publish-to-receive latency comes from the send time in the payload.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "options.h"
#include "ticker.h"
#include "ws_client.h"

namespace load {

struct delivery_figures {
  std::uint64_t published = 0;  // publishes sent (room + busy)
  std::uint64_t expected = 0;   // deliveries they should cause
  std::uint64_t delivered = 0;  // stream messages received
  std::uint64_t dup = 0;        // k <= last: seen before
  std::uint64_t reorder = 0;    // k > last + 1: one skipped (maybe later)
  std::uint64_t seq_gaps = 0;   // s != last s + 1
  std::uint64_t misrouted = 0;  // a stream from a channel the session is not on
  std::uint64_t errors = 0;     // error envelopes to a well-behaved session
  std::uint64_t closed = 0;     // connections lost before the end
  [[nodiscard]] std::uint64_t loss() const {
    std::uint64_t unique = delivered - dup;
    return expected > unique ? expected - unique : 0;
  }
};

class well_behaved final : public bench::conn_handler {
 public:
  well_behaved(const options& o, bench::conn_pool& pool, bench::connect_target target);

  // Opens the sessions, `setup_rate` per second, retrying those refused
  // with 429; returns false when not all are subscribed within `timeout_s`.
  bool open_all(double timeout_s);
  // Publishes for `seconds` at the configured rates (the loop runs).
  void publish_for(double seconds);
  // True when every publish was delivered everywhere and acked to its
  // publisher.
  [[nodiscard]] bool all_delivered() const;
  // Ends every session (close envelope) and waits for the connections.
  void close_all();

  // Latency is recorded only between these (the attack window).
  void record_latency(bool on) { recording_ = on; }
  [[nodiscard]] const std::vector<std::uint32_t>& latencies_us() const { return latency_us_; }
  [[nodiscard]] delivery_figures figures() const;
  [[nodiscard]] const std::string& first_problem() const { return problem_; }

  void on_open(bench::ws_conn& c) override;
  void on_message(bench::ws_conn& c, std::string_view data, std::size_t size) override;
  void on_closed(bench::ws_conn& c, std::string_view why) override;

 private:
  struct session {
    bench::ws_conn* conn = nullptr;
    std::size_t subs_wanted = 0, subs_done = 0;
    std::uint64_t next_c = 1, server_acked_c = 0;
    std::uint64_t last_s = 0, acked_s = 0;
    std::vector<std::uint32_t> last_k;  // per stream of the session's room (by local index)
    std::uint32_t busy_last_k = 0;
    std::uint64_t delivered = 0;
  };

  void connect(std::size_t i);
  void on_stream_message(session& s, std::size_t i, std::string_view data);
  void publish(std::size_t i, bool busy);
  void ack_all();
  void problem(std::string what);
  [[nodiscard]] std::size_t room_of(std::size_t i) const { return i % o_.rooms; }
  [[nodiscard]] std::size_t room_size(std::size_t room) const;

  const options& o_;
  bench::conn_pool& pool_;
  bench::connect_target target_;
  std::vector<session> sessions_;
  std::vector<std::uint32_t> sent_k_;  // per stream: rooms' streams 0..n-1, busy stream n
  std::unique_ptr<ticker> acker_;      // acks what the every-32 rule left, every 100 ms
  std::vector<std::size_t> retry_;     // sessions refused (429) waiting for another try
  std::size_t subscribed_ = 0;
  std::uint64_t published_ = 0;
  std::uint64_t delivered_ = 0, dup_ = 0, reorder_ = 0, seq_gaps_ = 0, misrouted_ = 0;
  std::uint64_t errors_ = 0, closed_ = 0;
  bool recording_ = false;
  bool ending_ = false;
  std::vector<std::uint32_t> latency_us_;
  std::string busy_pad_, scratch_, payload_;
  std::string problem_;
};

}  // namespace load
