// Parallel batch evaluation on oneTBB: a RequestBatch is cut into disjoint index ranges
// that the threads of a tbb::task_arena evaluate, each with its own EvalScratch.
//
// Determinism: every result is written at its request's index, so the output is the same
// for any thread count and grain (and equals sequential Evaluate, which parallel_test
// checks). Only the order in which requests are *evaluated* varies.
//
// Threads: a call runs inside a task_arena of `threads` slots, so at most `threads`
// threads (the caller included) work on it. TBB's worker pool is sized to the machine
// (tbb::info::default_concurrency(), which honours the process's CPU affinity mask), so
// a request for more threads than that is capped to it (EffectiveThreads) unless the
// embedder raises the limit with a tbb::global_control. The calling thread takes part and
// blocks until the whole batch is done.
//
// Cost per call, besides the evaluations: one EvalScratch per participating thread (a few
// KiB, allocated once per call, warm after the thread's first requests) and a mutex-guarded
// lookup of the arena. Arenas are created once per thread count and kept for the life of
// the process: creating one per call costs 0.2-0.8 ms on a 2-core machine (workers leave
// and rejoin), against 1-2 µs with a kept arena (bench/parallel_benchmark.cc,
// BM_CallOverhead). A batch of at most `grain` requests or `threads` == 1 runs on the
// caller alone with no arena. The hot path allocates nothing per request, except the
// explain overload's reasons (and the engine's own rare case of patterns rebuilt from
// policy variables with more than 63 symbols, see engine.h).
#ifndef ARBITER_ENGINE_PARALLEL_H_
#define ARBITER_ENGINE_PARALLEL_H_

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <cstddef>
#include <span>

#include "compiler/compiled_world.h"
#include "compiler/decision.h"
#include "engine/engine.h"

namespace arbiter {

// The requests one task evaluates when ParallelOptions::grain is 0. Measured with
// bench/parallel_benchmark.cc on 2 cores (figures there): on the generated medium world
// (100,000 requests, ~0.8 µs each) every grain from 16 to 4,096 gives the same 2-thread
// rate within noise (2.54-2.62 M decisions/s, ±2%), since a kept arena makes a task cost
// well under 1% of even 16 requests. Grain only matters for small batches: a batch of at
// most `grain` requests stays on the caller, and waking a sleeping worker costs ~30 µs
// (median; milliseconds on a loaded VM), as much as ~50 requests of work. 256 lets
// batches from 257 requests (~0.2 ms of work) go parallel and cuts the tiny world's
// 1,000 requests into 4 ranges (5.7 M/s on 2 threads against 2.65 M/s on one).
inline constexpr size_t kDefaultGrain = 256;

struct ParallelOptions {
  int threads = 0;   // 0 = all cores (tbb::info::default_concurrency()); < 0 is taken as 1
  size_t grain = 0;  // most requests per range; 0 = kDefaultGrain
};

// The thread count and grain a call with `options` uses (both >= 1). The thread count is
// capped at TBB's current limit (the machine's concurrency unless a tbb::global_control
// changed it): TBB would not start more workers anyway, and warns on stderr when asked.
inline int EffectiveThreads(const ParallelOptions& options) {
  const int limit = static_cast<int>(
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
  const int wanted = options.threads == 0  ? tbb::info::default_concurrency()
                     : options.threads < 0 ? 1
                                           : options.threads;
  return std::max(1, std::min(wanted, limit));
}
inline size_t EffectiveGrain(const ParallelOptions& options) {
  return options.grain == 0 ? kDefaultGrain : options.grain;
}

namespace parallel_internal {
// The process-wide arena of `threads` slots (created on first use, never destroyed).
// Thread-safe; several callers may execute in one arena at once (TBB shares its slots).
tbb::task_arena& ArenaFor(int threads);
}  // namespace parallel_internal

// Calls body(begin, end, scratch) on disjoint ranges [begin, end) that together cover
// [0, n), each at most EffectiveGrain(options) long (a tbb::simple_partitioner halves
// ranges until they fit the grain), from at most EffectiveThreads(options) threads. `scratch`
// belongs to the thread running the body for the whole call (a tbb::enumerable_thread_specific), so
// the body may use it without locking; anything else the body shares must be safe to use
// concurrently (writing results by index into distinct slots is). Returns once every range is done;
// an exception thrown by a body is rethrown here after the others finish or are
// cancelled. n == 0 calls nothing.
template <typename F>
void ParallelFor(size_t n, const ParallelOptions& options, F&& body) {
  if (n == 0) return;
  const int threads = EffectiveThreads(options);
  const size_t grain = EffectiveGrain(options);
  if (threads == 1 || n <= grain) {
    EvalScratch scratch;
    for (size_t begin = 0; begin < n; begin += grain) {
      body(begin, begin + grain < n ? begin + grain : n, scratch);
    }
    return;
  }
  // Per call, not per arena: concurrent or nested calls that share a thread never share
  // a scratch.
  tbb::enumerable_thread_specific<EvalScratch> scratches;
  parallel_internal::ArenaFor(threads).execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, n, grain),
        [&](const tbb::blocked_range<size_t>& r) { body(r.begin(), r.end(), scratches.local()); },
        tbb::simple_partitioner());
  });
}

// Decides every request of `batch` into out[i] (out.size() must equal batch.size(); on a
// mismatch nothing is evaluated and the process aborts, since a short span would drop
// decisions and a long one would leave slots a caller could read as decided). The
// decisions equal sequential Evaluate's. Thread-safe: concurrent calls may share `world`
// and `batch` (both are only read); `world` and `batch` must outlive the call and not
// change during it; `out` must not be read or written by anyone else until it returns.
// No allocation per request.
void EvaluateBatch(const CompiledWorld& world, const RequestBatch& batch, std::span<Decision> out,
                   const ParallelOptions& options);

// The same with explanations: out[i] = Evaluate(world, batch[i], scratch, /*explain=*/true).
// Allocates the reasons of each result; whatever out[i] held before is replaced. Same
// size precondition and thread-safety as above.
void EvaluateBatch(const CompiledWorld& world, const RequestBatch& batch, std::span<EvalResult> out,
                   const ParallelOptions& options);

}  // namespace arbiter

#endif  // ARBITER_ENGINE_PARALLEL_H_
