// String helpers over std::string_view.
//
// Debian 12's abseil (20220623) is built with its own absl::string_view rather than an
// alias of std::string_view, so absl's string functions do not accept std::string_view.
// These few helpers keep the code on the standard type.
#ifndef ARBITER_CORE_STRINGS_H_
#define ARBITER_CORE_STRINGS_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "core/bytes.h"

namespace arbiter {

namespace strings_internal {
struct Piece {
  Piece(std::string_view s) : view(s) {}       // NOLINT: implicit by design
  Piece(const std::string& s) : view(s) {}     // NOLINT
  Piece(const char* s) : view(s) {}            // NOLINT
  Piece(char c) : owned(1, c), view(owned) {}  // NOLINT
  template <typename N, typename = std::enable_if_t<std::is_arithmetic_v<N>>>
  Piece(N n) : owned(absl::StrCat(n)), view(owned) {}  // NOLINT
  Piece(const Piece&) = delete;
  std::string owned;
  std::string_view view;
};
}  // namespace strings_internal

inline void StrAppendPieces(std::string* out, std::initializer_list<std::string_view> pieces) {
  size_t n = out->size();
  for (std::string_view p : pieces) n += p.size();
  out->reserve(n);
  for (std::string_view p : pieces) out->append(p);
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  StrAppendPieces(&out, {strings_internal::Piece(args).view...});
  return out;
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  StrAppendPieces(out, {strings_internal::Piece(args).view...});
}

namespace strings_internal {
using bytes::Load32;
using bytes::Load64;
inline constexpr uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
inline constexpr uint64_t kHigh = 0x8080808080808080ULL;
// The high bit of each byte of `word` that equals `c` (exact: no other bit is set).
inline uint64_t BytesEqualTo(uint64_t word, char c) {
  const uint64_t x = word ^ (kOnes * static_cast<uint8_t>(c));
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}
}  // namespace strings_internal

// Writes `in` with ASCII letters lower-cased to out[0, in.size()) (other bytes unchanged),
// eight bytes at a time.
inline void AsciiLowerCopy(std::string_view in, char* out) {
  using namespace strings_internal;
  size_t i = 0;
  for (; i + 8 <= in.size(); i += 8) {
    const uint64_t w = Load64(in.data() + i);
    // High bit of each byte in 'A'..'Z': ASCII, >= 'A' and not > 'Z'.
    const uint64_t low = w & kLow7;
    const uint64_t ge_a = low + kOnes * (0x80 - 'A');
    const uint64_t gt_z = low + kOnes * (0x80 - 'Z' - 1);
    const uint64_t upper = ~w & (ge_a ^ gt_z) & kHigh;
    const uint64_t lowered = w | (upper >> 2);  // 0x80 >> 2 == 0x20, the case bit
    std::memcpy(out + i, &lowered, 8);
  }
  for (; i < in.size(); ++i) {
    const char c = in[i];
    out[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  }
}

inline bool StartsWith(std::string_view s, std::string_view p) { return s.starts_with(p); }
inline bool EndsWith(std::string_view s, std::string_view p) { return s.ends_with(p); }
inline bool StrContains(std::string_view s, std::string_view p) {
  return s.find(p) != std::string_view::npos;
}
inline char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
// Index of the first '*' or '?' in `s`, or npos. One pass, eight bytes at a time
// (std::string_view::find_first_of with a set calls memchr on the set once per character).
inline size_t FindWildcard(std::string_view s) {
  using namespace strings_internal;
  size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= s.size(); i += 8) {
      const uint64_t w = Load64(s.data() + i);
      const uint64_t m = BytesEqualTo(w, '*') | BytesEqualTo(w, '?');
      if (m != 0) return i + static_cast<size_t>(std::countr_zero(m)) / 8;
    }
  }
  for (; i < s.size(); ++i) {
    if (s[i] == '*' || s[i] == '?') return i;
  }
  return std::string_view::npos;
}
inline bool HasWildcard(std::string_view s) { return FindWildcard(s) != std::string_view::npos; }
// Whether a[0, n) equals b[0, n). Inline word compares for the short strings of the hot
// paths, where memcmp is an out-of-line call; most unequal names differ in their first or
// last 8 bytes, which are compared first.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  using strings_internal::Load32;
  using strings_internal::Load64;
  if (n >= 8) {
    if (Load64(a) != Load64(b) || Load64(a + n - 8) != Load64(b + n - 8)) return false;
    for (size_t i = 8; i + 8 < n; i += 8) {
      if (Load64(a + i) != Load64(b + i)) return false;
    }
    return true;
  }
  if (n >= 4) return Load32(a) == Load32(b) && Load32(a + n - 4) == Load32(b + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}
inline bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() && SameBytes(a.data(), b.data(), a.size());
}
// Characters (Unicode code points) in UTF-8 text: the bytes that do not continue a sequence.
inline size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}
inline std::string AsciiStrToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}
inline bool ConsumePrefix(std::string_view* s, std::string_view p) {
  if (!s->starts_with(p)) return false;
  s->remove_prefix(p.size());
  return true;
}
inline bool ConsumeSuffix(std::string_view* s, std::string_view p) {
  if (!s->ends_with(p)) return false;
  s->remove_suffix(p.size());
  return true;
}
inline std::string_view StripAsciiWhitespace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}
// absl's parsers take absl::string_view.
inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace arbiter

#endif  // ARBITER_CORE_STRINGS_H_
