// The hot path does not allocate: once an EvalScratch is warm, evaluating packed requests
// (RequestView) without explanations performs no heap allocation. Global operator new is
// replaced in this test binary to count.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
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

// A bundled world and 5,000 requests generated from it, packed, with their actions interned.
struct Generated {
  std::optional<World> world;
  RequestBatch batch;
  CompileOptions options;
};
std::unique_ptr<Generated> Generate(const std::string& dir, uint64_t seed) {
  auto g = std::make_unique<Generated>();
  std::vector<Finding> findings;
  g->world = LoadWorld(Slurp(dir + "/world.json"), &findings);
  if (!g->world) return g;
  RequestGenerator gen(*g->world, seed);
  for (int i = 0; i < 5000; ++i) {
    const Request r = gen.Next();
    g->options.extra_actions.push_back(r.action);
    g->batch.Add(r);
  }
  g->batch.Seal();
  return g;
}

TEST(NoAllocationTest, WarmEvaluationDoesNotAllocate) {
  for (const char* dir : {"corpus/example", "corpus/generated/tiny"}) {
    const std::unique_ptr<Generated> g = Generate(dir, 7);
    ASSERT_TRUE(g->world.has_value()) << dir;
    const RequestBatch& batch = g->batch;
    const CompiledWorld compiled = Compile(*g->world, g->options);
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
  const std::unique_ptr<Generated> g = Generate("corpus/generated/tiny", 11);
  ASSERT_TRUE(g->world.has_value());
  const RequestBatch& batch = g->batch;
  Decider decider;
  decider.Publish(*g->world, g->options);
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
