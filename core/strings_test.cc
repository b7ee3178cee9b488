#include "core/strings.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace arbiter {
namespace {

// Every length up to 40 (the short, 8-byte, 16-byte and memcmp paths), every position of a
// difference, and bytes with the high bit set.
TEST(StringsTest, SameTextAgreesWithEqualityAtEveryLengthAndPosition) {
  std::mt19937 rng(7);
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, '\0');
    for (char& c : a) c = static_cast<char>(rng());
    const std::string b = a;
    EXPECT_TRUE(SameText(a, b)) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string c = a;
      c[i] = static_cast<char>(c[i] ^ (1 << (i % 8)));
      EXPECT_FALSE(SameText(a, c)) << n << " " << i;
    }
    EXPECT_FALSE(SameText(a, a + "x")) << n;
  }
}

TEST(StringsTest, AsciiLowerCopyLowersOnlyAsciiLettersAtEveryLength) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (size_t start = 0; start < 20; ++start) {
    for (size_t n = 0; start + n <= all.size(); n += 7) {
      const std::string_view in = std::string_view(all).substr(start, n);
      std::string out(n, '#');
      AsciiLowerCopy(in, out.data());
      for (size_t i = 0; i < n; ++i) {
        const unsigned char c = static_cast<unsigned char>(in[i]);
        const char want = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c);
        ASSERT_EQ(out[i], want) << "byte " << static_cast<int>(c);
      }
    }
  }
}

TEST(StringsTest, FindWildcardFindsTheFirstStarOrQuestionMarkAtEveryOffset) {
  for (size_t n = 0; n <= 40; ++n) {
    const std::string plain(n, 'a');
    EXPECT_EQ(FindWildcard(plain), std::string_view::npos) << n;
    EXPECT_FALSE(HasWildcard(plain));
    for (size_t i = 0; i < n; ++i) {
      for (char w : {'*', '?'}) {
        std::string s = plain;
        s[i] = w;
        if (i + 3 < n) s[i + 3] = '*';  // a later one does not count
        EXPECT_EQ(FindWildcard(s), i) << n << " " << w;
        // Bytes one bit away from a wildcard are not one.
        s[i] = static_cast<char>(w ^ 0x80);
        EXPECT_EQ(FindWildcard(s), i + 3 < n ? i + 3 : std::string_view::npos) << n;
      }
    }
  }
}

TEST(StringsTest, BytesEqualToMarksExactlyTheMatchingBytes) {
  for (int c = 0; c < 256; ++c) {
    for (int other = 0; other < 256; other += 3) {
      char bytes[8];
      for (int k = 0; k < 8; ++k) bytes[k] = static_cast<char>(k % 3 == 0 ? c : other);
      uint64_t word;
      std::memcpy(&word, bytes, 8);
      const uint64_t m = strings_internal::BytesEqualTo(word, static_cast<char>(c));
      for (int k = 0; k < 8; ++k) {
        uint64_t byte_mask = 0;
        std::memcpy(reinterpret_cast<char*>(&byte_mask) + k, "\x80", 1);
        EXPECT_EQ((m & byte_mask) != 0, bytes[k] == static_cast<char>(c)) << c << " " << other;
      }
      EXPECT_EQ(m & ~strings_internal::kHigh, 0u);
    }
  }
}

}  // namespace
}  // namespace arbiter
