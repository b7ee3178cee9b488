// The decision cache, beside its baseline from the same run: a bare absl::flat_hash_map
// lookup of the same precomputed keys (one thread). Then whole cached decisions (key built
// from the request: principal, action, resource and the relevant context keys) at a 95%
// hit ratio on 1 and 2 threads, and the hit path's latency percentiles while an updater
// publishes a new snapshot every millisecond.
//
// World: corpus/generated/tiny, or ARBITER_BENCH_WORLD / ARBITER_BENCH_REQUESTS.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "compiler/world.h"
#include "core/file.h"
#include "core/strings.h"
#include "engine/decider.h"
#include "engine/testing/bundled_worlds.h"

namespace arbiter {
namespace {

struct Fixture {
  World world;
  std::vector<Request> requests;
  RequestBatch batch;  // the requests in stream order
  // 1,000 distinct keys, each used 20 times in a shuffled stream: a 95% hit ratio.
  std::vector<CacheKey> keys;
  std::vector<std::string> key_strings;
  std::vector<uint32_t> stream;
};

const Fixture& Load() {
  static Fixture* fx = [] {
    auto* f = new Fixture;
    const char* w = std::getenv("ARBITER_BENCH_WORLD");
    const char* r = std::getenv("ARBITER_BENCH_REQUESTS");
    const std::string world =
        w ? w : StrCat(ARBITER_SOURCE_DIR, "/corpus/generated/tiny/world.json");
    const std::string reqs =
        r ? r : StrCat(ARBITER_SOURCE_DIR, "/corpus/generated/tiny/requests.jsonl");
    std::vector<Finding> findings;
    auto loaded = LoadWorld(Slurp(world), &findings);
    if (!loaded) std::abort();
    f->world = std::move(*loaded);
    f->requests = LoadRequests(reqs, 1000);
    if (f->requests.empty()) std::abort();
    std::mt19937_64 rng(1);
    for (size_t i = 0; i < f->requests.size(); ++i) {
      CacheKey k;
      k.AddField(f->requests[i].principal);
      k.AddField(f->requests[i].action);
      k.AddField(f->requests[i].resource);
      k.AddField(StrCat(i));  // distinct even where two requests coincide
      k.Finish();
      f->key_strings.emplace_back(reinterpret_cast<const char*>(k.Finish()), k.words() * 8);
      f->keys.push_back(k);
      for (int rep = 0; rep < 20; ++rep) f->stream.push_back(static_cast<uint32_t>(i));
    }
    std::shuffle(f->stream.begin(), f->stream.end(), rng);
    for (uint32_t i : f->stream) f->batch.Add(f->requests[i]);
    f->batch.Seal();
    return f;
  }();
  return *fx;
}

// Baseline: absl::flat_hash_map<std::string, Decision>::find on the precomputed keys.
void BM_FlatHashMapLookup(benchmark::State& state) {
  const Fixture& fx = Load();
  absl::flat_hash_map<std::string, Decision> map;
  for (const std::string& k : fx.key_strings) map[k] = Decision::kAllow;
  size_t i = 0;
  for (auto _ : state) {
    auto it = map.find(fx.key_strings[fx.stream[i]]);
    benchmark::DoNotOptimize(it);
    if (++i == fx.stream.size()) i = 0;
  }
}
BENCHMARK(BM_FlatHashMapLookup);

// The cache's hit path on the same precomputed keys: hash, probe, seqlock-checked full-key
// compare.
void BM_CacheLookup(benchmark::State& state) {
  const Fixture& fx = Load();
  static DecisionCache* cache = [&] {
    // Sized like the map: for the working set (1,000 keys), not the 64K-entry default, so
    // that both structures stay in the same cache levels.
    CacheOptions o;
    o.capacity = 2048;
    o.shards = 16;
    auto* c = new DecisionCache(o);
    for (size_t k = 0; k < fx.keys.size(); ++k) {
      c->Insert(fx.keys[k], c->HashOf(fx.keys[k]), 1, 0, Decision::kAllow);
    }
    return c;
  }();
  size_t i = state.thread_index() * 7919 % fx.stream.size();
  Decision d;
  for (auto _ : state) {
    const CacheKey& key = fx.keys[fx.stream[i]];
    const bool hit = cache->Lookup(key, cache->HashOf(key), 1, 0, &d);
    benchmark::DoNotOptimize(hit);
    if (++i == fx.stream.size()) i = 0;
  }
}
BENCHMARK(BM_CacheLookup)->Threads(1)->Threads(2)->UseRealTime();

// Whole decisions, with the cache (the key built from each request: principal and action
// resolved, relevant context keys gathered) and without it (what each hit saves). One decider
// per configuration, kept across runs. `miss_every` > 0 makes every miss_every-th decision a
// request the cache cannot hold (its resource is new each time), so that the hit ratio stays
// at 1 - 1/miss_every however long the run; 0 replays the 1,000-request stream, which is
// all hits once warm.
void BM_Decision(benchmark::State& state, bool cache, int miss_every) {
  const Fixture& fx = Load();
  static Decider* deciders[2] = {nullptr, nullptr};
  static std::once_flag once[2];
  std::call_once(once[cache], [&] {
    deciders[cache] = new Decider(DeciderOptions{cache, {}});
    deciders[cache]->Publish(fx.world, InternActions(fx.requests));
  });
  Decider* decider = deciders[cache];
  const CacheStats before = decider->cache_stats();
  EvalScratch scratch;
  size_t i = state.thread_index() * 7919 % fx.batch.size();
  std::string fresh = StrCat("arn:aws:s3:::bench-miss-", state.thread_index(), "/");
  const size_t stem = fresh.size();
  uint64_t n = 0, unique = 0;
  for (auto _ : state) {
    if (miss_every > 0 && ++n % static_cast<uint64_t>(miss_every) == 0) {
      RequestView miss = fx.batch[i];
      fresh.resize(stem);
      for (uint64_t v = ++unique; v != 0; v /= 10) fresh.push_back(static_cast<char>('0' + v % 10));
      miss.resource = fresh;
      benchmark::DoNotOptimize(decider->Decide(miss, scratch));
    } else {
      benchmark::DoNotOptimize(decider->Decide(fx.batch[i], scratch));
    }
    if (++i == fx.batch.size()) i = 0;
  }
  if (cache && state.thread_index() == 0) {
    const CacheStats after = decider->cache_stats();
    CacheStats run;
    run.hits = after.hits - before.hits;
    run.misses = after.misses - before.misses;
    state.counters["hit_ratio"] = run.hit_ratio();
    // Decisions whose key is too long to cache (decided each time, counted in no ratio).
    state.counters["uncacheable"] = static_cast<double>(after.uncacheable - before.uncacheable);
  }
}
BENCHMARK_CAPTURE(BM_Decision, cached, true, 0)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_Decision, cached_95pct_hits, true, 20)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_Decision, uncached, false, 0)->Threads(1)->Threads(2)->UseRealTime();

// Latency while an updater publishes a snapshot every millisecond, each decision timed
// alone; percentiles are counters in nanoseconds. p50/p99/max: every request of the stream
// once (after each publish the cache starts cold for the new generation, so misses are part
// of this distribution). hit_p50/hit_p99/hit_max: the same request decided again at once,
// a hit unless a publish fell between the two (about one pair in 3,000).
void BM_LatencyDuringUpdates(benchmark::State& state) {
  const Fixture& fx = Load();
  Decider decider;
  const CompileOptions o = InternActions(fx.requests);
  decider.Publish(fx.world, o);
  std::atomic<bool> stop{false};
  std::atomic<int> publishes{0};
  std::thread updater([&] {
    while (!stop.load()) {
      decider.Publish(fx.world, o);
      ++publishes;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  EvalScratch scratch;
  std::vector<int64_t> all, hits;
  all.reserve(1 << 22);
  hits.reserve(1 << 22);
  auto timed = [&](const RequestView& r, std::vector<int64_t>& into) {
    const auto a = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(decider.Decide(r, scratch));
    const auto b = std::chrono::steady_clock::now();
    if (into.size() < into.capacity()) {
      into.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
    }
  };
  size_t i = 0;
  for (auto _ : state) {
    timed(fx.batch[i], all);
    timed(fx.batch[i], hits);
    if (++i == fx.batch.size()) i = 0;
  }
  stop = true;
  updater.join();
  auto report = [&](std::vector<int64_t>& v, const std::string& prefix) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end());
    state.counters[prefix + "p50_ns"] = static_cast<double>(v[v.size() / 2]);
    state.counters[prefix + "p99_ns"] = static_cast<double>(v[v.size() * 99 / 100]);
    state.counters[prefix + "max_ns"] = static_cast<double>(v.back());
  };
  report(all, "");
  report(hits, "hit_");
  state.counters["publishes"] = publishes.load();
  state.counters["hit_ratio"] = decider.cache_stats().hit_ratio();
}
BENCHMARK(BM_LatencyDuringUpdates)->Iterations(2000000);

}  // namespace
}  // namespace arbiter

namespace arbiter {
namespace {
void BM_KeyHashOnly(benchmark::State& state) {
  const Fixture& fx = Load();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fx.keys[fx.stream[i]].Hash());
    if (++i == fx.stream.size()) i = 0;
  }
}
BENCHMARK(BM_KeyHashOnly);
void BM_StringHashOnly(benchmark::State& state) {
  const Fixture& fx = Load();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(absl::Hash<std::string>{}(fx.key_strings[fx.stream[i]]));
    if (++i == fx.stream.size()) i = 0;
  }
}
BENCHMARK(BM_StringHashOnly);
}  // namespace
}  // namespace arbiter
BENCHMARK_MAIN();
