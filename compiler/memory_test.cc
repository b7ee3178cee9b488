// CompiledWorld::MemoryBytes is what the compiled world takes from the heap, allocator
// overhead included. Global operator new is replaced in this test binary to keep the sum of
// the live blocks' sizes as glibc's malloc lays them out (malloc_usable_size plus the 8-byte
// header), which is what MemoryBytes estimates block by block.
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "compiler/compile.h"
#include "compiler/world.h"
#include "core/file.h"
#include "core/heap.h"
#include "gtest/gtest.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ARBITER_SANITIZED_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ARBITER_SANITIZED_HEAP 1
#endif
#endif

namespace {
std::atomic<long> g_live_bytes{0};
}  // namespace

void* operator new(size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (p == nullptr) throw std::bad_alloc();
  g_live_bytes.fetch_add(static_cast<long>(malloc_usable_size(p) + 8));
  return p;
}
void operator delete(void* p) noexcept {
  if (p != nullptr) g_live_bytes.fetch_sub(static_cast<long>(malloc_usable_size(p) + 8));
  std::free(p);
}
void operator delete(void* p, size_t) noexcept { operator delete(p); }

namespace arbiter {
namespace {

// Within 5% on the bundled worlds (not under a sanitizer, whose allocator sizes blocks
// differently); counting only the bytes asked for reported about 15%
// less. Run from the repository root, as ctest does.
TEST(MemoryTest, MemoryBytesIsTheHeapTheWorldTakes) {
#ifdef ARBITER_SANITIZED_HEAP
  GTEST_SKIP() << "a sanitizer's allocator lays blocks out its own way";
#endif
  for (const char* path : {"corpus/generated/tiny/world.json", "corpus/example/world.json"}) {
    std::vector<Finding> findings;
    const std::optional<World> world = LoadWorld(Slurp(path), &findings);
    ASSERT_TRUE(world.has_value()) << path;
    delete new CompiledWorld(Compile(*world));  // warm up: the thread pool's own blocks
    const long before = g_live_bytes.load();
    auto* compiled = new CompiledWorld(Compile(*world));
    const long heap = g_live_bytes.load() - before;
    const long reported = static_cast<long>(compiled->MemoryBytes() - sizeof(CompiledWorld) +
                                            HeapBlock(sizeof(CompiledWorld)));
    delete compiled;
    EXPECT_GT(reported, heap * 95 / 100) << path << ": heap " << heap;
    EXPECT_LT(reported, heap * 105 / 100) << path << ": heap " << heap;
  }
}

}  // namespace
}  // namespace arbiter
