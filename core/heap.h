// Heap accounting for the MemoryBytes reports: what the allocator takes for each block, not
// only the bytes asked for. glibc's malloc adds an 8-byte header, rounds up to 16 bytes and
// takes 32 at least (other allocators are within a few bytes of it), so that thousands of
// small strings and vectors cost noticeably more than their contents.
//
// Thread safety: pure functions. Complexity: O(1).
#ifndef ARBITER_CORE_HEAP_H_
#define ARBITER_CORE_HEAP_H_

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace arbiter {

// The bytes a heap block of `n` requested bytes occupies (0 when nothing is allocated).
inline size_t HeapBlock(size_t n) {
  return n == 0 ? 0 : std::max<size_t>(32, (n + 8 + 15) & ~size_t{15});
}

// A string's heap block: none while its text fits in the string itself (libstdc++: 15 bytes).
inline size_t HeapBytes(const std::string& s) {
  return s.capacity() > 15 ? HeapBlock(s.capacity() + 1) : 0;
}

inline size_t HeapBytes(const std::optional<std::string>& s) { return s ? HeapBytes(*s) : 0; }

template <typename T>
size_t HeapBytes(const std::vector<T>& v) {
  return HeapBlock(v.capacity() * sizeof(T));
}

}  // namespace arbiter

#endif  // ARBITER_CORE_HEAP_H_
