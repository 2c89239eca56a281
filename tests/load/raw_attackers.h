// The attackers that must not read (or must write at a crawl), so they
// cannot live on the driver's libuv loop, whose connections always read:
// each runs on a thread of its own with blocking sockets.
// - slow_consumer: subscribes to "busy" with a tiny receive buffer, then
//   stops reading. resockd must drop it (event=detach ... code=4004 in its
//   log) and keep the session: the thread then resumes it on a new
//   connection and must get resumed:true and the replay from s=1.
// - slowloris: keeps `slowloris` connections that send a request head one
//   byte per 200 ms; each must be dropped by resockd once
//   handshake_timeout_ms has passed, not before. Dropped ones are replaced.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "options.h"

namespace load {

struct slow_consumer_result {
  bool subscribed = false;
  bool dropped = false;  // resockd logged event=detach for its sid with code 4004
  bool resumed = false;  // the resume got resumed:true and s=1 first
  double stalled_s = 0;  // from the subscription to the drop being seen in the log
  std::string sid, problem;
};

class slow_consumer {
 public:
  explicit slow_consumer(const options& o) : o_(o) {}
  ~slow_consumer() { join(); }
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void stop() { stop_ = true; }  // gives up waiting for the drop
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] bool finished() const { return finished_; }
  [[nodiscard]] const slow_consumer_result& result() const { return r_; }  // after join

 private:
  void run();
  bool wait_for_drop();

  const options& o_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, finished_{false};
  slow_consumer_result r_;
};

struct slowloris_result {
  std::uint64_t opened = 0, dropped = 0;
  std::uint64_t early = 0;      // dropped before handshake_timeout_ms
  std::uint64_t late = 0;       // dropped (or still open) well after it
  double min_s = 0, max_s = 0;  // lifetimes of the dropped ones
  std::string problem;
};

class slowloris {
 public:
  explicit slowloris(const options& o) : o_(o) {}
  ~slowloris() {
    stop();
    join();
  }
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void stop() { stop_ = true; }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  [[nodiscard]] const slowloris_result& result() const { return r_; }  // after join

 private:
  void run();

  const options& o_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  slowloris_result r_;
};

}  // namespace load
