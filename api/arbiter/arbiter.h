// Arbiter, embedded: AWS-IAM-style authorization decisions in-process.
//
//   #include <arbiter/arbiter.h>
//
//   arbiter::Engine engine;                        // cached, all cores for batches
//   if (absl::Status s = engine.LoadWorldFile("world.json"); !s.ok()) { ...s.message()... }
//   absl::StatusOr<arbiter::Request> r = arbiter::Engine::ParseRequest(json_line);
//   arbiter::Decision d = engine.Decide(*r);       // kAllow, kExplicitDeny, kImplicitDeny
//   arbiter::EvalResult why = engine.Explain(*r);  // plus the deciding statements
//
// Worlds, requests and decisions are those of the command line (SPEC sections 2-4): a world
// binds IAM JSON policies to principals, resources and an organization; a request names a
// principal, an action, a resource and a context.
//
// Thread-safety: every method of Engine may be called from any number of threads at once.
// Decide and Explain never block on a LoadWorld running concurrently: a world load compiles
// a new immutable snapshot and publishes it atomically; requests that began before it see
// the old world, those that begin after it the new one, and no cached decision of an old
// world is ever served. A load that fails validation changes nothing.
//
// Cost: Decide is one cache probe on a hit (a few hundred nanoseconds) and one evaluation
// of the compiled world on a miss (about a microsecond for hundreds of managed policies);
// neither allocates, locks or throws once the calling thread is warm.
//
// The pieces underneath are installed too, for embedders who want them directly:
// engine/decider.h (snapshots + cache), engine/engine.h (uncached evaluation),
// engine/parallel.h (batches on oneTBB), gateway/gateway.h (the API Gateway front end).
#ifndef ARBITER_API_ARBITER_H_
#define ARBITER_API_ARBITER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "compiler/decision.h"
#include "compiler/world.h"
#include "engine/decision_cache.h"

namespace arbiter {

struct EngineOptions {
  bool cache = true;                 // the decision cache (never changes a decision)
  size_t cache_capacity = 1u << 16;  // cached decisions (about 320 bytes each)
  int64_t cache_ttl_ms = 0;          // 0: entries live until evicted or a new world
  int threads = 0;                   // DecideBatch threads; 0 = all cores
};

class Engine {
 public:
  explicit Engine(const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads (or replaces) the world. On any error nothing changes and the status is
  // InvalidArgument with one finding per line, "NAME:LINE:COL: error: MESSAGE [CODE]
  // (JSON-POINTER)"; warnings alone do not fail a load.
  absl::Status LoadWorld(std::string_view world_json, std::string_view name = "world.json");
  // As LoadWorld, named by `path`; a file that cannot be read is NotFound.
  absl::Status LoadWorldFile(const std::string& path);
  // Increases with every successful load (0 before the first: an empty world). Concurrent
  // loads compile in parallel and are numbered in the order they publish; the last to
  // publish serves.
  uint64_t generation() const;

  // One SPEC section 3 request line.
  static absl::StatusOr<Request> ParseRequest(std::string_view json_line);

  Decision Decide(const Request& request) const;
  // The decision with the statements that made it (not cached).
  EvalResult Explain(const Request& request) const;
  // Decides every request (out[i] for requests[i]) on up to options.threads threads, all
  // against one world snapshot. out.size() must equal requests.size().
  void DecideBatch(std::span<const Request> requests, std::span<Decision> out) const;

  CacheStats cache_stats() const;
  size_t memory_bytes() const;  // the compiled world and the cache

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace arbiter

#endif  // ARBITER_API_ARBITER_H_
