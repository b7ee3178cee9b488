// Unaligned loads of native-order words from byte strings, for the word-at-a-time string
// code (core/hash.h, core/strings.h). memcpy compiles to one load.
#ifndef ARBITER_CORE_BYTES_H_
#define ARBITER_CORE_BYTES_H_

#include <cstdint>
#include <cstring>

namespace arbiter::bytes {

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace arbiter::bytes

#endif  // ARBITER_CORE_BYTES_H_
