#include "hub/in_process_broker.h"

#include <utility>

namespace resock::core {
namespace {

// Sweeping is a full scan: at most once a second.
constexpr auto kSweepEvery = std::chrono::seconds(1);

}  // namespace

in_process_broker::in_process_broker(clock_fn now) : now_(std::move(now)) {}

void in_process_broker::subscribe(std::string_view channel) {
  channels_.emplace(channel);
}

void in_process_broker::unsubscribe(std::string_view channel) {
  auto it = channels_.find(channel);
  if (it != channels_.end()) channels_.erase(it);
}

void in_process_broker::publish(std::string_view channel, payload_ptr body) {
  if (delivery_ && channels_.find(channel) != channels_.end()) delivery_(channel, body);
}

void in_process_broker::save(const session_state& state) {
  sweep();
  states_.insert_or_assign(state.sid, state);
}

void in_process_broker::load(std::string_view sid, std::function<void(const session_state*)> done) {
  sweep();
  auto it = states_.find(sid);
  // A tombstone past its TTL is forgotten; a detached session past its
  // expiry is still returned, because the core must run its disconnect
  // hook before it becomes a tombstone.
  if (it != states_.end() && !it->second.lost.empty() && it->second.expiry <= now_()) {
    states_.erase(it);
    it = states_.end();
  }
  done(it == states_.end() ? nullptr : &it->second);
}

namespace {

// Keeps a running total right across one change of a log.
struct usage_delta {
  replay_usage& total;
  const session::replay_buffer& log;
  std::size_t messages = log.size();
  std::size_t bytes = log.bytes();
  ~usage_delta() {
    total.messages = total.messages + log.size() - messages;
    total.bytes = total.bytes + log.bytes() - bytes;
  }
};

}  // namespace

void in_process_broker::erase(std::string_view sid) {
  if (auto it = states_.find(sid); it != states_.end()) states_.erase(it);
  if (auto it = logs_.find(sid); it != logs_.end()) {
    total_.messages -= it->second.size();
    total_.bytes -= it->second.bytes();
    logs_.erase(it);
  }
}

append_status in_process_broker::append(std::string_view sid, replay_entry entry,
                                        const replay_bounds& bounds) {
  auto it = logs_.find(sid);
  if (it == logs_.end()) it = logs_.emplace(std::string(sid), session::replay_buffer{}).first;
  usage_delta d{total_, it->second};
  return it->second.push(std::move(entry), bounds) ? append_status::ok : append_status::overflow;
}

replay_usage in_process_broker::replay_of(std::string_view sid) const {
  auto it = logs_.find(sid);
  if (it == logs_.end()) return {};
  return {it->second.size(), it->second.bytes()};
}

void in_process_broker::read(
    std::string_view sid, std::uint64_t after,
    std::function<void(std::uint64_t first, std::vector<replay_entry> entries)> done) {
  auto it = logs_.find(sid);
  if (it == logs_.end()) {
    done(0, {});
    return;
  }
  done(it->second.first_seq(), it->second.after(after));
}

void in_process_broker::trim(std::string_view sid, std::uint64_t upto) {
  if (auto it = logs_.find(sid); it != logs_.end()) {
    usage_delta d{total_, it->second};
    it->second.trim(upto);
  }
}

void in_process_broker::sweep() {
  auto now = now_();
  if (now < next_sweep_) return;
  next_sweep_ = now + kSweepEvery;
  for (auto it = states_.begin(); it != states_.end();) {
    // Only tombstones are swept here: a detached session's expiry is the
    // core's to act on (it runs the disconnect hook first).
    if (!it->second.lost.empty() && it->second.expiry <= now) {
      it = states_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace resock::core
