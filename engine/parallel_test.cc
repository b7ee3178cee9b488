// Parallel batch evaluation gives exactly sequential Evaluate's results (decisions and
// explanations) on the generated tiny world, for any thread count, grain and batch size;
// ParallelFor covers every index once, on ranges no longer than the grain, with one
// scratch per thread, and really runs on (and only on) the threads it is given.
#include "engine/parallel.h"

#include <gtest/gtest.h>
#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "compiler/compile.h"
#include "compiler/world.h"
#include "core/file.h"
#include "engine/testing/bundled_worlds.h"

namespace arbiter {
namespace {

constexpr char kDir[] = "corpus/generated/tiny";

struct Corpus {
  std::vector<Request> requests;
  // Compiled with the requests' actions interned (the CLI's fast path) and without (every
  // action matched against policy patterns at evaluation time).
  CompiledWorld interned, plain;
  std::vector<EvalResult> expected_interned, expected_plain;  // sequential, explained
};

const Corpus& Tiny() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    std::vector<Finding> findings;
    std::optional<World> world = LoadWorld(Slurp(std::string(kDir) + "/world.json"), &findings);
    if (!world) return c;
    c->requests = LoadRequests(std::string(kDir) + "/requests.jsonl");
    c->interned = Compile(*world, InternActions(c->requests));
    c->plain = Compile(*world);
    EvalScratch scratch;
    for (const Request& r : c->requests) {
      c->expected_interned.push_back(Evaluate(c->interned, r, scratch, true));
      c->expected_plain.push_back(Evaluate(c->plain, r, scratch, true));
    }
    return c;
  }();
  return *corpus;
}

RequestBatch FirstN(size_t n) {
  RequestBatch batch;
  for (size_t i = 0; i < n; ++i) batch.Add(Tiny().requests[i]);
  batch.Seal();
  return batch;
}

// A sealed batch's views read back every field of every request: strings empty and not,
// entries without values, multivalued keys, with and without a resource account, an empty
// context, and every request of the tiny corpus.
TEST(RequestBatchTest, ViewsEqualTheRequests) {
  std::vector<Request> requests = Tiny().requests;
  Request odd;
  odd.principal = "";
  odd.action = "s3:GetObject";
  odd.resource = "*";
  odd.resource_account = "";
  odd.context["aws:tagkeys"] = ContextValue{{}, true};
  odd.context["aws:sourceip"] = ContextValue{{""}, false};
  odd.context["x:many"] = ContextValue{{"a", "", "ccc"}, true};
  requests.insert(requests.begin() + 3, odd);
  Request bare;
  bare.principal = "arn:aws:iam::111122223333:user/u";
  bare.action = "a:b";
  bare.resource = "r";
  requests.push_back(bare);
  RequestBatch batch;
  for (const Request& r : requests) batch.Add(r);
  batch.Seal();
  batch.Seal();  // no effect
  ASSERT_EQ(batch.size(), requests.size());
  const RequestBatch moved = std::move(batch);
  for (size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    const RequestView& v = moved[i];
    ASSERT_EQ(v.principal, r.principal) << i;
    ASSERT_EQ(v.action, r.action) << i;
    ASSERT_EQ(v.resource, r.resource) << i;
    ASSERT_EQ(v.has_resource_account, r.resource_account.has_value()) << i;
    if (r.resource_account) ASSERT_EQ(v.resource_account, *r.resource_account) << i;
    ASSERT_EQ(v.context_size, r.context.size()) << i;
    size_t e = 0;
    for (const auto& [key, value] : r.context) {
      const ContextEntry& entry = v.context[e++];
      ASSERT_EQ(entry.key, key) << i;
      ASSERT_EQ(entry.multi, value.multi) << i;
      ASSERT_EQ(entry.count, value.values.size()) << i;
      for (size_t k = 0; k < value.values.size(); ++k) {
        ASSERT_EQ(entry.values[k], value.values[k]) << i << " " << key;
      }
    }
  }
}

std::string Where(int threads, size_t grain, size_t n, size_t i) {
  return "threads=" + std::to_string(threads) + " grain=" + std::to_string(grain) +
         " n=" + std::to_string(n) + " request " + std::to_string(i);
}

// Evaluates the first `n` requests both ways with `options` and compares with the
// sequential results.
void ExpectSequential(const CompiledWorld& world, const std::vector<EvalResult>& expected, size_t n,
                      const ParallelOptions& options) {
  const RequestBatch batch = FirstN(n);
  ASSERT_EQ(batch.size(), n);
  // Pre-filled with a decision no request of the prefix may be left holding by accident.
  std::vector<Decision> decisions(n, Decision::kAllow);
  for (size_t i = 0; i < n; ++i) {
    if (expected[i].decision == Decision::kAllow) decisions[i] = Decision::kExplicitDeny;
  }
  EvaluateBatch(world, batch, std::span<Decision>(decisions), options);
  std::vector<EvalResult> results(n);
  for (EvalResult& r : results) {  // stale contents must be replaced, not appended to
    r.decision = Decision::kAllow;
    r.reasons.push_back({"stale", PolicyRole::kScp, "stale", 99, Effect::kDeny});
  }
  EvaluateBatch(world, batch, std::span<EvalResult>(results), options);
  for (size_t i = 0; i < n; ++i) {
    const std::string where = Where(options.threads, options.grain, n, i);
    ASSERT_EQ(decisions[i], expected[i].decision) << where;
    ASSERT_EQ(results[i].decision, expected[i].decision) << where;
    ASSERT_EQ(results[i].reasons, expected[i].reasons) << where;
  }
}

TEST(ParallelTest, CorpusIsNotVacuous) {
  const Corpus& c = Tiny();
  ASSERT_EQ(c.requests.size(), 1000u);
  std::map<Decision, int> by_decision;
  size_t explained = 0;
  for (const EvalResult& r : c.expected_interned) {
    ++by_decision[r.decision];
    explained += !r.reasons.empty();
  }
  EXPECT_GT(by_decision[Decision::kAllow], 100);
  EXPECT_GT(by_decision[Decision::kExplicitDeny], 100);
  EXPECT_GT(by_decision[Decision::kImplicitDeny], 100);
  EXPECT_GT(explained, 300u);
  for (size_t i = 0; i < c.requests.size(); ++i) {
    EXPECT_EQ(c.expected_plain[i].decision, c.expected_interned[i].decision) << i;
    EXPECT_EQ(c.expected_plain[i].reasons, c.expected_interned[i].reasons) << i;
  }
}

TEST(ParallelTest, WholeCorpusEqualsSequential) {
  const Corpus& c = Tiny();
  for (int threads : {1, 2, 4, 0}) {
    for (size_t grain :
         {size_t{1}, size_t{7}, size_t{64}, size_t{0}, size_t{999}, size_t{1000}, size_t{4096}}) {
      ExpectSequential(c.interned, c.expected_interned, c.requests.size(), {threads, grain});
      ExpectSequential(c.plain, c.expected_plain, c.requests.size(), {threads, grain});
    }
  }
}

TEST(ParallelTest, BatchSizesAroundTheGrain) {
  const Corpus& c = Tiny();
  for (int threads : {1, 2, 4}) {
    for (size_t grain : {size_t{16}, size_t{100}, kDefaultGrain}) {
      for (size_t n : {size_t{0}, size_t{1}, grain - 1, grain, grain + 1, 2 * grain + 1}) {
        ExpectSequential(c.interned, c.expected_interned, n, {threads, grain});
      }
    }
  }
}

TEST(ParallelTest, EffectiveOptions) {
  const int cores = tbb::info::default_concurrency();
  EXPECT_EQ(EffectiveThreads({}), cores);
  EXPECT_EQ(EffectiveThreads({1, 0}), 1);
  EXPECT_EQ(EffectiveThreads({-2, 0}), 1);
  EXPECT_EQ(EffectiveThreads({cores + 5, 0}), cores);  // capped at TBB's limit
  {
    tbb::global_control room(tbb::global_control::max_allowed_parallelism, cores + 5);
    EXPECT_EQ(EffectiveThreads({cores + 3, 0}), cores + 3);
  }
  EXPECT_EQ(EffectiveThreads({cores + 3, 0}), cores);
  EXPECT_EQ(EffectiveGrain({}), kDefaultGrain);
  EXPECT_EQ(EffectiveGrain({0, 5}), 5u);
}

// What ParallelFor did: per index, how often it was visited; the ranges; and, per
// thread, the scratch it was handed.
struct Trace {
  std::mutex mu;
  std::vector<std::pair<size_t, size_t>> ranges;
  std::map<std::thread::id, std::set<const EvalScratch*>> scratch_by_thread;
  std::unique_ptr<std::atomic<int>[]> visits;
};

TEST(ParallelTest, ParallelForCoversEachIndexOnceWithOneScratchPerThread) {
  for (int threads : {1, 2, 4}) {
    for (size_t grain : {size_t{1}, size_t{10}, size_t{64}}) {
      for (size_t n : {size_t{0}, size_t{1}, grain - 1, grain + 1, size_t{10007}}) {
        const std::string where = Where(threads, grain, n, 0);
        Trace t;
        t.visits.reset(new std::atomic<int>[n + 1]);
        for (size_t i = 0; i <= n; ++i) t.visits[i] = 0;
        ParallelFor(n, {threads, grain}, [&](size_t begin, size_t end, EvalScratch& scratch) {
          for (size_t i = begin; i < end; ++i) t.visits[i].fetch_add(1);
          std::lock_guard<std::mutex> lock(t.mu);
          t.ranges.emplace_back(begin, end);
          t.scratch_by_thread[std::this_thread::get_id()].insert(&scratch);
        });
        for (size_t i = 0; i < n; ++i) ASSERT_EQ(t.visits[i].load(), 1) << where << " i=" << i;
        ASSERT_EQ(t.visits[n].load(), 0) << where;  // nothing past the end
        std::sort(t.ranges.begin(), t.ranges.end());
        size_t next = 0;
        for (const auto& [begin, end] : t.ranges) {
          ASSERT_EQ(begin, next) << where;  // disjoint and contiguous
          ASSERT_LT(begin, end) << where;
          ASSERT_LE(end - begin, grain) << where;
          next = end;
        }
        ASSERT_EQ(next, n) << where;
        EXPECT_LE(t.scratch_by_thread.size(),
                  static_cast<size_t>(EffectiveThreads({threads, grain})))
            << where;
        std::set<const EvalScratch*> all;
        for (const auto& [id, scratches] : t.scratch_by_thread) {
          EXPECT_EQ(scratches.size(), 1u) << where;  // a thread keeps its scratch
          all.insert(scratches.begin(), scratches.end());
        }
        EXPECT_EQ(all.size(), t.scratch_by_thread.size()) << where;  // threads never share
      }
    }
  }
}

// With room for 4 TBB threads in the process, a call given `threads` runs up to exactly
// that many bodies at once: each body waits (bounded) until `threads` bodies are inside
// together, and the peak is recorded.
TEST(ParallelTest, ArenaRunsExactlyTheRequestedThreads) {
  tbb::global_control room(tbb::global_control::max_allowed_parallelism, 4);
  for (int threads : {1, 2, 3}) {
    std::atomic<int> inside{0}, peak{0};
    std::atomic<bool> reached{false};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    ParallelFor(64, {threads, 1}, [&](size_t, size_t, EvalScratch&) {
      const int now = inside.fetch_add(1) + 1;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      if (now >= threads) reached = true;
      while (!reached && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      inside.fetch_sub(1);
    });
    EXPECT_EQ(peak.load(), threads) << "threads=" << threads;
  }
}

TEST(ParallelDeathTest, SizeMismatchAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const RequestBatch batch = FirstN(10);
  std::vector<Decision> short_out(9);
  EXPECT_DEATH(EvaluateBatch(Tiny().interned, batch, std::span<Decision>(short_out), {}),
               "10 requests but 9 result slots");
  std::vector<EvalResult> long_out(11);
  EXPECT_DEATH(EvaluateBatch(Tiny().interned, batch, std::span<EvalResult>(long_out), {}),
               "10 requests but 11 result slots");
}

}  // namespace
}  // namespace arbiter
