// An encoded message tail shared by every session it is queued to: fan-out
// and replay hold the same immutable bytes, never a copy per subscriber.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace resock::session {

using payload_ptr = std::shared_ptr<const std::string>;

// One server message of a session: its seq and the shared encoded tail
// (protocol::make_msg_body), to which the per-session head is prepended
// when it is written.
struct replay_entry {
  std::uint64_t seq = 0;
  payload_ptr body;
};

}  // namespace resock::session
