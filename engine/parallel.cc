#include "engine/parallel.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>

namespace arbiter {
namespace {

// A size mismatch is a caller bug, not bad input: a short span would leave requests
// undecided and a long one would leave slots that read as decisions, so stop rather than
// return anything a caller could mistake for a verdict.
void CheckSize(size_t batch, size_t out) {
  if (batch != out) {
    std::fprintf(stderr, "arbiter: EvaluateBatch: %zu requests but %zu result slots\n", batch, out);
    std::abort();
  }
}

}  // namespace

namespace parallel_internal {

tbb::task_arena& ArenaFor(int threads) {
  // Leaked on purpose: arenas must outlive every caller, including ones running during
  // static destruction. Entries are few (one per thread count asked for, and counts are
  // capped at TBB's limit).
  static std::mutex* mu = new std::mutex;
  static auto* arenas = new std::map<int, std::unique_ptr<tbb::task_arena>>;
  std::lock_guard<std::mutex> lock(*mu);
  std::unique_ptr<tbb::task_arena>& arena = (*arenas)[threads];
  if (!arena) {
    arena = std::make_unique<tbb::task_arena>(threads);
    arena->initialize();  // here, under the lock, rather than lazily in execute()
  }
  return *arena;
}

}  // namespace parallel_internal

void EvaluateBatch(const CompiledWorld& world, const RequestBatch& batch, std::span<Decision> out,
                   const ParallelOptions& options) {
  CheckSize(batch.size(), out.size());
  ParallelFor(batch.size(), options, [&](size_t begin, size_t end, EvalScratch& scratch) {
    for (size_t i = begin; i < end; ++i) out[i] = Evaluate(world, batch[i], scratch).decision;
  });
}

void EvaluateBatch(const CompiledWorld& world, const RequestBatch& batch, std::span<EvalResult> out,
                   const ParallelOptions& options) {
  CheckSize(batch.size(), out.size());
  ParallelFor(batch.size(), options, [&](size_t begin, size_t end, EvalScratch& scratch) {
    for (size_t i = begin; i < end; ++i) out[i] = Evaluate(world, batch[i], scratch, true);
  });
}

}  // namespace arbiter
