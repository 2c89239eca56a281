#include "report.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>

namespace bench {
namespace {

constexpr std::size_t k_linear = 1024;
constexpr std::size_t k_sub = 512;
constexpr int k_max_shift = 40;

std::size_t bucket_of(std::uint64_t us) {
  if (us < k_linear) return std::size_t(us);
  int msb = 63 - std::countl_zero(us);
  int shift = msb - 9;  // us >> shift lies in [512, 1023]
  if (shift > k_max_shift) return k_linear + std::size_t(k_max_shift) * k_sub - 1;
  return k_linear + std::size_t(shift - 1) * k_sub + std::size_t((us >> shift) - k_sub);
}

double value_of(std::size_t i) {
  if (i < k_linear) return double(i);
  i -= k_linear;
  int shift = int(i / k_sub) + 1;
  return std::ldexp(double(i % k_sub + k_sub), shift);
}

}  // namespace

latency_histogram::latency_histogram() : buckets_(k_linear + k_max_shift * k_sub, 0) {}

void latency_histogram::record_ns(std::uint64_t ns) {
  ++buckets_[bucket_of(ns / 1000)];
  ++count_;
}

double latency_histogram::percentile_us(double q) const {
  if (count_ == 0) return 0;
  auto rank = std::uint64_t(std::ceil(q * double(count_)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return value_of(i);
  }
  return value_of(buckets_.size() - 1);
}

void latency_histogram::clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

void json_line::key(std::string_view k) {
  if (!body_.empty()) body_ += ',';
  body_ += '"';
  body_ += k;
  body_ += "\":";
}

json_line& json_line::str(std::string_view k, std::string_view value) {
  key(k);
  body_ += '"' + json_escape(value) + '"';
  return *this;
}

json_line& json_line::num(std::string_view k, double value, int decimals) {
  key(k);
  if (!std::isfinite(value)) {
    body_ += "null";
    return *this;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  body_ += buf;
  return *this;
}

json_line& json_line::integer(std::string_view k, std::int64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}

json_line& json_line::boolean(std::string_view k, bool value) {
  key(k);
  body_ += value ? "true" : "false";
  return *this;
}

json_line& json_line::null(std::string_view k) {
  key(k);
  body_ += "null";
  return *this;
}

json_line& json_line::object(std::string_view k, const json_line& inner) {
  key(k);
  body_ += inner.text();
  return *this;
}

void json_line::print() const {
  std::printf("%s\n", text().c_str());
  std::fflush(stdout);
}

}  // namespace bench
