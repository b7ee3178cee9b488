// Wildcard patterns as IAM uses them: `*` matches any run of characters (including none)
// and `?` matches exactly one character (one UTF-8 encoded code point, not one byte).
//
// Design. A pattern compiles to a Thompson NFA whose states are pattern positions, and
// matching simulates all states at once with bit-parallel words (Shift-And). There is no
// backtracking, so hostile patterns such as `*a*a*a*...*b` cost the same as any other:
// matching is O(|text| * ceil((|pattern| + 1) / 64)) word operations, which is
// O(|text| + |pattern|) for patterns under 64 symbols (every real action and ARN).
//
// Modes:
// - kAction: case-insensitive (ASCII), as AWS matches Action and NotAction.
// - kString: case-sensitive, as StringLike matches.
// - kArn: case-sensitive with AWS's ARN segment rule, for Resource, NotResource and
//   ArnLike/ArnEquals. "You can use wildcard characters (* and ?) within any ARN segment
//   (the parts separated by colons) ... If the * wildcard is the last character of a
//   resource ARN segment, it can expand to match beyond the colon boundaries."
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)
//   So `?` and a `*` in the middle of a segment never match ':', while a `*` that ends a
//   segment (is followed by ':' or ends the pattern) matches anything.
//
// Thread-safety: a compiled Glob is immutable; Matches is const and allocation-free.
#ifndef ARBITER_CORE_GLOB_H_
#define ARBITER_CORE_GLOB_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace arbiter {

enum class GlobMode : uint8_t { kAction, kString, kArn };

class Glob {
 public:
  Glob() = default;
  // `literal` marks pattern bytes that are plain characters even if they are '*' or '?'
  // (used for text substituted from policy variables); empty means none are.
  Glob(std::string_view pattern, GlobMode mode, const std::vector<bool>& literal = {});

  bool Matches(std::string_view text) const;

  // True when the pattern has no wildcard at all.
  bool is_literal() const { return wildcard_free_; }

  // Heap bytes held (beyond sizeof(Glob)), the automaton included (AutomatonBytes()).
  size_t HeapBytes() const;
  size_t AutomatonBytes() const;

 private:
  enum class Sym : uint8_t { kChar, kAny, kStar, kStarNoColon, kAnyNoColon };
  // How Matches decides: most IAM patterns need no automaton at all.
  enum class Shape : uint8_t {
    kLiteral,       // no wildcard: text == literal
    kPrefix,        // "literal*" (the star may match anything): starts_with
    kSuffix,        // "*literal": ends_with
    kPrefixSuffix,  // "pre*suf": starts_with, ends_with, long enough
    // "pre*a*b*suf" where every star may match anything and there is no '?': the anchors,
    // then each middle piece at its leftmost place after the previous one (for such stars
    // the leftmost placement never loses a match). O(|text| * |piece|) worst case, no NFA.
    kPieces,
    kAutomaton,  // anything else: the bit-parallel NFA, after the anchors are checked
  };
  // The NFA's tables, built only for kAutomaton patterns and shared by copies.
  struct Automaton {
    int states = 1;  // symbols + 1
    int words = 1;
    // Per-byte class; class 0 is "a byte not named in the pattern".
    std::array<uint8_t, 256> klass{};
    // advance[k * words + w]: positions whose symbol consumes a byte of class k and advances.
    std::vector<uint64_t> advance;
    // loop[...]: positions whose symbol is a star that loops on a byte of class k.
    std::vector<uint64_t> loop;
    std::vector<uint64_t> star;  // positions holding a star (epsilon to the next state)
  };
  bool Equal(std::string_view a, std::string_view b) const;
  bool MatchPieces(std::string_view text) const;
  bool RunAutomaton(std::string_view text) const;

  // The literal prefix (all of a kLiteral pattern), then (kPieces) the middle pieces, then
  // the literal suffix (after the last wildcard), in one string.
  std::string_view prefix() const { return {text_.data(), prefix_size_}; }
  std::string_view suffix() const {
    return {text_.data() + text_.size() - suffix_size_, suffix_size_};
  }
  const char* middle() const { return text_.data() + prefix_size_; }

  bool fold_ = false;
  bool wildcard_free_ = true;
  Shape shape_ = Shape::kLiteral;
  uint32_t min_length_ = 0;  // characters any match needs
  uint32_t prefix_size_ = 0;
  uint32_t suffix_size_ = 0;
  std::string text_;
  std::vector<uint32_t> middle_ends_;  // kPieces: where each piece ends, from middle()
  std::shared_ptr<const Automaton> automaton_;
};

// Convenience for one-off matches (compiles each call).
bool GlobMatch(std::string_view pattern, std::string_view text, GlobMode mode);

// Matches a pattern built per request (policy variables substituted) without compiling it.
// `literal`, when not null, holds one byte per pattern byte: non-zero marks a plain
// character even if it is '*' or '?'. Same semantics as Glob; O(|text| * ceil(m / 64)) for
// m pattern symbols, allocation-free up to 511 symbols and 95 distinct bytes (policy
// elements are capped at 4,096 characters; longer patterns compile a Glob).
bool GlobMatchDynamic(std::string_view pattern, const char* literal, std::string_view text,
                      GlobMode mode);

}  // namespace arbiter

#endif  // ARBITER_CORE_GLOB_H_
