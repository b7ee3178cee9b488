#include "core/name_index.h"

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace arbiter {

// Transparent: an id hashes and compares as its name, so the set is probed with a view.
struct NameIndex::Hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const {
    return absl::Hash<absl::string_view>()(absl::string_view(s.data(), s.size()));
  }
  size_t operator()(uint32_t id) const;
  const Storage* storage = nullptr;
};

struct NameIndex::Eq {
  using is_transparent = void;
  std::string_view View(std::string_view s) const { return s; }
  std::string_view View(uint32_t id) const;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return View(a) == View(b);
  }
  const Storage* storage = nullptr;
};

struct NameIndex::Storage {
  std::string_view Name(uint32_t id) const {
    return std::string_view(arena).substr(offsets[id], offsets[id + 1] - offsets[id]);
  }
  std::string arena;
  std::vector<uint32_t> offsets{0};  // name i is arena[offsets[i], offsets[i + 1])
  absl::flat_hash_set<uint32_t, Hash, Eq> ids;
};

size_t NameIndex::Hash::operator()(uint32_t id) const { return (*this)(storage->Name(id)); }
std::string_view NameIndex::Eq::View(uint32_t id) const { return storage->Name(id); }

NameIndex::NameIndex() : storage_(std::make_unique<Storage>()) {
  storage_->ids =
      absl::flat_hash_set<uint32_t, Hash, Eq>(0, Hash{storage_.get()}, Eq{storage_.get()});
}
NameIndex::NameIndex(NameIndex&&) noexcept = default;
NameIndex& NameIndex::operator=(NameIndex&&) noexcept = default;
NameIndex::~NameIndex() = default;

uint32_t NameIndex::Add(std::string_view name) {
  const uint32_t found = Find(name);
  if (found != kNotFound) return found;
  const uint32_t id = static_cast<uint32_t>(size());
  storage_->arena.append(name);
  storage_->offsets.push_back(static_cast<uint32_t>(storage_->arena.size()));
  storage_->ids.insert(id);
  return id;
}

uint32_t NameIndex::Find(std::string_view name) const {
  auto it = storage_->ids.find(name);
  return it == storage_->ids.end() ? kNotFound : *it;
}

std::string_view NameIndex::Name(uint32_t id) const { return storage_->Name(id); }

size_t NameIndex::size() const { return storage_->offsets.size() - 1; }

size_t NameIndex::MemoryBytes() const {
  return sizeof(Storage) + storage_->arena.capacity() +
         storage_->offsets.capacity() * sizeof(uint32_t) +
         storage_->ids.capacity() * (sizeof(uint32_t) + 1);
}

void NameIndex::Shrink() {
  storage_->arena.shrink_to_fit();
  storage_->offsets.shrink_to_fit();
}

}  // namespace arbiter
