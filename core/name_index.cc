#include "core/name_index.h"

#include <stdexcept>

#include "core/heap.h"

namespace arbiter {

uint32_t NameIndex::Add(std::string_view name) {
  const uint32_t found = Find(name);
  if (found != kNotFound) return found;
  if (arena_.size() + name.size() + 8 > UINT32_MAX - 1 || size() >= UINT32_MAX - 1) {
    throw std::length_error("NameIndex: more than 4 GiB of names");
  }
  const uint32_t id = static_cast<uint32_t>(size());
  const uint32_t offset = static_cast<uint32_t>(arena_.size());
  const uint32_t header[2] = {static_cast<uint32_t>(name.size()), id};
  arena_.append(reinterpret_cast<const char*>(header), sizeof header);
  arena_.append(name);
  offsets_.push_back(offset);
  if ((size() + 1) * 4 > slots_.size() * 3) {
    Grow();  // reinserts every record, this one included
  } else {
    Insert(HashBytes(name), offset);
  }
  return id;
}

void NameIndex::Insert(uint64_t hash, uint32_t record) {
  size_t i = hash & mask_;
  while (slots_[i].record != kEmpty) i = (i + 1) & mask_;
  slots_[i] = Slot{static_cast<uint32_t>(hash >> 32), record};
}

void NameIndex::Grow() {
  size_t capacity = 16;
  while ((size() + 1) * 4 > capacity * 3) capacity *= 2;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (uint32_t offset : offsets_) Insert(HashBytes(RecordAt(offset).name), offset);
}

size_t NameIndex::MemoryBytes() const {
  return HeapBytes(arena_) + HeapBytes(offsets_) + HeapBytes(slots_);
}

void NameIndex::Shrink() {
  arena_.shrink_to_fit();
  offsets_.shrink_to_fit();
}

}  // namespace arbiter
