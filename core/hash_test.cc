#include "core/hash.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "absl/container/flat_hash_set.h"

namespace arbiter {
namespace {

// Every input bit reaches the output: flipping any one bit of inputs of every length up to
// 200 (each code path and every lane boundary) changes the hash, and about half of its bits
// on average (a strict avalanche test would need many more samples; this catches a lane or
// a tail that is dropped or weakly mixed).
TEST(HashTest, EveryInputBitFlipsAboutHalfTheOutput) {
  std::mt19937_64 rng(11);
  for (size_t n = 1; n <= 200; ++n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    const uint64_t base = HashBytes(s);
    uint64_t flipped = 0;
    for (size_t bit = 0; bit < 8 * n; ++bit) {
      std::string t = s;
      t[bit / 8] = static_cast<char>(t[bit / 8] ^ (1 << (bit % 8)));
      const uint64_t h = HashBytes(t);
      ASSERT_NE(h, base) << "length " << n << " bit " << bit;
      flipped += static_cast<uint64_t>(std::popcount(h ^ base));
    }
    const double mean = static_cast<double>(flipped) / static_cast<double>(8 * n);
    EXPECT_GT(mean, 26.0) << "length " << n;
    EXPECT_LT(mean, 38.0) << "length " << n;
  }
}

// Inputs that differ only in length (zero bytes, where loads overlap or pad) differ.
TEST(HashTest, LengthIsPartOfTheHash) {
  absl::flat_hash_set<uint64_t> seen;
  for (size_t n = 0; n <= 300; ++n) {
    EXPECT_TRUE(seen.insert(HashBytes(std::string(n, '\0'))).second) << n;
    if (n > 0) EXPECT_TRUE(seen.insert(HashBytes(std::string(n, 'a'))).second) << n;
  }
}

// Names that differ in a few characters, as ARNs of one account do: no two of 200,000 share
// a hash (a 64-bit collision among them has probability about 1e-9).
TEST(HashTest, SimilarNamesDoNotCollide) {
  absl::flat_hash_set<uint64_t> seen;
  for (const std::string stem : {"", "arn:aws:iam::111122223333:user/", "s3:Get",
                                 "arn:aws:s3:::bucket-with-a-long-name/objects/under/a/prefix/"}) {
    for (int i = 0; i < 50000; ++i) {
      const std::string name = stem + std::to_string(i);
      ASSERT_TRUE(seen.insert(HashBytes(name)).second) << name;
    }
  }
}

// Only the bytes of the view are read: the same bytes followed by other bytes (or by none,
// at the end of an allocation, where ASan would see a read past it) hash alike.
TEST(HashTest, OnlyTheViewsBytesCount) {
  std::mt19937_64 rng(5);
  for (size_t n = 0; n <= 200; ++n) {
    std::string a(n + 64, '\0');
    for (char& c : a) c = static_cast<char>(rng());
    std::string b = a;
    for (size_t i = n; i < b.size(); ++i) b[i] = static_cast<char>(~b[i]);
    const std::unique_ptr<char[]> exact(new char[n]);
    std::memcpy(exact.get(), a.data(), n);
    const uint64_t h = HashBytes(std::string_view(a.data(), n));
    EXPECT_EQ(h, HashBytes(std::string_view(b.data(), n))) << n;
    EXPECT_EQ(h, HashBytes(std::string_view(exact.get(), n))) << n;
  }
}

TEST(HashTest, SeedSelectsAnotherHash) {
  for (size_t n : {0, 3, 8, 16, 17, 33, 64, 65, 130}) {
    const std::string s(n, 'x');
    EXPECT_NE(HashBytes(s, 1), HashBytes(s, 2)) << n;
    EXPECT_EQ(HashBytes(s, 7), HashBytes(s, 7)) << n;
  }
}

}  // namespace
}  // namespace arbiter
