#include "engine/decision_cache.h"

#include <algorithm>
#include <random>

#include "core/hash.h"
#include "engine/published.h"

namespace arbiter {

uint64_t CacheKey::Hash(uint64_t seed) const {
  const uint64_t h =
      HashBytes(std::string_view(reinterpret_cast<const char*>(words_), words() * 8), seed);
  return h == 0 ? 1 : h;  // 0 marks an empty tag
}

namespace {
size_t RoundUpPow2(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

DecisionCache::DecisionCache(const CacheOptions& options)
    : seed_(std::random_device{}() | uint64_t{std::random_device{}()} << 32),
      shards_(RoundUpPow2(options.shards == 0 ? 1 : options.shards)),
      ttl_ms_(options.ttl_ms) {
  buckets_ = RoundUpPow2(std::max<size_t>((options.capacity + kWays - 1) / kWays, shards_));
  slots_ = std::make_unique<Slot[]>(buckets_ * kWays);
  tags_ = std::make_unique<std::atomic<uint64_t>[]>(buckets_ * kWays);
  for (size_t i = 0; i < buckets_ * kWays; ++i) tags_[i].store(0, std::memory_order_relaxed);
  hands_ = std::make_unique<uint8_t[]>(buckets_);
  shard_ = std::make_unique<Shard[]>(shards_);
  counters_ = std::make_unique<Counters[]>(kMaxReaderThreads + 1);
}

DecisionCache::~DecisionCache() = default;

namespace {
// Counters are per reader thread, so a plain load and store (no locked read-modify-write)
// counts exactly; threads beyond kMaxReaderThreads share the last set and may lose counts.
void Bump(std::atomic<uint64_t>& c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}
}  // namespace

DecisionCache::Counters& DecisionCache::Mine() const {
  const int slot = ReaderSlot();
  return counters_[slot >= 0 ? slot : kMaxReaderThreads];
}

bool DecisionCache::Lookup(const CacheKey& key, uint64_t hash, uint64_t generation, int64_t now_ms,
                           Decision* out) const {
  const size_t bucket = hash & (buckets_ - 1);
  Slot* slots = &slots_[bucket * kWays];
  const size_t words = key.words();
  const uint64_t* want = key.data();
  const std::atomic<uint64_t>* tags = &tags_[bucket * kWays];
  for (size_t w = 0; w < kWays; ++w) {
    if (tags[w].load(std::memory_order_relaxed) != hash) continue;
    Slot& s = slots[w];
    const uint32_t seq = s.seq.load(std::memory_order_acquire);
    if (seq & 1) continue;  // being written: a miss, never a wait
    bool same = s.words.load(std::memory_order_relaxed) == words &&
                s.generation.load(std::memory_order_relaxed) == generation &&
                s.hash.load(std::memory_order_relaxed) == hash;
    // All words, no early exit: independent loads the CPU overlaps.
    uint64_t diff = 0;
    for (size_t i = 0; i < words; ++i) diff |= s.key[i].load(std::memory_order_relaxed) ^ want[i];
    same = same && diff == 0;
    const int64_t expires = s.expires_ms.load(std::memory_order_relaxed);
    const uint8_t decision = s.decision.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.seq.load(std::memory_order_relaxed) != seq) continue;  // overwritten meanwhile
    if (!same || now_ms >= expires) continue;
    if (s.referenced.load(std::memory_order_relaxed) == 0) {
      s.referenced.store(1, std::memory_order_relaxed);
    }
    *out = static_cast<Decision>(decision);
    Bump(Mine().hits);
    return true;
  }
  Bump(Mine().misses);
  return false;
}

void DecisionCache::Insert(const CacheKey& key, uint64_t hash, uint64_t generation, int64_t now_ms,
                           Decision decision) {
  const size_t bucket = hash & (buckets_ - 1);
  const size_t words = key.words();
  const uint64_t* want = key.data();
  std::lock_guard<std::mutex> lock(shard_[bucket & (shards_ - 1)].mu);
  Slot* slots = &slots_[bucket * kWays];
  // The same key (any generation), an empty slot, an older generation or an expired
  // entry, else CLOCK.
  Slot* target = nullptr;
  for (size_t w = 0; w < kWays && target == nullptr; ++w) {
    Slot& s = slots[w];
    if (s.hash.load(std::memory_order_relaxed) != hash ||
        s.words.load(std::memory_order_relaxed) != words) {
      continue;
    }
    bool same = true;
    for (size_t i = 0; same && i < words; ++i) {
      same = s.key[i].load(std::memory_order_relaxed) == want[i];
    }
    if (same) target = &s;
  }
  bool evicted = false;
  for (size_t w = 0; w < kWays && target == nullptr; ++w) {
    Slot& s = slots[w];
    if (s.words.load(std::memory_order_relaxed) == 0 ||
        s.generation.load(std::memory_order_relaxed) != generation ||
        now_ms >= s.expires_ms.load(std::memory_order_relaxed)) {
      target = &s;
    }
  }
  if (target == nullptr) {
    uint8_t& hand = hands_[bucket];
    for (;;) {
      Slot& s = slots[hand];
      hand = static_cast<uint8_t>((hand + 1) % kWays);
      if (s.referenced.load(std::memory_order_relaxed) != 0) {
        s.referenced.store(0, std::memory_order_relaxed);
        continue;
      }
      target = &s;
      evicted = true;
      break;
    }
  }
  Slot& s = *target;
  const uint32_t seq = s.seq.load(std::memory_order_relaxed);
  s.seq.store(seq + 1, std::memory_order_relaxed);  // odd: readers skip the slot
  std::atomic_thread_fence(std::memory_order_release);
  s.hash.store(hash, std::memory_order_relaxed);
  s.words.store(static_cast<uint16_t>(words), std::memory_order_relaxed);
  for (size_t i = 0; i < words; ++i) s.key[i].store(want[i], std::memory_order_relaxed);
  s.generation.store(generation, std::memory_order_relaxed);
  s.expires_ms.store(ttl_ms_ > 0 ? now_ms + ttl_ms_ : INT64_MAX, std::memory_order_relaxed);
  s.decision.store(static_cast<uint8_t>(decision), std::memory_order_relaxed);
  s.referenced.store(0, std::memory_order_relaxed);
  s.seq.store(seq + 2, std::memory_order_release);
  tags_[static_cast<size_t>(&s - slots_.get())].store(hash, std::memory_order_relaxed);
  Counters& c = Mine();
  Bump(c.inserts);
  if (evicted) Bump(c.evictions);
}

void DecisionCache::CountUncacheable() const { Bump(Mine().uncacheable); }

CacheStats DecisionCache::stats() const {
  CacheStats out;
  for (int i = 0; i <= kMaxReaderThreads; ++i) {
    const Counters& c = counters_[i];
    out.hits += c.hits.load(std::memory_order_relaxed);
    out.misses += c.misses.load(std::memory_order_relaxed);
    out.inserts += c.inserts.load(std::memory_order_relaxed);
    out.evictions += c.evictions.load(std::memory_order_relaxed);
    out.uncacheable += c.uncacheable.load(std::memory_order_relaxed);
  }
  return out;
}

size_t DecisionCache::MemoryBytes() const {
  return sizeof(*this) + buckets_ * (kWays * (sizeof(Slot) + 8) + 1) + shards_ * sizeof(Shard) +
         (kMaxReaderThreads + 1) * sizeof(Counters);
}

}  // namespace arbiter
