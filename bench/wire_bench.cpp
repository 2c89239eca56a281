// wire_bench: throughput of the codec's hot loops, each next to memcpy on
// the same buffers measured in the same run (the machine is shared and
// noisy, so only ratios within one run mean anything). Prints one JSON
// object per line; exit status 0 even when a target is missed, the "ok"
// field says so.
//
//   wire_bench [--quick]    --quick: shorter runs (smoke test)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "resock/wire/frame_parser.h"
#include "resock/wire/frame_writer.h"
#include "resock/wire/mask.h"
#include "resock/wire/utf8.h"

namespace {

using clock_type = std::chrono::steady_clock;
double g_min_seconds = 0.25;  // per repetition
int g_repetitions = 5;        // best of

// Keeps the compiler from dropping work whose result is unused.
inline void escape(void* p) { asm volatile("" : : "g"(p) : "memory"); }

// Runs `fn` (which processes `bytes` bytes per call) repeatedly; returns
// the best throughput in bytes/s over the repetitions.
template <typename F>
double best_rate(std::size_t bytes, F&& fn) {
  double best = 0;
  for (int r = 0; r < g_repetitions; ++r) {
    std::size_t iterations = 0;
    auto start = clock_type::now();
    double elapsed = 0;
    do {
      for (int i = 0; i < 16; ++i) fn();
      iterations += 16;
      elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
    } while (elapsed < g_min_seconds);
    best = std::max(best, double(bytes) * double(iterations) / elapsed);
  }
  return best;
}

double memcpy_rate(std::size_t size) {
  std::vector<std::uint8_t> src(size, 0x5A), dst(size);
  return best_rate(size, [&] {
    std::memcpy(dst.data(), src.data(), size);
    escape(dst.data());
  });
}

void print_ratio(const char* bench, const char* input, std::size_t size, double rate,
                 double memcpy_gbs, double target_ratio) {
  double gbs = rate / 1e9;
  double ratio = gbs / memcpy_gbs;
  std::printf(
      "{\"bench\":\"%s\",\"input\":\"%s\",\"bytes\":%zu,\"gb_per_s\":%.3f,"
      "\"memcpy_gb_per_s\":%.3f,\"ratio_to_memcpy\":%.3f,\"target_ratio\":%.2f,\"ok\":%s}\n",
      bench, input, size, gbs, memcpy_gbs, ratio, target_ratio, ratio >= target_ratio ? "true" : "false");
  std::fflush(stdout);
}

void bench_unmask(std::size_t size) {
  double mc = memcpy_rate(size) / 1e9;
  std::vector<std::uint8_t> buf(size, 0x5A);
  resock::wire::mask_key key{0x37, 0xfa, 0x21, 0x3d};
  double rate = best_rate(size, [&] {
    resock::wire::mask_inplace(buf, key, 1);
    escape(buf.data());
  });
  print_ratio("unmask", size == 16384 ? "16KiB" : "1MiB", size, rate, mc,
              size >= (1u << 20) ? 0.5 : 0.0);
}

std::vector<std::uint8_t> ascii_text(std::size_t size) {
  std::vector<std::uint8_t> v(size);
  const char* words = "The quick brown fox jumps over the lazy dog. 0123456789\n";
  std::size_t n = std::strlen(words);
  for (std::size_t i = 0; i < size; ++i) v[i] = std::uint8_t(words[i % n]);
  return v;
}

// Mixed text: ASCII words with 2-, 3- and 4-byte characters spread through
// it, like real multilingual chat (Greek, CJK, emoji).
std::vector<std::uint8_t> mixed_text(std::size_t size) {
  const char* pieces[] = {"hello ", "κόσμε ", "日本語の ", "текст ", "🙂🚀 ", "ĉu ", "😀 "};
  std::vector<std::uint8_t> v;
  std::mt19937 rng(42);
  while (v.size() < size) {
    const char* p = pieces[rng() % 7];
    std::size_t n = std::strlen(p);
    if (v.size() + n > size) break;
    v.insert(v.end(), p, p + n);
  }
  while (v.size() < size) v.push_back(' ');
  return v;
}

void bench_utf8(const char* input, const std::vector<std::uint8_t>& text, double target_ratio,
                double target_gbs) {
  double mc = memcpy_rate(text.size()) / 1e9;
  bool ok = true;
  double rate = best_rate(text.size(), [&] {
    resock::wire::utf8_validator v;
    ok &= v.feed(text) && v.complete();
  });
  if (!ok) {
    std::fprintf(stderr, "wire_bench: validator rejected valid %s text\n", input);
    std::exit(1);
  }
  double gbs = rate / 1e9;
  std::printf(
      "{\"bench\":\"utf8_validate\",\"input\":\"%s\",\"bytes\":%zu,\"gb_per_s\":%.3f,"
      "\"memcpy_gb_per_s\":%.3f,\"ratio_to_memcpy\":%.3f,\"target\":\"%s\",\"ok\":%s}\n",
      input, text.size(), gbs, mc, gbs / mc,
      target_ratio > 0 ? ">= 0.3x memcpy" : ">= 1 GB/s",
      (target_ratio > 0 ? gbs / mc >= target_ratio : gbs >= target_gbs) ? "true" : "false");
  std::fflush(stdout);
}

void bench_parse_frames() {
  using namespace resock::wire;
  // A stream of 64-byte masked client frames (6 + 58 payload bytes).
  constexpr std::size_t frames = 16384;
  std::vector<std::uint8_t> stream;
  std::vector<std::uint8_t> payload(58, 'x');
  for (std::size_t i = 0; i < frames; ++i) {
    frame_header h = make_header(peer::client, opcode::binary, payload.size());
    append_frame(stream, h, payload);
  }
  std::vector<std::uint8_t> work = stream;
  double mc = memcpy_rate(stream.size()) / 1e9;
  std::size_t seen = 0;
  double rate = best_rate(stream.size(), [&] {
    // Unmasking is in place; a second pass simply masks again, which costs
    // the same, so the buffer is reused as it is.
    frame_parser p(frame_parser_options{.sender = peer::client});
    std::span<std::uint8_t> in(work);
    for (;;) {
      frame_step s = p.next(in);
      in = in.subspan(s.consumed);
      if (s.event == frame_event::frame_end) ++seen;
      if (s.event == frame_event::need_more || s.event == frame_event::error) break;
    }
  });
  if (seen % frames != 0) {
    std::fprintf(stderr, "wire_bench: parser lost frames\n");
    std::exit(1);
  }
  double frames_per_s = rate / 64.0;
  std::printf(
      "{\"bench\":\"parse_frames\",\"input\":\"64B masked frames\",\"frames_per_s\":%.0f,"
      "\"gb_per_s\":%.3f,\"memcpy_gb_per_s\":%.3f,\"ns_per_frame\":%.1f}\n",
      frames_per_s, rate / 1e9, mc, 1e9 / frames_per_s);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      g_min_seconds = 0.02;
      g_repetitions = 2;
    } else if (a == "--help" || a == "-h") {
      std::puts(
          "usage: wire_bench [--quick]\n"
          "Measures unmasking, UTF-8 validation and frame parsing next to memcpy\n"
          "in the same run and prints one JSON object per line.\n"
          "  --quick  short runs, for smoke tests (figures are noisier)");
      return 0;
    } else {
      std::fprintf(stderr, "wire_bench: unknown argument '%s' (try --help)\n", argv[i]);
      return 2;
    }
  }
  // Warm up (CPU frequency, page faults) so the first figure is not penalised.
  (void)memcpy_rate(1 << 20);
  bench_unmask(16 << 10);
  bench_unmask(1 << 20);
  bench_utf8("ascii", ascii_text(1 << 20), 0.3, 0);
  bench_utf8("mixed_multibyte", mixed_text(1 << 20), 0, 1.0);
  bench_parse_frames();
  return 0;
}
