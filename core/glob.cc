#include "core/glob.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "core/heap.h"
#include "core/strings.h"

namespace arbiter {
namespace {

constexpr int kStackWords = 8;

inline void ShiftLeftOne(const uint64_t* in, uint64_t* out, int words) {
  uint64_t carry = 0;
  for (int w = 0; w < words; ++w) {
    const uint64_t next = in[w] >> 63;
    out[w] = (in[w] << 1) | carry;
    carry = next;
  }
}

}  // namespace

Glob::Glob(std::string_view pattern, GlobMode mode, const std::vector<bool>& literal) {
  fold_ = mode == GlobMode::kAction;
  const bool arn = mode == GlobMode::kArn;
  struct Symbol {
    Sym sym;
    unsigned char c;
  };
  std::vector<Symbol> syms;
  syms.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(pattern[i]);
    const bool lit = i < literal.size() && literal[i];
    if (!lit && c == '*') {
      // A run of stars is one star; whether it may cross ':' is decided below.
      if (syms.empty() || syms.back().sym != Sym::kStar) syms.push_back({Sym::kStar, 0});
    } else if (!lit && c == '?') {
      syms.push_back({arn ? Sym::kAnyNoColon : Sym::kAny, 0});
    } else {
      syms.push_back({Sym::kChar, fold_ ? static_cast<unsigned char>(absl::ascii_tolower(c)) : c});
    }
  }
  if (arn) {
    for (size_t i = 0; i < syms.size(); ++i) {
      if (syms[i].sym != Sym::kStar) continue;
      const bool ends_segment =
          i + 1 == syms.size() || (syms[i + 1].sym == Sym::kChar && syms[i + 1].c == ':');
      if (!ends_segment) syms[i].sym = Sym::kStarNoColon;
    }
  }
  wildcard_free_ = true;
  for (const Symbol& s : syms) wildcard_free_ &= s.sym == Sym::kChar;
  // Literal anchors: the characters before the first and after the last wildcard.
  size_t first_wild = 0;
  while (first_wild < syms.size() && syms[first_wild].sym == Sym::kChar) ++first_wild;
  size_t last_wild = syms.size();
  while (last_wild > first_wild && syms[last_wild - 1].sym == Sym::kChar) --last_wild;
  std::string suffix, middle;
  for (size_t i = 0; i < first_wild; ++i) text_.push_back(static_cast<char>(syms[i].c));
  for (size_t i = last_wild; i < syms.size(); ++i) suffix.push_back(static_cast<char>(syms[i].c));
  prefix_size_ = static_cast<uint32_t>(first_wild);
  suffix_size_ = static_cast<uint32_t>(suffix.size());
  // Appends the middle pieces and the suffix once the shape is known (literal patterns keep
  // their text alone: it is all prefix).
  auto finish_text = [&] {
    text_ += middle;
    text_ += suffix;
    text_.shrink_to_fit();
  };
  for (const Symbol& s : syms) {
    min_length_ += s.sym == Sym::kChar || s.sym == Sym::kAny || s.sym == Sym::kAnyNoColon;
  }
  if (wildcard_free_) {
    shape_ = Shape::kLiteral;
    suffix_size_ = 0;  // the whole text is the prefix
    text_.shrink_to_fit();
    return;
  }
  const bool one_free_star = last_wild == first_wild + 1 && syms[first_wild].sym == Sym::kStar;
  if (one_free_star) {
    shape_ = first_wild == 0            ? Shape::kSuffix
             : last_wild == syms.size() ? Shape::kPrefix
                                        : Shape::kPrefixSuffix;
    finish_text();
    return;
  }
  bool free_stars_only = true;
  for (size_t i = first_wild; i < last_wild; ++i) {
    free_stars_only &= syms[i].sym == Sym::kChar || syms[i].sym == Sym::kStar;
  }
  if (free_stars_only) {
    shape_ = Shape::kPieces;
    for (size_t i = first_wild + 1; i < last_wild; ++i) {
      if (syms[i].sym == Sym::kStar) {
        if (syms[i - 1].sym == Sym::kChar)
          middle_ends_.push_back(static_cast<uint32_t>(middle.size()));
        continue;
      }
      middle.push_back(static_cast<char>(syms[i].c));
    }
    middle_ends_.shrink_to_fit();
    finish_text();
    return;
  }
  shape_ = Shape::kAutomaton;
  finish_text();

  // Byte classes: 0 for bytes the pattern never names, one class per named byte, and ':'
  // always named in ARN mode so that the no-colon symbols can exclude it.
  auto a = std::make_shared<Automaton>();
  int classes = 1;
  auto name = [&](unsigned char c) {
    if (a->klass[c] != 0) return;
    a->klass[c] = static_cast<uint8_t>(classes);
    if (fold_ && absl::ascii_isalpha(c)) a->klass[absl::ascii_toupper(c)] = a->klass[c];
    ++classes;
  };
  if (arn) name(':');
  bool has_any = false;
  for (const Symbol& s : syms) {
    if (s.sym == Sym::kChar) name(s.c);
    has_any |= s.sym == Sym::kAny || s.sym == Sym::kAnyNoColon;
  }
  // '?' is one character, not one byte: it consumes a byte that starts a UTF-8 sequence,
  // and the state after it stays on the sequence's continuation bytes (10xxxxxx). So
  // continuation bytes get classes of their own when the pattern has a '?'.
  std::vector<bool> continuation;  // per class; read only for '?' symbols
  if (has_any) {
    int unnamed = 0;
    for (int b = 0x80; b <= 0xBF; ++b) {
      if (a->klass[b] == 0) {
        if (unnamed == 0) unnamed = classes++;
        a->klass[b] = static_cast<uint8_t>(unnamed);
      }
    }
    continuation.assign(static_cast<size_t>(classes), false);
    for (int b = 0x80; b <= 0xBF; ++b) continuation[a->klass[b]] = true;
  }
  const int colon = arn ? a->klass[':'] : -1;

  a->states = static_cast<int>(syms.size()) + 1;
  a->words = (a->states + 63) / 64;
  const int words = a->words;
  a->advance.assign(static_cast<size_t>(classes) * words, 0);
  a->loop.assign(static_cast<size_t>(classes) * words, 0);
  a->star.assign(words, 0);
  for (size_t i = 0; i < syms.size(); ++i) {
    const uint64_t bit = uint64_t{1} << (i % 64);
    const size_t w = i / 64;
    for (int k = 0; k < classes; ++k) {
      const size_t at = static_cast<size_t>(k) * words + w;
      switch (syms[i].sym) {
        case Sym::kChar:
          if (a->klass[syms[i].c] == k) a->advance[at] |= bit;
          break;
        case Sym::kAny:
        case Sym::kAnyNoColon:
          if (continuation[static_cast<size_t>(k)]) {
            // Stay after the '?' while its character's continuation bytes go by.
            a->loop[static_cast<size_t>(k) * words + (i + 1) / 64] |= uint64_t{1} << ((i + 1) % 64);
          } else if (syms[i].sym == Sym::kAny || k != colon) {
            a->advance[at] |= bit;
          }
          break;
        case Sym::kStar:
          a->loop[at] |= bit;
          break;
        case Sym::kStarNoColon:
          if (k != colon) a->loop[at] |= bit;
          break;
      }
    }
    if (syms[i].sym == Sym::kStar || syms[i].sym == Sym::kStarNoColon) a->star[w] |= bit;
  }
  automaton_ = std::move(a);
}

size_t Glob::AutomatonBytes() const {
  if (!automaton_) return 0;
  // std::make_shared: the automaton and its control block in one block.
  return HeapBlock(sizeof(Automaton) + 16) + arbiter::HeapBytes(automaton_->advance) +
         arbiter::HeapBytes(automaton_->loop) + arbiter::HeapBytes(automaton_->star);
}

size_t Glob::HeapBytes() const {
  return arbiter::HeapBytes(text_) + arbiter::HeapBytes(middle_ends_) + AutomatonBytes();
}

bool Glob::MatchPieces(std::string_view text) const {
  // Each piece at its leftmost place after the previous one, between the anchors (Matches
  // checked that they fit).
  const std::string_view window = text.substr(0, text.size() - suffix_size_);
  size_t pos = prefix_size_;
  size_t begin = 0;
  for (uint32_t piece_end : middle_ends_) {
    const std::string_view piece(middle() + begin, piece_end - begin);
    begin = piece_end;
    size_t at = std::string_view::npos;
    if (!fold_) {
      at = window.find(piece, pos);  // memchr for the first byte, then a compare
    } else {
      // The piece is lower-cased; a candidate place must start with its first letter.
      for (size_t i = pos; i + piece.size() <= window.size(); ++i) {
        if (AsciiLower(window[i]) == piece[0] && Equal(piece, window.substr(i, piece.size()))) {
          at = i;
          break;
        }
      }
    }
    if (at == std::string_view::npos) return false;
    pos = at + piece.size();
  }
  return true;
}

bool Glob::Equal(std::string_view a, std::string_view b) const {
  return fold_ ? EqualsIgnoreCase(a, b) : SameText(a, b);
}

bool Glob::Matches(std::string_view text) const {
  if (text.size() < min_length_) return false;
  const std::string_view pre = prefix(), suf = suffix();
  switch (shape_) {
    case Shape::kLiteral:
      return Equal(pre, text);
    case Shape::kPrefix:
      return Equal(pre, text.substr(0, pre.size()));
    case Shape::kSuffix:
      return Equal(suf, text.substr(text.size() - suf.size()));
    case Shape::kPrefixSuffix:
      return Equal(pre, text.substr(0, pre.size())) &&
             Equal(suf, text.substr(text.size() - suf.size()));
    case Shape::kPieces:
      return Equal(pre, text.substr(0, pre.size())) &&
             Equal(suf, text.substr(text.size() - suf.size())) && MatchPieces(text);
    case Shape::kAutomaton:
      if (!Equal(pre, text.substr(0, pre.size())) ||
          !Equal(suf, text.substr(text.size() - suf.size()))) {
        return false;
      }
      break;
  }
  return RunAutomaton(text);
}

bool Glob::RunAutomaton(std::string_view text) const {
  const Automaton& a = *automaton_;
  if (a.words == 1) {
    // One machine word of states: everything stays in registers.
    const uint64_t star = a.star[0];
    uint64_t d = 1;
    d |= (d & star) << 1;
    for (unsigned char c : text) {
      const size_t k = a.klass[c];
      d = ((d & a.advance[k]) << 1) | (d & a.loop[k]);
      if (d == 0) return false;
      d |= (d & star) << 1;
    }
    return (d >> (a.states - 1)) & 1;
  }
  uint64_t stack_d[kStackWords];
  uint64_t stack_t[kStackWords];
  std::vector<uint64_t> heap;  // only for patterns over 511 symbols
  uint64_t* d = stack_d;
  uint64_t* t = stack_t;
  const int words = a.words;
  if (words > kStackWords) {
    heap.assign(2 * static_cast<size_t>(words), 0);
    d = heap.data();
    t = heap.data() + words;
  }
  auto close = [&] {  // epsilon moves: a star may match nothing
    for (int w = 0; w < words; ++w) t[w] = d[w] & a.star[w];
    ShiftLeftOne(t, t, words);
    for (int w = 0; w < words; ++w) d[w] |= t[w];
  };
  for (int w = 0; w < words; ++w) d[w] = 0;
  d[0] = 1;
  close();
  for (unsigned char c : text) {
    const size_t base = static_cast<size_t>(a.klass[c]) * words;
    for (int w = 0; w < words; ++w) t[w] = d[w] & a.advance[base + w];
    ShiftLeftOne(t, t, words);
    uint64_t any = 0;
    for (int w = 0; w < words; ++w) {
      d[w] = t[w] | (d[w] & a.loop[base + w]);
      any |= d[w];
    }
    if (any == 0) return false;
    close();
  }
  const int last = a.states - 1;
  return (d[last / 64] >> (last % 64)) & 1;
}

bool GlobMatch(std::string_view pattern, std::string_view text, GlobMode mode) {
  return Glob(pattern, mode).Matches(text);
}

bool GlobMatchDynamic(std::string_view pattern, const char* literal, std::string_view text,
                      GlobMode mode) {
  enum : uint8_t { kChar, kAny, kAnyNoColon, kStar, kStarNoColon };
  struct S {
    uint8_t kind;
    unsigned char c;
  };
  constexpr int kMax = 511;  // states fit in 8 words on the stack
  S syms[kMax];
  int m = 0;
  const bool fold = mode == GlobMode::kAction;
  const bool arn = mode == GlobMode::kArn;
  bool too_long = false;
  for (size_t i = 0; i < pattern.size() && !too_long; ++i) {
    const unsigned char c = static_cast<unsigned char>(pattern[i]);
    const bool lit = literal != nullptr && literal[i] != 0;
    if (!lit && c == '*') {
      if (m > 0 && syms[m - 1].kind == kStar) continue;
      if (m == kMax)
        too_long = true;
      else
        syms[m++] = {kStar, 0};
    } else if (m == kMax) {
      too_long = true;
    } else if (!lit && c == '?') {
      syms[m++] = {arn ? kAnyNoColon : kAny, 0};
    } else {
      syms[m++] = {kChar, fold ? static_cast<unsigned char>(absl::ascii_tolower(c)) : c};
    }
  }
  if (too_long) {
    std::vector<bool> mask(pattern.size(), false);
    for (size_t i = 0; literal != nullptr && i < pattern.size(); ++i) mask[i] = literal[i] != 0;
    return Glob(pattern, mode, mask).Matches(text);
  }
  // Anchors: the literal characters before the first and after the last wildcard must
  // match exactly, which settles most patterns without running the automaton.
  int first_wild = 0;
  while (first_wild < m && syms[first_wild].kind == kChar) ++first_wild;
  int last_wild = m;
  while (last_wild > first_wild && syms[last_wild - 1].kind == kChar) --last_wild;
  int min_length = 0;
  for (int i = 0; i < m; ++i) min_length += syms[i].kind != kStar;
  if (text.size() < static_cast<size_t>(min_length)) return false;
  auto eq = [&](unsigned char want, unsigned char got) {
    return want == (fold ? static_cast<unsigned char>(absl::ascii_tolower(got)) : got);
  };
  for (int i = 0; i < first_wild; ++i) {
    if (!eq(syms[i].c, static_cast<unsigned char>(text[i]))) return false;
  }
  const size_t tail = static_cast<size_t>(m - last_wild);
  for (size_t i = 0; i < tail; ++i) {
    if (!eq(syms[last_wild + i].c, static_cast<unsigned char>(text[text.size() - tail + i]))) {
      return false;
    }
  }
  if (first_wild == m) return text.size() == static_cast<size_t>(m);
  const bool free_star = syms[first_wild].kind == kStar &&
                         (!arn || first_wild + 1 == m || syms[first_wild + 1].c == ':');
  if (last_wild == first_wild + 1 && free_star) return true;  // "pre*suf"
  // Per-byte masks, built on the stack: class 0 is any byte the pattern does not name.
  constexpr int kMaxClasses = 96;
  const int words = (m + 1 + 63) / 64;
  // after_any: the states right after a '?', which stay on UTF-8 continuation bytes (a
  // '?' is one character, see Glob); a '?' itself never starts on a continuation byte.
  uint64_t stars[8] = {}, any[8] = {}, any_no_colon[8] = {}, loop_all[8] = {},
           loop_no_colon[8] = {}, after_any[8] = {};
  uint8_t klass[256] = {};
  uint64_t literal_masks[kMaxClasses][8];
  std::memset(literal_masks[0], 0, sizeof(literal_masks[0]));
  int classes = 1;
  for (int i = 0; i < m; ++i) {
    const uint64_t bit = uint64_t{1} << (i % 64);
    const int w = i / 64;
    switch (syms[i].kind) {
      case kChar: {
        uint8_t& k = klass[syms[i].c];
        if (k == 0) {
          if (classes == kMaxClasses) {  // more distinct bytes than the stack tables hold
            std::vector<bool> mask(pattern.size(), false);
            for (size_t b = 0; literal != nullptr && b < pattern.size(); ++b) {
              mask[b] = literal[b] != 0;
            }
            return Glob(pattern, mode, mask).Matches(text);
          }
          k = static_cast<uint8_t>(classes++);
          std::memset(literal_masks[k], 0, sizeof(literal_masks[k]));
        }
        literal_masks[k][w] |= bit;
        break;
      }
      case kAny:
        any[w] |= bit;
        after_any[(i + 1) / 64] |= uint64_t{1} << ((i + 1) % 64);
        break;
      case kAnyNoColon:
        any_no_colon[w] |= bit;
        after_any[(i + 1) / 64] |= uint64_t{1} << ((i + 1) % 64);
        break;
      case kStar: {
        const bool restricted =
            arn && !(i + 1 == m || (syms[i + 1].kind == kChar && syms[i + 1].c == ':'));
        (restricted ? loop_no_colon : loop_all)[w] |= bit;
        stars[w] |= bit;
        break;
      }
      default:
        break;
    }
  }
  if (words == 1) {  // everything in registers
    uint64_t d = 1;
    d |= (d & stars[0]) << 1;
    for (unsigned char raw : text) {
      const unsigned char c = fold ? static_cast<unsigned char>(absl::ascii_tolower(raw)) : raw;
      const bool colon = c == ':';
      const bool continuation = (c & 0xC0) == 0x80;
      const uint64_t advance =
          literal_masks[klass[c]][0] | (continuation ? 0 : any[0] | (colon ? 0 : any_no_colon[0]));
      const uint64_t loop =
          loop_all[0] | (colon ? 0 : loop_no_colon[0]) | (continuation ? after_any[0] : 0);
      d = ((d & advance) << 1) | (d & loop);
      if (d == 0) return false;
      d |= (d & stars[0]) << 1;
    }
    return (d >> m) & 1;
  }
  uint64_t d[8] = {1}, t[8];
  auto close = [&] {  // epsilon moves: a star may match nothing
    for (int w = 0; w < words; ++w) t[w] = d[w] & stars[w];
    ShiftLeftOne(t, t, words);
    for (int w = 0; w < words; ++w) d[w] |= t[w];
  };
  close();
  for (unsigned char raw : text) {
    const unsigned char c = fold ? static_cast<unsigned char>(absl::ascii_tolower(raw)) : raw;
    const bool colon = c == ':';
    const bool continuation = (c & 0xC0) == 0x80;
    const uint64_t* lit = literal_masks[klass[c]];
    for (int w = 0; w < words; ++w) {
      t[w] = d[w] & (lit[w] | (continuation ? 0 : any[w] | (colon ? 0 : any_no_colon[w])));
    }
    ShiftLeftOne(t, t, words);
    uint64_t alive = 0;
    for (int w = 0; w < words; ++w) {
      d[w] = t[w] | (d[w] & (loop_all[w] | (colon ? 0 : loop_no_colon[w]) |
                             (continuation ? after_any[w] : 0)));
      alive |= d[w];
    }
    if (alive == 0) return false;
    close();
  }
  return (d[m / 64] >> (m % 64)) & 1;
}

}  // namespace arbiter
