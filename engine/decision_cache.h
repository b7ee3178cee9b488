// A sharded decision cache whose lookups are lock-free and never wait for writers.
//
// Layout: one array of 4-way buckets of fixed-size slots (`shards` only split the writers'
// mutexes), chosen by the key's hash under a per-process random seed (HashOf), so that
// which keys share a bucket cannot be worked out from outside. A slot holds the FULL key
// (up to CacheKey::kMaxBytes, compared word by word: a hash collision can never
// return another request's decision), its hash, the snapshot generation it was decided
// in, an expiry, the decision and a CLOCK reference bit, guarded by a per-slot sequence
// number (a seqlock): a reader that overlaps a writer sees an odd or changed sequence and
// reports a miss instead of waiting. Writers (Insert) take their shard's mutex, which
// readers never touch.
//
// Eviction: CLOCK within the key's bucket (a hit sets the slot's reference bit; the
// writer's hand clears bits until it finds an unreferenced slot). Entries of an older
// generation or past their expiry are replaced first and never served.
//
// Memory: capacity x sizeof(Slot) (320 bytes), allocated once; nothing is allocated
// afterwards. Thread-safety: Lookup and Insert from any number of threads.
#ifndef ARBITER_ENGINE_DECISION_CACHE_H_
#define ARBITER_ENGINE_DECISION_CACHE_H_

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>

#include "compiler/decision.h"

namespace arbiter {

struct CacheOptions {
  size_t capacity = 1u << 16;  // entries (rounded up to a whole number of buckets per shard)
  size_t shards = 64;          // a power of two
  int64_t ttl_ms = 0;          // 0: entries live until evicted or a new snapshot
};

struct CacheStats {
  uint64_t hits = 0, misses = 0, inserts = 0, evictions = 0;
  uint64_t uncacheable = 0;  // keys longer than CacheKey::kMaxBytes (decided, not cached)
  double hit_ratio() const {
    const uint64_t n = hits + misses;
    return n == 0 ? 0 : static_cast<double>(hits) / static_cast<double>(n);
  }
};

// A cache key built into a word-aligned, zero-padded buffer (so slots compare whole
// words). Fields are length-prefixed, so distinct field lists never encode alike.
class CacheKey {
 public:
  static constexpr size_t kWords = 31;
  static constexpr size_t kMaxBytes = kWords * 8;

  void Clear() {
    size_ = 0;
    overflow_ = false;
  }
  // A length-prefixed field (3 bytes of length, then the bytes).
  void AddField(std::string_view s) {
    if (s.size() + 3 > kMaxBytes - size_) {
      overflow_ = true;
      size_ = kMaxBytes;
      return;
    }
    char* out = bytes() + size_;
    out[0] = static_cast<char>(s.size() & 0xff);
    out[1] = static_cast<char>((s.size() >> 8) & 0xff);
    out[2] = static_cast<char>(s.size() >> 16);
    if (!s.empty()) std::memcpy(out + 3, s.data(), s.size());  // an empty view may have no data
    size_ += 3 + s.size();
  }
  void AddU32(uint32_t v) {
    if (4 > kMaxBytes - size_) {
      overflow_ = true;
      size_ = kMaxBytes;
      return;
    }
    std::memcpy(bytes() + size_, &v, 4);  // native order: keys never leave the process
    size_ += 4;
  }
  void AddByte(uint8_t b) {
    if (size_ >= kMaxBytes) {
      overflow_ = true;
      return;
    }
    bytes()[size_++] = static_cast<char>(b);
  }
  bool overflow() const { return overflow_; }
  size_t size() const { return size_; }
  size_t words() const { return (size_ + 7) / 8; }
  // Zero-pads the last word and returns the words.
  const uint64_t* Finish() {
    if (size_ % 8 != 0) std::memset(bytes() + size_, 0, 8 - size_ % 8);
    return words_;
  }
  // After Finish(): the words, and their hash under `seed` (never 0).
  const uint64_t* data() const { return words_; }
  uint64_t Hash(uint64_t seed = 0) const;

 private:
  char* bytes() { return reinterpret_cast<char*>(words_); }
  uint64_t words_[kWords];
  size_t size_ = 0;
  bool overflow_ = false;
};

class DecisionCache {
 public:
  explicit DecisionCache(const CacheOptions& options = {});
  ~DecisionCache();
  DecisionCache(const DecisionCache&) = delete;
  DecisionCache& operator=(const DecisionCache&) = delete;

  // Lock-free and wait-free: true (and `*out`) when the cache holds `key` decided in
  // snapshot `generation` and not expired at `now_ms`. `key` must be Finish()ed. Counts a
  // hit or a miss in stats().
  bool Lookup(const CacheKey& key, uint64_t hash, uint64_t generation, int64_t now_ms,
              Decision* out) const;
  // Stores a decision (replacing an older generation's or an expired entry, else evicting
  // by CLOCK within the bucket). Takes the shard's writer mutex.
  void Insert(const CacheKey& key, uint64_t hash, uint64_t generation, int64_t now_ms,
              Decision decision);
  void CountUncacheable() const;
  // `key`'s hash under this cache's per-process secret seed (which keys share a bucket
  // cannot be worked out from outside).
  uint64_t HashOf(const CacheKey& key) const { return key.Hash(seed_); }

  CacheStats stats() const;
  size_t capacity() const { return buckets_ * kWays; }
  size_t MemoryBytes() const;
  int64_t ttl_ms() const { return ttl_ms_; }

 private:
  static constexpr size_t kWays = 4;
  struct alignas(64) Slot {
    std::atomic<uint32_t> seq{0};  // odd while a writer fills the slot
    std::atomic<uint8_t> referenced{0};
    std::atomic<uint8_t> decision{0};
    std::atomic<uint16_t> words{0};  // 0: empty
    std::atomic<uint64_t> hash{0};
    std::atomic<uint64_t> generation{0};
    std::atomic<int64_t> expires_ms{0};
    std::atomic<uint64_t> key[CacheKey::kWords];
  };
  // One flat array of buckets (a lookup is one dependent load from `slots_`); shards only
  // partition the writers' mutexes: bucket b belongs to shard b % shards.
  struct alignas(64) Shard {
    std::mutex mu;  // writers only
  };
  // Per reader-thread counters (engine/published.h slots), so hits do not share lines.
  struct alignas(64) Counters {
    std::atomic<uint64_t> hits{0}, misses{0}, inserts{0}, evictions{0}, uncacheable{0};
  };
  Counters& Mine() const;

  uint64_t seed_;
  size_t shards_;
  size_t buckets_;  // a power of two
  int64_t ttl_ms_;
  std::unique_ptr<Slot[]> slots_;  // buckets_ * kWays
  // The slots' hashes again, a bucket's four side by side: a lookup reads one line to find
  // the way to compare (the slot's own hash, under its seqlock, is what counts).
  std::unique_ptr<std::atomic<uint64_t>[]> tags_;
  std::unique_ptr<uint8_t[]> hands_;  // CLOCK hand per bucket (writers only)
  std::unique_ptr<Shard[]> shard_;
  std::unique_ptr<Counters[]> counters_;  // kMaxReaderThreads + 1 (the last is shared)
};

}  // namespace arbiter

#endif  // ARBITER_ENGINE_DECISION_CACHE_H_
