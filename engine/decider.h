// The serving core: the current world as an immutable snapshot (published.h), the decision
// cache in front of the engine (decision_cache.h), keyed by principal, action, resource,
// resource account and only the context keys that can change the decision
// (relevance.h). Live updates publish a new snapshot; readers never pause, never see a
// snapshot older than the one published before their request began, and never get a
// cached decision of an older snapshot (entries carry their snapshot's generation).
//
// Correctness of the cache: the engine's decision is a function of the world and of
// (principal, action, resource, resource_account, the values of the context keys its
// candidate statements read). The key holds all of these in full (no hash-only match), so
// caching never changes a decision; engine/decider_test.cc checks it differentially.
// Time-dependent conditions (aws:CurrentTime, aws:EpochTime, Date operators) read their
// keys from the request like any other, so a request at another time is another key.
//
// Thread-safety: every method may be called concurrently. Decide allocates, locks and
// throws nothing on a cache hit; a miss evaluates (allocation-free once warm) and takes
// one shard's writer mutex to insert.
#ifndef ARBITER_ENGINE_DECIDER_H_
#define ARBITER_ENGINE_DECIDER_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "compiler/compile.h"
#include "compiler/compiled_world.h"
#include "compiler/finding.h"
#include "compiler/world.h"
#include "engine/decision_cache.h"
#include "engine/engine.h"
#include "engine/published.h"
#include "engine/relevance.h"

namespace arbiter {

struct DeciderOptions {
  bool cache = true;
  CacheOptions cache_options;
};

// One published world.
struct Snapshot {
  Snapshot(uint64_t generation, CompiledWorld compiled);
  const uint64_t generation;
  const CompiledWorld compiled;
  const KeyRelevance relevance;  // refers to `compiled`
};

class Decider {
 public:
  explicit Decider(const DeciderOptions& options = {});
  ~Decider();

  // Publishes `world` (already validated) as the next snapshot; returns its generation,
  // which is greater than every generation published before it (concurrent calls compile in
  // parallel and are numbered in the order they publish; the last to publish serves).
  // Blocks the caller (never a reader) until no reader can hold the previous snapshot.
  uint64_t Publish(const World& world, const CompileOptions& options = {});
  // Parses, validates, compiles and publishes a world file. When it has errors the
  // current snapshot keeps serving and false is returned with the findings.
  bool Update(std::string_view world_json, std::vector<Finding>* findings);

  Decision Decide(const RequestView& request, EvalScratch& scratch) const;
  Decision Decide(const Request& request, EvalScratch& scratch) const;
  // The decision with the statements that made it (not cached).
  EvalResult Explain(const Request& request, EvalScratch& scratch) const;

  uint64_t generation() const;
  CacheStats cache_stats() const;
  bool cache_enabled() const { return cache_ != nullptr; }
  size_t MemoryBytes() const;  // the current snapshot and the cache

  // A read-side section on the current snapshot, for batches: decide many requests
  // against one snapshot with DecideIn.
  Published<Snapshot>::Reader Read() const { return snapshot_.Read(); }
  Decision DecideIn(const Snapshot& snapshot, const RequestView& request,
                    EvalScratch& scratch) const;

 private:
  Published<Snapshot> snapshot_;
  // Taken to number and publish a compiled snapshot, so that generations grow in publish
  // order however many updates run at once (compiling happens outside it).
  std::mutex publish_mu_;
  std::unique_ptr<DecisionCache> cache_;
};

}  // namespace arbiter

#endif  // ARBITER_ENGINE_DECIDER_H_
