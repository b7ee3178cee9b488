#include "engine/published.h"

namespace arbiter {

namespace {

std::atomic<bool> g_claimed[kMaxReaderThreads];

struct SlotOwner {
  int slot = -1;
  SlotOwner() {
    for (int i = 0; i < kMaxReaderThreads; ++i) {
      bool expected = false;
      if (!g_claimed[i].load(std::memory_order_relaxed) &&
          g_claimed[i].compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
        slot = i;
        return;
      }
    }
  }
  // A thread leaves no section open when it exits, so its slot reads 0 everywhere.
  ~SlotOwner() {
    if (slot >= 0) g_claimed[slot].store(false, std::memory_order_release);
  }
};

}  // namespace

int ReaderSlot() {
  thread_local SlotOwner owner;
  return owner.slot;
}

}  // namespace arbiter
