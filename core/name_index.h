// NameIndex: dense ids for a set of strings, each stored once.
//
// An open-addressing table (linear probing, load at most 3/4) of 8-byte slots, each holding
// 32 bits of the name's hash and where its record starts in one arena; a record is the
// name's length and id followed by its bytes. A lookup hashes the name inline (core/hash.h),
// scans slots whose hash bits differ without touching the arena, and compares bytes once: in
// the common case two cache lines, the slot's and the record's.
//
// Memory: about (8 + |name|) bytes per name in the arena, 4 for the id's offset, and 8 to 16
// for its slot. Lookups take a string_view and allocate nothing.
//
// Thread safety: const methods may run concurrently; Add may not run with anything else.
#ifndef ARBITER_CORE_NAME_INDEX_H_
#define ARBITER_CORE_NAME_INDEX_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "core/strings.h"

namespace arbiter {

class NameIndex {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;

  // The id of `name`, adding it (as the next id, from 0) when new. O(|name|) expected,
  // amortized over growth.
  uint32_t Add(std::string_view name);
  // The id of `name`, or kNotFound. O(|name|) expected.
  uint32_t Find(std::string_view name) const { return Find(name, HashBytes(name)); }
  // A lookup in two steps, so that independent lookups overlap their cache misses: Locate
  // hashes `name` and starts loading its first slot; Find(name, hash) finishes the lookup.
  uint64_t Locate(std::string_view name) const {
    const uint64_t h = HashBytes(name);
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask_]);
    return h;
  }
  uint32_t Find(std::string_view name, uint64_t h) const {
    if (slots_.empty()) return kNotFound;
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.record == kEmpty) return kNotFound;
      if (s.tag != tag) continue;
      const Record r = RecordAt(s.record);
      if (SameText(r.name, name)) return r.id;
    }
  }
  // The name of `id` (< size()); valid until the next Add.
  std::string_view Name(uint32_t id) const { return RecordAt(offsets_[id]).name; }
  size_t size() const { return offsets_.size(); }
  // Heap bytes held.
  size_t MemoryBytes() const;
  // Drops spare capacity once no more names will be added.
  void Shrink();

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint32_t tag = 0;          // the high half of the name's hash
    uint32_t record = kEmpty;  // offset of its record in arena_
  };
  struct Record {
    std::string_view name;
    uint32_t id;
  };
  Record RecordAt(uint32_t offset) const {
    uint32_t header[2];  // length, id
    std::memcpy(header, arena_.data() + offset, sizeof header);
    return {std::string_view(arena_.data() + offset + sizeof header, header[0]), header[1]};
  }
  void Insert(uint64_t hash, uint32_t record);
  void Grow();

  std::vector<Slot> slots_;  // empty, or a power of two of them
  size_t mask_ = 0;
  std::string arena_;
  std::vector<uint32_t> offsets_;  // per id: its record's offset
};

}  // namespace arbiter

#endif  // ARBITER_CORE_NAME_INDEX_H_
