// The permessage-deflate codec on zlib: raw deflate streams (no zlib
// header), one sync flush per message (RFC 7692 7.2).
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "resock/wire/permessage_deflate.h"

namespace resock::wire {
namespace {

constexpr std::uint8_t k_tail[4] = {0x00, 0x00, 0xff, 0xff};

// zlib counts in uInt; a message larger than that is fed in slices.
constexpr std::size_t k_slice = 1u << 30;

Bytef* bytes_of(std::string& s, std::size_t at) {
  return reinterpret_cast<Bytef*>(s.data() + at);
}

}  // namespace

// --- deflater -----------------------------------------------------------------

message_deflater::message_deflater(int window_bits, int level) noexcept
    : window_bits_(window_bits), level_(level) {}

message_deflater::~message_deflater() {
  if (z_ != nullptr) {
    deflateEnd(z_);
    delete z_;
  }
}

bool message_deflater::compress(std::span<const std::uint8_t> in, std::string& out,
                                bool keep_context) {
  if (z_ == nullptr) {
    z_ = new (std::nothrow) z_stream{};
    if (z_ == nullptr) return false;
    // memLevel 8 is zlib's default; negative window bits: raw deflate.
    if (deflateInit2(z_, level_, Z_DEFLATED, -window_bits_, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      delete z_;
      z_ = nullptr;
      return false;
    }
  }
  const std::size_t start = out.size();
  std::size_t used = start;
  // deflateBound is for Z_FINISH; a sync flush adds at most a few bytes.
  out.resize(start + deflateBound(z_, static_cast<uLong>(in.size())) + 16);
  z_->next_in = const_cast<Bytef*>(in.data());
  std::size_t left = in.size();
  bool ok = true;
  while (ok) {
    const std::size_t slice = left < k_slice ? left : k_slice;
    z_->avail_in = static_cast<uInt>(slice);
    const int flush = slice == left ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    do {
      if (out.size() - used < 64) out.resize(out.size() + out.size() / 2 + 64);
      const std::size_t room = std::min(out.size() - used, k_slice);
      z_->next_out = bytes_of(out, used);
      z_->avail_out = static_cast<uInt>(room);
      const int rc = deflate(z_, flush);
      used += room - z_->avail_out;
      if (rc != Z_OK && rc != Z_BUF_ERROR) ok = false;
      // Done with this slice when zlib had room left over after consuming it.
    } while (ok && (z_->avail_in != 0 || z_->avail_out == 0));
    left -= slice;
    if (flush == Z_SYNC_FLUSH) break;
  }
  if (ok && used == start) {
    // A sync flush right after another one, with no input (an empty
    // message with context kept), makes zlib write nothing. The message
    // is then the empty stored block: its header byte 0x00, whose
    // LEN/NLEN (00 00 ff ff) are the tail the receiver appends.
    out.resize(start);
    out.push_back('\0');
    if (!keep_context) deflateReset(z_);
    return true;
  }
  if (ok && (used - start < 4 || std::memcmp(out.data() + used - 4, k_tail, 4) != 0)) ok = false;
  if (!ok) {
    out.resize(start);
    deflateReset(z_);
    return false;
  }
  out.resize(used - 4);
  if (!keep_context) deflateReset(z_);
  return true;
}

// --- inflater -----------------------------------------------------------------

message_inflater::message_inflater(int window_bits) noexcept : window_bits_(window_bits) {}

message_inflater::~message_inflater() {
  if (z_ != nullptr) {
    inflateEnd(z_);
    delete z_;
  }
}

inflate_status message_inflater::decompress(std::span<const std::uint8_t> in, std::string& out,
                                            std::size_t max_size, bool keep_context) {
  if (z_ == nullptr) {
    z_ = new (std::nothrow) z_stream{};
    if (z_ == nullptr) return inflate_status::no_memory;
    if (inflateInit2(z_, -window_bits_) != Z_OK) {
      delete z_;
      z_ = nullptr;
      return inflate_status::no_memory;
    }
  }
  const std::size_t start = out.size();
  std::size_t used = start;
  inflate_status status = inflate_status::ok;
  bool ended = false;  // a final block was seen: the window is gone anyway
  // The message, then the 4 bytes the sender stripped.
  const std::span<const std::uint8_t> parts[2] = {in, {k_tail, 4}};
  for (const auto& part : parts) {
    std::size_t left = part.size();
    z_->next_in = const_cast<Bytef*>(part.data());
    while (status == inflate_status::ok && left != 0) {
      const std::size_t slice = left < k_slice ? left : k_slice;
      z_->avail_in = static_cast<uInt>(slice);
      do {
        if (max_size != 0 && used - start > max_size) {
          status = inflate_status::too_big;
          break;
        }
        if (out.size() - used < 256) {
          std::size_t grow = std::max<std::size_t>(out.size() - start, 4096);
          if (max_size != 0) grow = std::min(grow, max_size + 1 - (used - start) + 256);
          out.resize(out.size() + grow);
        }
        const std::size_t room = std::min(out.size() - used, k_slice);
        z_->next_out = bytes_of(out, used);
        z_->avail_out = static_cast<uInt>(room);
        const int rc = inflate(z_, Z_SYNC_FLUSH);
        used += room - z_->avail_out;
        if (rc == Z_STREAM_END) {
          // A block with BFINAL set (RFC 7692 7.2.3.4): what follows in
          // the message, and the tail, start a new stream.
          ended = true;
          inflateReset(z_);
        } else if (rc == Z_MEM_ERROR) {
          status = inflate_status::no_memory;
        } else if (rc == Z_BUF_ERROR) {
          if (z_->avail_in == 0) break;  // all input used, no more output
          if (z_->avail_out != 0) status = inflate_status::corrupt;  // stuck: never loop
        } else if (rc != Z_OK) {
          status = inflate_status::corrupt;
        }
      } while (status == inflate_status::ok && (z_->avail_in != 0 || z_->avail_out == 0));
      left -= slice - z_->avail_in;
    }
    if (status != inflate_status::ok) break;
  }
  if (status == inflate_status::ok && max_size != 0 && used - start > max_size)
    status = inflate_status::too_big;
  if (status != inflate_status::ok) {
    out.resize(start);
    inflateReset(z_);
    return status;
  }
  out.resize(used);
  if (ended || !keep_context) inflateReset(z_);
  return inflate_status::ok;
}

void append_stored_block(std::string& out, std::span<const std::uint8_t> bytes) {
  const auto len = static_cast<std::uint16_t>(bytes.size());
  const auto nlen = static_cast<std::uint16_t>(~len);
  // BFINAL 0, BTYPE 00, then padding to the byte boundary: one zero byte.
  const char head[5] = {0, static_cast<char>(len & 0xff), static_cast<char>(len >> 8),
                        static_cast<char>(nlen & 0xff), static_cast<char>(nlen >> 8)};
  out.append(head, sizeof head);
  out.append(reinterpret_cast<const char*>(bytes.data()), len);
}

}  // namespace resock::wire
