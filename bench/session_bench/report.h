// Figures out: latency histograms and one-line JSON objects.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// Log-linear histogram of microsecond values: exact below 1024 µs, then
// 512 buckets per power of two (error < 0.2%). Recording is an index
// computation and an increment, cheap enough for every message.
class latency_histogram {
 public:
  latency_histogram();
  void record_ns(std::uint64_t ns);
  // The value at `q` (0..1) in µs; 0 when empty.
  [[nodiscard]] double percentile_us(double q) const;
  [[nodiscard]] std::uint64_t count() const { return count_; }
  void clear();

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
};

// Builds one JSON object in member order; printed with a newline.
class json_line {
 public:
  json_line& str(std::string_view key, std::string_view value);
  json_line& num(std::string_view key, double value, int decimals = 1);
  json_line& integer(std::string_view key, std::int64_t value);
  json_line& boolean(std::string_view key, bool value);
  json_line& null(std::string_view key);
  // A nested object already rendered by another json_line.
  json_line& object(std::string_view key, const json_line& inner);
  [[nodiscard]] std::string text() const { return "{" + body_ + "}"; }
  // Prints to stdout and flushes (figures appear as they finish).
  void print() const;

 private:
  void key(std::string_view k);
  std::string body_;
};

[[nodiscard]] std::string json_escape(std::string_view s);

}  // namespace bench
