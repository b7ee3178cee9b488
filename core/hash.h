// A fast hash of short byte strings (names, ARNs, account ids), inlined at the call site.
//
// It reads the input 16 bytes at a time and folds each block into the state with a 64x64->128
// multiply (the "multiply and fold" mixer of the wyhash family), in four independent lanes
// for inputs over 16 bytes, then mixes the lanes.
// Quality is what hash tables need (every input bit affects every output bit); it is not a
// cryptographic hash, so a table must never take equal hashes for equal keys (compare the
// keys), and a table filled from untrusted input should be bounded per bucket (as the
// decision cache is), so that crafted colliding keys cost evictions, not probe chains.
//
// Thread safety: pure function. Complexity: O(|s|).
#ifndef ARBITER_CORE_HASH_H_
#define ARBITER_CORE_HASH_H_

#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/bytes.h"

namespace arbiter {

namespace hash_internal {
using bytes::Load32;
using bytes::Load64;
inline uint64_t Fold(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline constexpr uint64_t kK0 = 0xa0761d6478bd642fULL, kK1 = 0xe7037ed1a0b428dbULL,
                          kK2 = 0x8ebc6af09c88c6e3ULL, kK3 = 0x589965cc75374cc3ULL;
}  // namespace hash_internal

// `seed` selects one of a family of hashes: chain calls (the hash of one string seeding the
// next) to hash a sequence of strings, or pass a secret per-process value so that which keys
// share a bucket cannot be computed from outside.
inline uint64_t HashBytes(std::string_view s, uint64_t seed = 0) {
  using namespace hash_internal;
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = kK0 ^ seed ^ Fold(n ^ kK1 ^ seed, kK2);
  if (n > 16) {
    // Four independent lanes of 16 bytes, so that the multiplies overlap instead of
    // waiting for each other: a lookup cannot start before its hash is known, so the
    // length of this dependency chain is what a short key's probe waits for.
    uint64_t h1 = h ^ kK1, h2 = h ^ kK2, h3 = h ^ kK3;
    for (; n > 64; p += 64, n -= 64) {
      h = Fold(Load64(p) ^ kK1, Load64(p + 8) ^ h);
      h1 = Fold(Load64(p + 16) ^ kK2, Load64(p + 24) ^ h1);
      h2 = Fold(Load64(p + 32) ^ kK3, Load64(p + 40) ^ h2);
      h3 = Fold(Load64(p + 48) ^ kK0, Load64(p + 56) ^ h3);
    }
    // 1 to 64 bytes left. Over 32: their first and last 32 bytes (overlapping when fewer
    // than 64 are left), in the four lanes at once. Else, after the loop: the input's last
    // 32 bytes (some of them read already). Else (17 to 32 bytes in all): its first and
    // last 16.
    const char* q = p + n;  // the end
    if (n > 32) {
      h = Fold(Load64(p) ^ kK1, Load64(p + 8) ^ h);
      h1 = Fold(Load64(p + 16) ^ kK2, Load64(p + 24) ^ h1);
      h2 = Fold(Load64(q - 32) ^ kK3, Load64(q - 24) ^ h2);
      h3 = Fold(Load64(q - 16) ^ kK0, Load64(q - 8) ^ h3);
    } else if (s.size() > 64) {
      h2 = Fold(Load64(q - 32) ^ kK3, Load64(q - 24) ^ h2);
      h3 = Fold(Load64(q - 16) ^ kK0, Load64(q - 8) ^ h3);
    } else {
      h = Fold(Load64(p) ^ kK1, Load64(p + 8) ^ h);
      h1 = Fold(Load64(q - 16) ^ kK2, Load64(q - 8) ^ h1);
    }
    return Fold(Fold(h ^ kK0, h1 ^ kK1) ^ s.size(), Fold(h2 ^ kK2, h3 ^ kK3) ^ kK1);
  }
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = Load64(p), b = Load64(p + n - 8);
  } else if (n >= 4) {
    a = Load32(p), b = Load32(p + n - 4);
  } else if (n > 0) {
    a = uint64_t{static_cast<uint8_t>(p[0])} << 16 |
        uint64_t{static_cast<uint8_t>(p[n >> 1])} << 8 | static_cast<uint8_t>(p[n - 1]);
  }
  return Fold(a ^ kK1 ^ s.size(), Fold(b ^ kK3, h ^ kK2));
}

}  // namespace arbiter

#endif  // ARBITER_CORE_HASH_H_
