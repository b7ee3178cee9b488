// The hot path does not allocate: once an EvalScratch is warm, evaluating packed requests
// (RequestView) without explanations performs no heap allocation. Global operator new is
// replaced in this test binary to count.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "compiler/compile.h"
#include "compiler/world.h"
#include "core/file.h"
#include "engine/decider.h"
#include "engine/engine.h"
#include "engine/testing/request_generator.h"

namespace {
std::atomic<long> g_allocations{0};
std::atomic<bool> g_counting{false};
}  // namespace

void* operator new(size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace arbiter {
namespace {

TEST(NoAllocationTest, WarmEvaluationDoesNotAllocate) {
  for (const char* dir : {"corpus/example", "corpus/generated/tiny"}) {
    std::vector<Finding> findings;
    std::optional<World> world = LoadWorld(Slurp(std::string(dir) + "/world.json"), &findings);
    ASSERT_TRUE(world.has_value()) << dir;
    RequestGenerator gen(*world, 7);
    RequestBatch batch;
    CompileOptions options;
    for (int i = 0; i < 5000; ++i) {
      const Request r = gen.Next();
      options.extra_actions.push_back(r.action);
      batch.Add(r);
    }
    batch.Seal();
    const CompiledWorld compiled = Compile(*world, options);
    EvalScratch scratch;
    for (size_t i = 0; i < batch.size(); ++i) Evaluate(compiled, batch[i], scratch);  // warm up
    g_allocations = 0;
    g_counting = true;
    size_t allowed = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      allowed += Evaluate(compiled, batch[i], scratch).decision == Decision::kAllow;
    }
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 0) << dir;
    EXPECT_GT(allowed, 0u) << dir;  // the requests exercise real decisions
  }
}

// The decision cache's hit path allocates nothing either: once every request has been decided
// once (its pair resolved and memoized, its decision cached), deciding them all again does no
// heap allocation, whatever the mix of hits and (evicted) misses.
TEST(NoAllocationTest, CachedDecisionsDoNotAllocate) {
  std::vector<Finding> findings;
  std::optional<World> world = LoadWorld(Slurp("corpus/generated/tiny/world.json"), &findings);
  ASSERT_TRUE(world.has_value());
  RequestGenerator gen(*world, 11);
  RequestBatch batch;
  CompileOptions options;
  for (int i = 0; i < 5000; ++i) {
    const Request r = gen.Next();
    options.extra_actions.push_back(r.action);
    batch.Add(r);
  }
  batch.Seal();
  Decider decider;
  decider.Publish(*world, options);
  EvalScratch scratch;
  for (size_t i = 0; i < batch.size(); ++i) decider.Decide(batch[i], scratch);  // warm up
  const uint64_t hits_before = decider.cache_stats().hits;
  g_allocations = 0;
  g_counting = true;
  for (size_t i = 0; i < batch.size(); ++i) decider.Decide(batch[i], scratch);
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0);
  EXPECT_GT(decider.cache_stats().hits - hits_before, batch.size() / 2);  // mostly hits
}

}  // namespace
}  // namespace arbiter
