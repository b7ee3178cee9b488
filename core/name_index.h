// NameIndex: dense ids for a set of strings, each stored once.
//
// The names live back to back in one arena and the hash set holds only 4-byte ids, so an
// index of n names costs about (average length + 4) * n bytes plus the set's slots of 5
// bytes, where a map from std::string costs a 32-byte key per slot and a heap block per
// long name. Lookups take a string_view and allocate nothing.
//
// Thread safety: const methods may run concurrently; Add may not run with anything else.
#ifndef ARBITER_CORE_NAME_INDEX_H_
#define ARBITER_CORE_NAME_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace arbiter {

class NameIndex {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;

  NameIndex();
  NameIndex(NameIndex&&) noexcept;
  NameIndex& operator=(NameIndex&&) noexcept;
  ~NameIndex();

  // The id of `name`, adding it (as the next id, from 0) when new. O(|name|) expected.
  uint32_t Add(std::string_view name);
  // The id of `name`, or kNotFound. O(|name|) expected.
  uint32_t Find(std::string_view name) const;
  // The name of `id` (< size()); valid until the next Add.
  std::string_view Name(uint32_t id) const;
  size_t size() const;
  // Heap bytes held.
  size_t MemoryBytes() const;
  // Drops spare capacity once no more names will be added.
  void Shrink();

 private:
  struct Storage;
  struct Hash;
  struct Eq;
  std::unique_ptr<Storage> storage_;  // on the heap: the set's functors point at it
};

}  // namespace arbiter

#endif  // ARBITER_CORE_NAME_INDEX_H_
