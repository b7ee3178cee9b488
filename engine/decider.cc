#include "engine/decider.h"

#include <algorithm>
#include <chrono>

#include "compiler/compile.h"
#include "core/strings.h"

namespace arbiter {

Snapshot::Snapshot(uint64_t g, CompiledWorld c)
    : generation(g), compiled(std::move(c)), relevance(compiled) {}

Decider::Decider(const DeciderOptions& options)
    : snapshot_(std::make_unique<const Snapshot>(0, Compile(World()))) {
  if (options.cache) cache_ = std::make_unique<DecisionCache>(options.cache_options);
}

Decider::~Decider() = default;

uint64_t Decider::Publish(const World& world, const CompileOptions& options) {
  CompiledWorld compiled = Compile(world, options);
  // Numbered under the lock, after compiling: a slow compile that began first must not
  // publish a smaller generation after a fast one (generation() would go backwards). The
  // counter is process-wide, so generations are unique across deciders too.
  static std::atomic<uint64_t> next_generation{1};
  std::lock_guard<std::mutex> lock(publish_mu_);
  const uint64_t g = next_generation.fetch_add(1, std::memory_order_relaxed);
  snapshot_.Publish(std::make_unique<const Snapshot>(g, std::move(compiled)));
  return g;
}

bool Decider::Update(std::string_view world_json, std::vector<Finding>* findings) {
  std::vector<Finding> local;
  std::optional<World> world = LoadWorld(world_json, &local);
  const bool ok = world.has_value() && !HasError(local);
  if (findings != nullptr) findings->insert(findings->end(), local.begin(), local.end());
  if (!ok) return false;
  Publish(*world);
  return true;
}

uint64_t Decider::generation() const { return snapshot_.Read()->generation; }

CacheStats Decider::cache_stats() const { return cache_ ? cache_->stats() : CacheStats(); }

size_t Decider::MemoryBytes() const {
  return snapshot_.Read()->compiled.MemoryBytes() + (cache_ ? cache_->MemoryBytes() : 0);
}

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const ContextEntry* FindEntry(const RequestView& r, std::string_view key) {
  for (size_t i = 0; i < r.context_size; ++i) {
    if (SameText(r.context[i].key, key)) return &r.context[i];
  }
  return nullptr;
}

}  // namespace

// The key: the principal and the action (by their index in the snapshot when it knows them,
// else by their text), the resource, the resource account, and the values of only the
// context keys that can change the decision (relevance.h), so that a request that differs
// in an irrelevant key, such as a time that no policy reads, still hits. Resolving the
// principal and action is memoized per snapshot, so a hit costs one hash and probe there,
// the key's bytes, one hash and one probe of the cache.
Decision Decider::DecideIn(const Snapshot& snap, const RequestView& r, EvalScratch& scratch) const {
  if (cache_ == nullptr) return Evaluate(snap.compiled, r, scratch).decision;
  thread_local std::string lower;
  const int64_t now = cache_->ttl_ms() > 0 ? NowMs() : 0;
  const KeyRelevance::Resolved who = snap.relevance.Resolve(r.principal, r.action, lower);
  CacheKey key;
  key.AddByte('R');
  // A principal or action the snapshot knows is keyed by its index there (the entry's
  // generation pins the snapshot, and the index maps to exactly one ARN or action), which
  // keeps keys short; others by their text. A tag byte keeps the two forms apart.
  auto add_id_or_text = [&key](int64_t id, std::string_view text) {
    if (id >= 0) {
      key.AddByte(1);
      key.AddU32(static_cast<uint32_t>(id));
    } else {
      key.AddByte(0);
      key.AddField(text);
    }
  };
  add_id_or_text(who.principal, r.principal);
  add_id_or_text(who.action, who.lower_action);
  key.AddField(r.resource);
  key.AddByte(r.has_resource_account ? 1 : 0);
  key.AddField(r.resource_account);
  // Each relevant key's entry, found in one pass over the context (most entries are
  // rejected by their length alone); the key lists them in the relevant keys' order.
  constexpr size_t kOnePass = 32;
  const ContextEntry* found[kOnePass];
  const bool one_pass = who.keys.size() <= kOnePass;
  if (one_pass) {
    std::fill_n(found, who.keys.size(), nullptr);
    for (size_t i = 0; i < r.context_size; ++i) {
      const ContextEntry& e = r.context[i];
      if (!who.MayBeRelevant(e.key)) continue;
      for (size_t j = 0; j < who.keys.size(); ++j) {
        if (SameText(who.keys[j], e.key)) {
          if (found[j] == nullptr) found[j] = &e;  // the first, as FindEntry would
          break;
        }
      }
    }
  }
  for (size_t j = 0; j < who.keys.size(); ++j) {
    const ContextEntry* e = one_pass ? found[j] : FindEntry(r, who.keys[j]);
    if (e == nullptr) {
      key.AddByte(0);
      continue;
    }
    key.AddByte(e->multi ? 2 : 1);
    key.AddByte(static_cast<uint8_t>(e->count & 0xff));
    key.AddByte(static_cast<uint8_t>(e->count >> 8));
    for (uint32_t i = 0; i < e->count; ++i) key.AddField(e->values[i]);
  }
  if (key.overflow()) {
    cache_->CountUncacheable();
    return Evaluate(snap.compiled, r, scratch).decision;
  }
  key.Finish();
  const uint64_t hash = cache_->HashOf(key);
  Decision d;
  if (!cache_->Lookup(key, hash, snap.generation, now, &d)) {
    d = Evaluate(snap.compiled, r, scratch).decision;
    cache_->Insert(key, hash, snap.generation, now, d);
  }
  return d;
}

Decision Decider::Decide(const RequestView& request, EvalScratch& scratch) const {
  auto snap = snapshot_.Read();
  return DecideIn(*snap, request, scratch);
}

Decision Decider::Decide(const Request& request, EvalScratch& scratch) const {
  auto snap = snapshot_.Read();
  return DecideIn(*snap, ViewOf(request, scratch), scratch);
}

EvalResult Decider::Explain(const Request& request, EvalScratch& scratch) const {
  auto snap = snapshot_.Read();
  return Evaluate(snap->compiled, request, scratch, /*explain=*/true);
}

}  // namespace arbiter
