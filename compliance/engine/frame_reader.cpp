#include "compliance/engine/frame_reader.h"

#include <algorithm>
#include <cstring>

namespace resock::conformance::engine_detail {

namespace {

std::size_t header_need(const std::uint8_t* head, std::size_t have) noexcept {
  if (have < 2) return 2;
  const std::uint8_t len7 = head[1] & 0x7F;
  const std::size_t n = len7 == 127 ? 10 : (len7 == 126 ? 4 : 2);
  return (head[1] & 0x80) ? n + 4 : n;
}

}  // namespace

read_step frame_reader::next(std::span<const std::uint8_t> input) noexcept {
  switch (state_) {
    case state::head: {
      std::size_t used = 0;
      for (;;) {
        const std::size_t need = header_need(head_, have_);
        if (have_ >= need) break;
        const std::size_t take = std::min(need - have_, input.size() - used);
        if (take == 0) return {read_event::need_more, used, {}};
        std::memcpy(head_ + have_, input.data() + used, take);
        have_ = static_cast<std::uint8_t>(have_ + take);
        used += take;
      }
      raw_header h;
      h.fin = (head_[0] & 0x80) != 0;
      h.rsv = (head_[0] >> 4) & 0x7;
      h.opcode = head_[0] & 0x0F;
      h.masked = (head_[1] & 0x80) != 0;
      h.len7 = head_[1] & 0x7F;
      std::size_t at = 2;
      h.length = h.len7;
      if (h.len7 >= 126) {
        const std::size_t n = h.len7 == 126 ? 2 : 8;
        h.length = 0;
        for (std::size_t i = 0; i < n; ++i)
          h.length = (h.length << 8) | head_[at + i];
        at += n;
      }
      if (h.masked) std::memcpy(h.mask.data(), head_ + at, 4);
      header_ = h;
      have_ = 0;
      offset_ = 0;
      phase_ = 0;
      state_ = h.length == 0 ? state::end : state::payload;
      return {read_event::header, used, {}};
    }
    case state::payload: {
      if (input.empty()) return {read_event::need_more, 0, {}};
      const std::uint64_t left = header_.length - offset_;
      const std::size_t n = left < input.size() ? static_cast<std::size_t>(left) : input.size();
      phase_ = offset_;
      offset_ += n;
      if (offset_ == header_.length) state_ = state::end;
      return {read_event::payload, n, input.first(n)};
    }
    case state::end:
      state_ = state::head;
      return {read_event::frame_end, 0, {}};
  }
  return {};
}

}  // namespace resock::conformance::engine_detail
