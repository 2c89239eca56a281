// The 6.5-6.23 table. Rows that follow a rule (prefixes, byte ranges,
// concatenations, the non-character grid) are generated; the others are
// listed in hex. cases_test checks every row's validity against
// resock::wire::is_valid_utf8 and the per-sub-section counts.
#include "compliance/cases/utf8_vectors.h"

#include <initializer_list>
#include <span>

#include "compliance/cases/case_kit.h"

namespace resock::conformance::cases {
namespace {

// Greek "kosme": five code points of 2, 3, 2, 2, 2 bytes.
constexpr const char* kKosme = "cebae1bdb9cf83cebcceb5";

struct hex_row {
  const char* hex;
  bool valid;
};

std::vector<utf8_vector> from_rows(std::span<const hex_row> rows) {
  std::vector<utf8_vector> out;
  for (const hex_row& r : rows)
    out.push_back({from_hex(r.hex), r.valid});
  return out;
}
std::vector<utf8_vector> from_rows(std::initializer_list<hex_row> rows) {
  return from_rows(std::span<const hex_row>(rows.begin(), rows.size()));
}

// Sequence length announced by a lead byte (only for the boundary rule of
// 6.6; the kosme string has no invalid leads).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  return 2;
}

// 6.6: every prefix of kosme; valid exactly when it ends on a code point.
std::vector<utf8_vector> kosme_prefixes() {
  const std::string k = from_hex(kKosme);
  std::vector<bool> boundary(k.size() + 1, false);
  for (std::size_t i = 0; i < k.size(); i += sequence_length(static_cast<unsigned char>(k[i])))
    boundary[i] = true;
  boundary[k.size()] = true;
  std::vector<utf8_vector> out;
  for (std::size_t n = 1; n <= k.size(); ++n)
    out.push_back({k.substr(0, n), boundary[n]});
  return out;
}

// 6.12: unexpected continuation bytes.
std::vector<utf8_vector> lonely_continuations() {
  std::vector<utf8_vector> out{{"\x80", false}, {"\xBF", false}};
  const std::string alternating = from_hex("80bf80bf80bf");
  for (std::size_t n = 2; n <= 6; ++n)
    out.push_back({alternating.substr(0, n), false});
  std::string all;
  for (int b = 0x80; b <= 0xBE; ++b)
    all.push_back(static_cast<char>(b));
  out.push_back({all, false});
  return out;
}

// 6.13: start bytes first..last, each followed by a space.
utf8_vector lonely_starts(int first, int last) {
  std::string s;
  for (int b = first; b <= last; ++b) {
    s.push_back(static_cast<char>(b));
    s.push_back(' ');
  }
  return {s, false};
}

constexpr hex_row kMissingLast[] = {
    {"c0", false}, {"e080", false}, {"f08080", false}, {"f8808080", false}, {"fc80808080", false},
    {"df", false}, {"efbf", false}, {"f7bfbf", false}, {"fbbfbfbf", false}, {"fdbfbfbfbf", false},
};

// 6.15: the ten incomplete sequences of 6.14 back to back.
std::vector<utf8_vector> concatenated_incomplete() {
  std::string all;
  for (const hex_row& r : kMissingLast)
    all += from_hex(r.hex);
  return {{all, false}};
}

// 6.22: U+FFFE/U+FFFF, then the last two code points of planes 1-16
// (lead F0-F4, second byte 8F/9F/AF/BF, third BF, fourth BE/BF). The
// F0 8F forms would be overlong encodings of the BMP and are not
// generated; plane 16 (F4) only has the 8F row.
std::vector<utf8_vector> non_characters() {
  std::vector<utf8_vector> out{{from_hex("efbfbe"), true}, {from_hex("efbfbf"), true}};
  for (int lead = 0xF0; lead <= 0xF4; ++lead) {
    for (int second : {0x8F, 0x9F, 0xAF, 0xBF}) {
      if (lead == 0xF0 && second == 0x8F) continue;
      if (lead == 0xF4 && second != 0x8F) continue;
      for (int last : {0xBE, 0xBF}) {
        std::string s{static_cast<char>(lead), static_cast<char>(second), '\xBF',
                      static_cast<char>(last)};
        out.push_back({s, true});
      }
    }
  }
  return out;
}

// 6.23: U+FFF9 ... U+FFFF (interlinear annotations, object replacement,
// replacement character, non-characters).
std::vector<utf8_vector> specials() {
  std::vector<utf8_vector> out;
  for (int last = 0xB9; last <= 0xBF; ++last)
    out.push_back({std::string{'\xEF', '\xBF', static_cast<char>(last)}, true});
  return out;
}

std::vector<utf8_subsection> build() {
  std::vector<utf8_subsection> t;
  t.push_back({5, "Some valid UTF-8 sequences",
               from_rows({{"68656c6c6f24776f726c64", true},
                          {"68656c6c6fc2a2776f726c64", true},
                          {"68656c6c6fe282ac776f726c64", true},
                          {"68656c6c6ff0a4ada2776f726c64", true},
                          {kKosme, true}})});
  t.push_back({6, "All prefixes of a valid UTF-8 string that contains multi-byte code points",
               kosme_prefixes()});
  t.push_back({7, "First possible sequence of a certain length",
               from_rows({{"00", true}, {"c280", true}, {"e0a080", true}, {"f0908080", true}})});
  t.push_back({8, "First possible sequence length 5/6 (invalid codepoints)",
               from_rows({{"f888808080", false}, {"fc8480808080", false}})});
  t.push_back({9, "Last possible sequence of a certain length",
               from_rows({{"7f", true}, {"dfbf", true}, {"efbfbf", true}, {"f48fbfbf", true}})});
  t.push_back({10, "Last possible sequence length 4/5/6 (invalid codepoints)",
               from_rows({{"f7bfbfbf", false}, {"fbbfbfbfbf", false}, {"fdbfbfbfbfbf", false}})});
  t.push_back({11, "Other boundary conditions",
               from_rows({{"ed9fbf", true},
                          {"ee8080", true},
                          {"efbfbd", true},
                          {"f48fbfbf", true},
                          {"f4908080", false}})});
  t.push_back({12, "Unexpected continuation bytes", lonely_continuations()});
  t.push_back({13,
               "Lonely start characters",
               {lonely_starts(0xC0, 0xDE), lonely_starts(0xE0, 0xEE), lonely_starts(0xF0, 0xF6),
                lonely_starts(0xF8, 0xFA), lonely_starts(0xFC, 0xFC)}});
  t.push_back({14, "Sequences with last continuation byte missing", from_rows(kMissingLast)});
  t.push_back({15, "Concatenation of incomplete sequences", concatenated_incomplete()});
  t.push_back(
      {16, "Impossible bytes", from_rows({{"fe", false}, {"ff", false}, {"fefeffff", false}})});
  t.push_back({17, "Examples of an overlong ASCII character",
               from_rows({{"c0af", false},
                          {"e080af", false},
                          {"f08080af", false},
                          {"f8808080af", false},
                          {"fc80808080af", false}})});
  t.push_back({18, "Maximum overlong sequences",
               from_rows({{"c1bf", false},
                          {"e09fbf", false},
                          {"f08fbfbf", false},
                          {"f887bfbfbf", false},
                          {"fc83bfbfbfbf", false}})});
  t.push_back({19, "Overlong representation of the NUL character",
               from_rows({{"c080", false},
                          {"e08080", false},
                          {"f0808080", false},
                          {"f880808080", false},
                          {"fc8080808080", false}})});
  t.push_back({20, "Single UTF-16 surrogates",
               from_rows({{"eda080", false},
                          {"edadbf", false},
                          {"edae80", false},
                          {"edafbf", false},
                          {"edb080", false},
                          {"edbe80", false},
                          {"edbfbf", false}})});
  t.push_back({21, "Paired UTF-16 surrogates",
               from_rows({{"eda080edb080", false},
                          {"eda080edbfbf", false},
                          {"edadbfedb080", false},
                          {"edadbfedbfbf", false},
                          {"edae80edb080", false},
                          {"edae80edbfbf", false},
                          {"edafbfedb080", false},
                          {"edafbfedbfbf", false}})});
  t.push_back({22, "Non-character code points (valid UTF-8)", non_characters()});
  t.push_back({23, "Unicode specials (i.e. replacement char)", specials()});
  return t;
}

}  // namespace

const std::vector<utf8_subsection>& utf8_vector_table() {
  static const std::vector<utf8_subsection> table = build();
  return table;
}

}  // namespace resock::conformance::cases
