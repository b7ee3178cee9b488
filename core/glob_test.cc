#include "core/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

#include "core/glob_naive.h"

namespace arbiter {
namespace {

TEST(GlobTest, ActionsAreCaseInsensitive) {
  EXPECT_TRUE(GlobMatch("s3:Get*", "s3:getobject", GlobMode::kAction));
  EXPECT_TRUE(GlobMatch("S3:GETOBJECT", "s3:GetObject", GlobMode::kAction));
  EXPECT_TRUE(GlobMatch("iam:*AccessKey*", "iam:CreateAccessKey", GlobMode::kAction));
  EXPECT_TRUE(GlobMatch("ec2:Describe?mages", "ec2:DescribeImages", GlobMode::kAction));
  EXPECT_FALSE(GlobMatch("s3:Get*", "s3:PutObject", GlobMode::kAction));
  EXPECT_TRUE(GlobMatch("*", "anything:at-all", GlobMode::kAction));
  EXPECT_FALSE(GlobMatch("s3:?", "s3:", GlobMode::kAction));
}

TEST(GlobTest, StringsAreCaseSensitive) {
  EXPECT_TRUE(GlobMatch("home/*", "home/alice/x", GlobMode::kString));
  EXPECT_FALSE(GlobMatch("Home/*", "home/alice", GlobMode::kString));
  EXPECT_TRUE(GlobMatch("", "", GlobMode::kString));
  EXPECT_FALSE(GlobMatch("", "a", GlobMode::kString));
  EXPECT_TRUE(GlobMatch("**", "", GlobMode::kString));
}

TEST(GlobTest, ArnSegmentRule) {
  // A '*' that ends a segment expands across colons...
  EXPECT_TRUE(GlobMatch("arn:aws:iam::*", "arn:aws:iam::111122223333:user/bob", GlobMode::kArn));
  EXPECT_TRUE(GlobMatch("arn:aws:logs:us-east-1:111122223333:log-group:/aws/*",
                        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/fn:log-stream:x",
                        GlobMode::kArn));
  EXPECT_TRUE(GlobMatch("arn:aws:ec2:*:*:instance/*",
                        "arn:aws:ec2:us-east-1:111122223333:instance/i-1", GlobMode::kArn));
  // ...one in the middle of a segment does not, and neither does '?'.
  EXPECT_FALSE(GlobMatch("arn:aws:s3:::a*b", "arn:aws:s3:::a:x:b", GlobMode::kArn));
  EXPECT_TRUE(GlobMatch("arn:aws:s3:::a*b", "arn:aws:s3:::a/x/b", GlobMode::kArn));
  EXPECT_FALSE(GlobMatch("arn:aws:s3:::a?b", "arn:aws:s3:::a:b", GlobMode::kArn));
  EXPECT_FALSE(GlobMatch("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", GlobMode::kArn));
}

TEST(GlobTest, LiteralMaskDisablesWildcards) {
  // "${*}" substitutes a literal star.
  Glob g("a*", GlobMode::kString, {false, true});
  EXPECT_TRUE(g.Matches("a*"));
  EXPECT_FALSE(g.Matches("ab"));
  Glob h("x?*", GlobMode::kString, {false, true, false});
  EXPECT_TRUE(h.Matches("x?yz"));
  EXPECT_FALSE(h.Matches("xyz"));
}

// Random patterns of min_pattern + (0 to pattern_spread - 1) characters of
// `pattern_alphabet` against random texts of up to text_spread - 1 characters of
// `text_alphabet`: the compiled and the dynamic matcher agree with the naive one in every mode.
void ExpectAgreementWithNaive(uint32_t seed, const std::string& pattern_alphabet,
                              const std::string& text_alphabet, int min_pattern, int pattern_spread,
                              int text_spread) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string p, t;
    const int pl = min_pattern + static_cast<int>(rng() % pattern_spread);
    const int tl = static_cast<int>(rng() % text_spread);
    for (int i = 0; i < pl; ++i) p += pattern_alphabet[rng() % pattern_alphabet.size()];
    for (int i = 0; i < tl; ++i) t += text_alphabet[rng() % text_alphabet.size()];
    for (GlobMode mode : {GlobMode::kAction, GlobMode::kString, GlobMode::kArn}) {
      const bool want = NaiveGlobMatch(p, t, mode);
      ASSERT_EQ(GlobMatch(p, t, mode), want)
          << "pattern '" << p << "' text '" << t << "' mode " << static_cast<int>(mode);
      ASSERT_EQ(GlobMatchDynamic(p, nullptr, t, mode), want)
          << "dynamic: pattern '" << p << "' text '" << t << "' mode " << static_cast<int>(mode);
    }
  }
}

TEST(GlobTest, AgreesWithNaiveMatcherOnRandomInputs) {
  ExpectAgreementWithNaive(42, "ab:*?/", "ab:/A", 0, 9, 10);
}

// Patterns of letters and stars only (matched piece by piece, without the automaton), with
// letters of either case in pattern and text and texts long enough to hold several places
// for each piece.
TEST(GlobTest, PiecesAgreeWithNaiveMatcher) {
  ExpectAgreementWithNaive(9, "aAbB*", "aAbB:", 3, 8, 30);
}

// "Any single character (?)": a character, not a byte. UTF-8 text: e-acute is two bytes,
// an emoji four.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
TEST(GlobTest, QuestionMarkIsOneUnicodeCharacter) {
  const std::string e = "\xc3\xa9", emoji = "\xf0\x9f\x98\x80";
  for (GlobMode mode : {GlobMode::kAction, GlobMode::kString, GlobMode::kArn}) {
    SCOPED_TRACE(static_cast<int>(mode));
    for (auto match :
         {+[](std::string_view p, std::string_view t, GlobMode m) { return GlobMatch(p, t, m); },
          +[](std::string_view p, std::string_view t, GlobMode m) {
            return GlobMatchDynamic(p, nullptr, t, m);
          },
          +[](std::string_view p, std::string_view t, GlobMode m) {
            return NaiveGlobMatch(p, t, m);
          }}) {
      EXPECT_TRUE(match("caf?", "caf" + e, mode));
      EXPECT_TRUE(match("caf?", "caf" + emoji, mode));
      EXPECT_TRUE(match("?", e, mode));
      EXPECT_FALSE(match("??", e, mode));
      EXPECT_TRUE(match("??", e + emoji, mode));
      EXPECT_FALSE(match("???", e + emoji, mode));
      EXPECT_TRUE(match("r?sum?/*", "r" + e + "sum" + e + "/x", mode));
      EXPECT_TRUE(match("a?*b", "a" + e + "xyzb", mode));
      EXPECT_TRUE(match("*?", e, mode));
      EXPECT_FALSE(match("?" + e, e, mode));
      EXPECT_TRUE(match("?" + e, "x" + e, mode));
      EXPECT_TRUE(match("caf" + e, "caf" + e, mode));
    }
  }
}

TEST(GlobTest, AgreesWithNaiveMatcherOnMultibyteText) {
  std::mt19937 rng(7);
  const std::vector<std::string> pattern_pieces = {"a", ":", "*", "?", "\xc3\xa9", "/"};
  const std::vector<std::string> text_pieces = {"a", ":",           "\xc3\xa9", "\xf0\x9f\x98\x80",
                                                "/", "\xe2\x82\xac"};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string p, t;
    const int pl = rng() % 8, tl = rng() % 8;
    for (int i = 0; i < pl; ++i) p += pattern_pieces[rng() % pattern_pieces.size()];
    for (int i = 0; i < tl; ++i) t += text_pieces[rng() % text_pieces.size()];
    for (GlobMode mode : {GlobMode::kAction, GlobMode::kString, GlobMode::kArn}) {
      const bool want = NaiveGlobMatch(p, t, mode);
      ASSERT_EQ(GlobMatch(p, t, mode), want) << "pattern '" << p << "' text '" << t << "'";
      ASSERT_EQ(GlobMatchDynamic(p, nullptr, t, mode), want)
          << "dynamic: pattern '" << p << "' text '" << t << "'";
    }
  }
}

TEST(GlobTest, DynamicMatcherHonoursLiteralMask) {
  const std::string p = "a*?b";
  const char lit[] = {0, 1, 0, 0};
  EXPECT_TRUE(GlobMatchDynamic(p, lit, "a*xb", GlobMode::kString));
  EXPECT_FALSE(GlobMatchDynamic(p, lit, "axxb", GlobMode::kString));
  // Multi-word patterns (more than 63 symbols) against the naive matcher.
  for (int len : {63, 64, 65, 127, 128, 200, 511}) {
    std::string p, t;
    for (int i = 0; i < len; ++i) p += (i % 7 == 3) ? '*' : static_cast<char>('a' + i % 5);
    for (int i = 0; i < len + 10; ++i) t += static_cast<char>('a' + i % 5);
    for (GlobMode mode : {GlobMode::kString, GlobMode::kArn}) {
      EXPECT_EQ(GlobMatchDynamic(p, nullptr, t, mode), NaiveGlobMatch(p, t, mode)) << len;
      EXPECT_EQ(GlobMatchDynamic(p, nullptr, p, mode), NaiveGlobMatch(p, p, mode)) << len;
    }
  }
  std::string longp;
  for (int i = 0; i < 70; ++i) longp += "a*";
  EXPECT_TRUE(GlobMatchDynamic(longp, nullptr, std::string(80, 'a'), GlobMode::kString));
  EXPECT_FALSE(GlobMatchDynamic(longp, nullptr, std::string(60, 'a'), GlobMode::kString));
}

TEST(GlobTest, LongPatternsUseSeveralWords) {
  std::string p, t;
  for (int i = 0; i < 300; ++i) p += "a*";
  p += "b";
  for (int i = 0; i < 400; ++i) t += "a";
  EXPECT_FALSE(GlobMatch(p, t, GlobMode::kString));
  EXPECT_TRUE(GlobMatch(p, t + "b", GlobMode::kString));
  EXPECT_EQ(GlobMatch(p.substr(0, 41), t.substr(0, 30), GlobMode::kString),
            NaiveGlobMatch(p.substr(0, 41), t.substr(0, 30), GlobMode::kString));
}

// Hostile patterns: a backtracking matcher takes exponential or quadratic time on these.
// The bound is structural (no backtracking), so this only checks the answers at sizes a
// backtracker could not finish; it asserts no timing.
TEST(GlobTest, HostilePatternsStayLinear) {
  std::string p;
  for (int i = 0; i < 40; ++i) p += "*a";
  p += "*b";
  const std::string t(100000, 'a');
  EXPECT_FALSE(GlobMatch(p, t, GlobMode::kString));
  EXPECT_FALSE(GlobMatch(p, t, GlobMode::kArn));
  EXPECT_TRUE(GlobMatch(p, t + "b", GlobMode::kAction));
  std::string q = "*" + std::string(60, 'a') + "b*";
  EXPECT_FALSE(GlobMatch(q, t, GlobMode::kString));
}

}  // namespace
}  // namespace arbiter
