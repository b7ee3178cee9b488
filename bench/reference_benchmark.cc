// Reference evaluator throughput on the bundled example world: the baseline that the
// compiled engine (issue 3) is measured against in the same run.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "compiler/world.h"
#include "reference/evaluator.h"

namespace arbiter {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Fixture {
  World world;
  std::vector<Request> requests;
};

const Fixture& Example() {
  static const Fixture* fixture = [] {
    auto* fx = new Fixture;
    std::vector<Finding> findings;
    auto w = LoadWorld(Slurp(ARBITER_SOURCE_DIR "/corpus/example/world.json"), &findings);
    if (!w) std::abort();
    fx->world = std::move(*w);
    std::istringstream lines(Slurp(ARBITER_SOURCE_DIR "/corpus/example/requests.jsonl"));
    std::string line, error;
    while (std::getline(lines, line)) {
      Request r;
      if (ParseRequest(line, &r, &error)) fx->requests.push_back(std::move(r));
    }
    return fx;
  }();
  return *fixture;
}

void BM_ReferenceEvaluate(benchmark::State& state) {
  const Fixture& fx = Example();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ReferenceEvaluate(fx.world, fx.requests[i]));
    if (++i == fx.requests.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReferenceEvaluate);

void BM_LoadWorld(benchmark::State& state) {
  const std::string text = Slurp(ARBITER_SOURCE_DIR "/corpus/example/world.json");
  for (auto _ : state) {
    std::vector<Finding> findings;
    benchmark::DoNotOptimize(LoadWorld(text, &findings));
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}
BENCHMARK(BM_LoadWorld);

}  // namespace
}  // namespace arbiter

BENCHMARK_MAIN();
