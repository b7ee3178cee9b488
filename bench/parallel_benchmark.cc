// Parallel batch evaluation (engine/parallel.h): decisions/s of EvaluateBatch over a whole
// batch per iteration, for 1 and 2 threads and grains 16..4,096, and the 2-thread/1-thread
// speed-up measured with the two runs interleaved (so that load from other processes on a
// shared machine hits both alike). Worlds: the one named by ARBITER_BENCH_WORLD (with
// ARBITER_BENCH_REQUESTS), meant to be the generated medium world:
//   python3 corpus/generate.py --size medium --seed 1 --out /tmp/medium
//   ARBITER_BENCH_WORLD=/tmp/medium/world.json
//   ARBITER_BENCH_REQUESTS=/tmp/medium/requests.jsonl build/bench/parallel_benchmark
// and always the bundled corpus/generated/tiny. Times are wall-clock (UseRealTime).
//
// Figures (Debian 12 VM, 2 vCPUs shared with other builds, RelWithDebInfo, g++ 12, oneTBB
// 2021.8; medians of --benchmark_repetitions=10..12 with random interleaving, keeping only
// runs where other processes took < 0.1 core; /proc/loadavg 2.72 -> 2.04 over the medium
// run, 1.87 -> 1.71 over the sweeps, our own 2 threads included):
//   medium world (seed 1, 100,000 requests):
//     Sequential 1.19 M/s, Batch threads:1 1.22 M/s, threads:2 2.49 M/s (2.05x);
//     Speedup (interleaved, worker woken per call) 1.94x (1.90-2.08 over 10 runs)
//     threads:2 by grain: 16 2.54, 32 2.62, 64 2.57, 128 2.60, 256 2.58, 512 2.56,
//       1024 2.60, 2048 2.61, 4096 2.56 M/s (flat within noise)
//   tiny world (1,000 requests): Sequential 2.66 M/s, threads:1 2.65 M/s; threads:2 with
//     grains 16..512 5.60-5.72 M/s (2.15x: a spinning worker, no wake-up), 1024.. 2.65 M/s
//     (the batch fits one grain and stays on the caller); Speedup 1.79x (a wake-up per
//     0.2 ms batch)
//   CallOverhead: 0.5 µs (1 thread), 1.5 µs (2 threads, kept arena); 230-770 µs when an
//     arena was created per call.
// Under load the ratio tracks the cores left: with one core taken by another process
// (other_cores ~1.0) both thread counts give the same ~1.0 M/s.
#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>

#include "compiler/compile.h"
#include "compiler/world.h"
#include "core/file.h"
#include "engine/engine.h"
#include "engine/parallel.h"
#include "engine/testing/bundled_worlds.h"

namespace arbiter {
namespace {

struct Fixture {
  CompiledWorld compiled;
  RequestBatch batch;
};

const Fixture& Load(const std::string& world_path, const std::string& requests_path) {
  static std::map<std::string, Fixture*> cache;
  Fixture*& fx = cache[world_path];
  if (fx) return *fx;
  fx = new Fixture;
  std::vector<Finding> findings;
  auto world = LoadWorld(Slurp(world_path), &findings);
  if (!world) std::abort();
  const std::vector<Request> requests = LoadRequests(requests_path);
  for (const Request& r : requests) fx->batch.Add(r);
  const CompileOptions options = InternActions(requests);
  fx->batch.Seal();
  if (fx->batch.size() == 0) std::abort();
  fx->compiled = Compile(*world, options);
  return *fx;
}

// CPU seconds used by this process (all its threads, running ones included) so far.
double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// CPU seconds all processes of the machine spent busy so far (Linux /proc/stat), or -1.
double MachineBusySeconds() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  double user, nice, system, idle, iowait, irq, softirq, steal;
  if (!(stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
      cpu != "cpu") {
    return -1;
  }
  return (user + nice + system + irq + softirq + steal) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Cores this process and the other processes of the machine kept busy while it lives,
// to read a rate against: `cores` is 2.0 when two threads ran all along, `other_cores`
// what the rest of the machine took meanwhile (both approximate: /proc/stat counts ticks).
class Meter {
 public:
  Meter()
      : start_(std::chrono::steady_clock::now()),
        machine_(MachineBusySeconds()),
        process_(ProcessCpuSeconds()) {}
  void Report(benchmark::State& state) const {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double machine = MachineBusySeconds(), process = ProcessCpuSeconds() - process_;
    state.counters["cores"] = process / wall;
    if (machine_ >= 0 && machine >= 0) {
      state.counters["other_cores"] = (machine - machine_ - process) / wall;
    }
  }

 private:
  std::chrono::steady_clock::time_point start_;
  double machine_, process_;
};

// The sequential loop EvaluateBatch replaces, as the baseline.
void BM_Sequential(benchmark::State& state, std::string world, std::string requests) {
  const Fixture& fx = Load(world, requests);
  std::vector<Decision> out(fx.batch.size());
  EvalScratch scratch;
  Meter meter;
  for (auto _ : state) {
    for (size_t i = 0; i < fx.batch.size(); ++i) {
      out[i] = Evaluate(fx.compiled, fx.batch[i], scratch).decision;
    }
    benchmark::DoNotOptimize(out.data());
  }
  meter.Report(state);
  state.SetItemsProcessed(state.iterations() * fx.batch.size());
}

void BM_Batch(benchmark::State& state, std::string world, std::string requests, int threads,
              size_t grain) {
  const Fixture& fx = Load(world, requests);
  std::vector<Decision> out(fx.batch.size());
  Meter meter;
  for (auto _ : state) {
    EvaluateBatch(fx.compiled, fx.batch, std::span<Decision>(out), {threads, grain});
    benchmark::DoNotOptimize(out.data());
  }
  meter.Report(state);
  state.SetItemsProcessed(state.iterations() * fx.batch.size());
}

// Each iteration evaluates the batch with 1 thread, then with 2; reports both rates, their
// ratio over all iterations, how many cores the 2-thread runs got (2t_cores: process CPU
// time / wall time, 2.0 when both threads ran all along) and the Meter's other_cores.
void BM_Speedup(benchmark::State& state, std::string world, std::string requests) {
  const Fixture& fx = Load(world, requests);
  std::vector<Decision> out(fx.batch.size());
  using Clock = std::chrono::steady_clock;
  double one = 0, two = 0, two_cpu = 0;
  Meter meter;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    EvaluateBatch(fx.compiled, fx.batch, std::span<Decision>(out), {1, 0});
    const auto t1 = Clock::now();
    const double cpu1 = ProcessCpuSeconds();
    EvaluateBatch(fx.compiled, fx.batch, std::span<Decision>(out), {2, 0});
    const auto t2 = Clock::now();
    two_cpu += ProcessCpuSeconds() - cpu1;
    benchmark::DoNotOptimize(out.data());
    one += std::chrono::duration<double>(t1 - t0).count();
    two += std::chrono::duration<double>(t2 - t1).count();
    state.SetIterationTime(std::chrono::duration<double>(t2 - t0).count());
  }
  meter.Report(state);
  state.counters.erase("cores");
  const double n = static_cast<double>(state.iterations()) * fx.batch.size();
  state.counters["1t_decisions/s"] = n / one;
  state.counters["2t_decisions/s"] = n / two;
  state.counters["speedup"] = one / two;
  state.counters["2t_cores"] = two_cpu / two;
}

// The fixed cost of one ParallelFor call that goes parallel (arena, scratches, waking a
// worker): two ranges of an empty body.
void BM_CallOverhead(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  size_t sum = 0;
  for (auto _ : state) {
    ParallelFor(2 * kDefaultGrain, {threads, 0},
                [&](size_t begin, size_t, EvalScratch&) { benchmark::DoNotOptimize(begin); });
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_CallOverhead)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMicrosecond);

void Register() {
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> worlds;
  if (const char* w = std::getenv("ARBITER_BENCH_WORLD")) {
    const char* r = std::getenv("ARBITER_BENCH_REQUESTS");
    worlds.push_back({"custom", {w, r ? r : ""}});
  }
  const std::string tiny = ARBITER_SOURCE_DIR "/corpus/generated/tiny";
  worlds.push_back({"tiny", {tiny + "/world.json", tiny + "/requests.jsonl"}});
  for (size_t k = 0; k < worlds.size(); ++k) {
    const auto& [name, paths] = worlds[k];
    const auto& [w, r] = paths;
    benchmark::RegisterBenchmark(("Sequential/" + name).c_str(), BM_Sequential, w, r)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    for (int threads : {1, 2}) {
      benchmark::RegisterBenchmark(
          ("Batch/" + name + "/threads:" + std::to_string(threads) + "/grain:default").c_str(),
          BM_Batch, w, r, threads, size_t{0})
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark(("Speedup/" + name).c_str(), BM_Speedup, w, r)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
    // The grain sweep, on the first (benchmark) world only.
    if (k != 0) continue;
    for (size_t grain = 16; grain <= 4096; grain *= 2) {
      benchmark::RegisterBenchmark(
          ("Batch/" + name + "/threads:2/grain:" + std::to_string(grain)).c_str(), BM_Batch, w, r,
          2, grain)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
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
