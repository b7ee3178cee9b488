// Decision cost: the compiled engine and, in the same run, the reference evaluator as the
// baseline, on the bundled worlds (corpus/example, corpus/generated/tiny) and on any world
// named by ARBITER_BENCH_WORLD (with ARBITER_BENCH_REQUESTS), e.g. a generated medium or
// large world: python3 corpus/generate.py --size medium --seed 1 --out /tmp/medium.
// Also the compile time of all 1,594 AWS managed policies.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>

#include "compiler/compile.h"
#include "compiler/world.h"
#include "core/file.h"
#include "engine/engine.h"
#include "engine/testing/bundled_worlds.h"
#include "json/json.h"
#include "reference/evaluator.h"

namespace arbiter {
namespace {

struct Fixture {
  World world;
  CompiledWorld compiled;
  std::vector<Request> requests;
  RequestBatch batch;
};

const Fixture& Load(const std::string& world_path, const std::string& requests_path) {
  static std::map<std::string, Fixture*> cache;
  Fixture*& fx = cache[world_path];
  if (fx) return *fx;
  fx = new Fixture;
  std::vector<Finding> findings;
  auto w = LoadWorld(Slurp(world_path), &findings);
  if (!w) std::abort();
  fx->world = std::move(*w);
  fx->requests = LoadRequests(requests_path);
  for (const Request& r : fx->requests) fx->batch.Add(r);
  const CompileOptions options = InternActions(fx->requests);
  fx->batch.Seal();
  fx->compiled = Compile(fx->world, options);
  return *fx;
}

void BM_Engine(benchmark::State& state, std::string world, std::string requests) {
  const Fixture& fx = Load(world, requests);
  EvalScratch scratch;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Evaluate(fx.compiled, fx.batch[i], scratch));
    if (++i == fx.batch.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Reference(benchmark::State& state, std::string world, std::string requests) {
  const Fixture& fx = Load(world, requests);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ReferenceEvaluate(fx.world, fx.requests[i]));
    if (++i == fx.requests.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// Parse, validate and compile all AWS managed policies: from the JSON text to a compiled
// world ready to evaluate, as `arbiter bench` times compile_ms. Freeing the results (the
// validated World and the CompiledWorld, about a sixth of the total) is not part of it and
// runs with the clock paused; BM_CompileManagedPoliciesAndFree includes it.
void CompileManagedPolicies(benchmark::State& state, bool timed_free) {
  const std::string policies = Slurp(ARBITER_SOURCE_DIR "/corpus/managed-policies.json");
  const std::string world = "{\"policies\":" + policies + "}";
  for (auto _ : state) {
    std::vector<Finding> findings;
    std::optional<World> w = LoadWorld(world, &findings);
    std::optional<CompiledWorld> compiled = Compile(*w);
    benchmark::DoNotOptimize(*compiled);
    if (!timed_free) state.PauseTiming();
    compiled.reset();
    w.reset();
    if (!timed_free) state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * world.size());
}
void BM_CompileManagedPolicies(benchmark::State& state) { CompileManagedPolicies(state, false); }
void BM_CompileManagedPoliciesAndFree(benchmark::State& state) {
  CompileManagedPolicies(state, true);
}
BENCHMARK(BM_CompileManagedPolicies)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CompileManagedPoliciesAndFree)->Unit(benchmark::kMillisecond);

void Register() {
  std::vector<std::pair<std::string, std::string>> worlds = {
      {"example", ARBITER_SOURCE_DIR "/corpus/example"},
      {"tiny", ARBITER_SOURCE_DIR "/corpus/generated/tiny"},
  };
  if (const char* w = std::getenv("ARBITER_BENCH_WORLD")) {
    const char* r = std::getenv("ARBITER_BENCH_REQUESTS");
    worlds.push_back({"custom", ""});
    for (auto [name, kind] : {std::pair{"Engine/custom", 0}, std::pair{"Reference/custom", 1}}) {
      if (kind == 0) {
        benchmark::RegisterBenchmark(name, BM_Engine, std::string(w), std::string(r ? r : ""));
      } else {
        benchmark::RegisterBenchmark(name, BM_Reference, std::string(w), std::string(r ? r : ""));
      }
    }
    worlds.pop_back();
  }
  for (const auto& [name, dir] : worlds) {
    benchmark::RegisterBenchmark(("Engine/" + name).c_str(), BM_Engine, dir + "/world.json",
                                 dir + "/requests.jsonl");
    benchmark::RegisterBenchmark(("Reference/" + name).c_str(), BM_Reference, dir + "/world.json",
                                 dir + "/requests.jsonl");
  }
}

}  // namespace
}  // namespace arbiter

int main(int argc, char** argv) {
  arbiter::Register();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
