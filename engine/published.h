// Publication of immutable snapshots with epoch-based reclamation (a small RCU).
//
// Readers enter a read-side section with Read(): a wait-free announcement of the epoch
// they started in, then one load of the current pointer. They never lock, never wait and
// never retry, however often writers publish. Publish() swaps the pointer, advances the
// epoch and then waits (the writer, never a reader) until every reader that could still
// hold the previous snapshot has left its section; then it deletes it.
//
// Guarantee ("no stale decision"): a Read() that begins after Publish(next) has returned,
// or even after its pointer swap, sees `next` or a later snapshot.
//
// Thread-safety: any number of concurrent readers and writers (writers serialize among
// themselves). The first Read() of a thread claims one of kMaxReaderThreads announcement
// slots until the thread exits; beyond that many live reader threads, readers fall back to
// a shared pair of counters, one per epoch parity: lock-free, contended, and retried when a
// Publish advances the epoch between reading it and counting in.
// Cost: Read() is two stores and two loads (seq_cst) on thread-private cache lines.
#ifndef ARBITER_ENGINE_PUBLISHED_H_
#define ARBITER_ENGINE_PUBLISHED_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace arbiter {

inline constexpr int kMaxReaderThreads = 256;

// This thread's announcement slot in [0, kMaxReaderThreads), or -1 when all are taken.
int ReaderSlot();

namespace published_testing {
// Tests only: when set, called by a reader on the counter path after it reads the epoch
// and before it counts itself in (the window a preemption can open).
inline std::atomic<void (*)()> overflow_window{nullptr};
}  // namespace published_testing

template <typename T>
class Published {
 public:
  explicit Published(std::unique_ptr<const T> initial) : current_(initial.release()) {}
  ~Published() { delete current_.load(); }  // no reader may be inside a section
  Published(const Published&) = delete;
  Published& operator=(const Published&) = delete;

  // A read-side section: the snapshot stays alive until the Reader is destroyed. Keep it
  // short-lived (one request or one batch); a writer waits for it.
  class Reader {
   public:
    ~Reader() {
      if (slot_ >= 0) {
        if (!nested_) owner_->slots_[slot_].epoch.store(0, std::memory_order_release);
      } else {
        owner_->overflow_[parity_].fetch_sub(1, std::memory_order_release);
      }
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    const T* get() const { return value_; }
    const T& operator*() const { return *value_; }
    const T* operator->() const { return value_; }

   private:
    friend class Published;
    explicit Reader(const Published* owner) : owner_(owner), slot_(ReaderSlot()) {
      if (slot_ >= 0) {
        std::atomic<uint64_t>& mine = owner_->slots_[slot_].epoch;
        // Nested sections on one thread: the outer announcement is older, so it covers.
        nested_ = mine.load(std::memory_order_relaxed) != 0;
        if (!nested_) mine.store(owner_->epoch_.load(std::memory_order_seq_cst));
      } else {
        // Count in under the epoch's parity, then make sure the epoch did not move
        // meanwhile: a Publish that advanced it waited on the other counter, and the next
        // one would wait on that one too, so neither would wait for this reader.
        for (;;) {
          const uint64_t e = owner_->epoch_.load(std::memory_order_seq_cst);
          if (auto* window = published_testing::overflow_window.load()) window();
          parity_ = static_cast<int>(e & 1);
          owner_->overflow_[parity_].fetch_add(1, std::memory_order_seq_cst);
          if (owner_->epoch_.load(std::memory_order_seq_cst) == e) break;
          owner_->overflow_[parity_].fetch_sub(1, std::memory_order_seq_cst);
        }
      }
      value_ = owner_->current_.load(std::memory_order_seq_cst);
    }
    const Published* owner_;
    int slot_;
    bool nested_ = false;
    int parity_ = 0;
    const T* value_ = nullptr;
  };

  Reader Read() const { return Reader(this); }

  // Publishes `next` and deletes the previous snapshot once no reader can hold it.
  void Publish(std::unique_ptr<const T> next) {
    std::lock_guard<std::mutex> lock(writer_mu_);
    const T* old = current_.exchange(next.release(), std::memory_order_seq_cst);
    const uint64_t e = epoch_.fetch_add(1, std::memory_order_seq_cst) + 1;
    // Readers that announced an epoch before `e` may have loaded `old`; later ones cannot.
    for (int i = 0; i < kMaxReaderThreads; ++i) {
      for (;;) {
        const uint64_t seen = slots_[i].epoch.load(std::memory_order_seq_cst);
        if (seen == 0 || seen >= e) break;
        std::this_thread::yield();
      }
    }
    const int old_parity = static_cast<int>((e - 1) & 1);
    while (overflow_[old_parity].load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
    delete old;
  }

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> epoch{0};  // 0: not reading; else the epoch the section began in
  };
  std::atomic<const T*> current_;
  std::atomic<uint64_t> epoch_{1};
  mutable Slot slots_[kMaxReaderThreads];
  mutable std::atomic<int64_t> overflow_[2] = {0, 0};
  std::mutex writer_mu_;
};

}  // namespace arbiter

#endif  // ARBITER_ENGINE_PUBLISHED_H_
