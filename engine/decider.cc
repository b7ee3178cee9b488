#include "engine/decider.h"

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
  // Generations only grow; Publish serializes writers, so read-then-publish is safe under
  // the lock Published takes... except that two writers could read the same generation.
  // A process-wide counter keeps them unique.
  static std::atomic<uint64_t> next_generation{1};
  const uint64_t g = next_generation.fetch_add(1, std::memory_order_relaxed);
  snapshot_.Publish(std::make_unique<const Snapshot>(g, Compile(world, options)));
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
    if (r.context[i].key == key) return &r.context[i];
  }
  return nullptr;
}

}  // namespace

// Two keys share the cache. The exact key is the request itself, every field and every
// context entry in the order given: building it needs no lookup, so a repeated request
// costs one hash and one probe. The relevance key holds only the context keys that can
// change the decision (relevance.h), so a request that differs in an irrelevant key still
// hits. Both map to the decision of this snapshot; a marker byte keeps them apart.
Decision Decider::DecideIn(const Snapshot& snap, const RequestView& r, EvalScratch& scratch) const {
  if (cache_ == nullptr) return Evaluate(snap.compiled, r, scratch).decision;
  thread_local CacheKey exact;
  thread_local CacheKey key;
  thread_local std::string lower;
  const int64_t now = cache_->ttl_ms() > 0 ? NowMs() : 0;
  Decision d;

  // The exact key holds every context entry: requests with long contexts skip it (their
  // relevance key is usually much shorter) instead of building it up to the limit.
  size_t exact_size = 1 + 3 * 3 + r.principal.size() + r.action.size() + r.resource.size() + 4 +
                      r.resource_account.size();
  for (size_t i = 0; i < r.context_size && exact_size <= CacheKey::kMaxBytes; ++i) {
    exact_size += 6 + r.context[i].key.size();
    for (uint32_t j = 0; j < r.context[i].count; ++j)
      exact_size += 3 + r.context[i].values[j].size();
  }
  bool has_exact = false;
  uint64_t exact_hash = 0;
  if (exact_size <= CacheKey::kMaxBytes) {
    exact.Clear();
    exact.AddByte('E');
    exact.AddField(r.principal);
    exact.AddField(r.action);
    exact.AddField(r.resource);
    exact.AddByte(r.has_resource_account ? 1 : 0);
    exact.AddField(r.resource_account);
    for (size_t i = 0; i < r.context_size; ++i) {
      const ContextEntry& e = r.context[i];
      exact.AddField(e.key);
      exact.AddByte(e.multi ? 2 : 1);
      exact.AddByte(static_cast<uint8_t>(e.count & 0xff));
      exact.AddByte(static_cast<uint8_t>(e.count >> 8));
      for (uint32_t j = 0; j < e.count; ++j) exact.AddField(e.values[j]);
    }
    has_exact = !exact.overflow();
  }
  if (has_exact) {
    exact.Finish();
    exact_hash = exact.Hash();
    if (cache_->Lookup(exact, exact_hash, snap.generation, now, &d, /*count=*/false)) {
      cache_->CountHit();
      return d;
    }
  }

  const CompiledWorld& w = snap.compiled;
  lower.assign(r.action);
  for (char& c : lower) c = AsciiLower(c);
  int64_t principal = -1, action = -1;
  if (const uint32_t id = w.principal_ids.Find(r.principal); id != NameIndex::kNotFound) {
    principal = id;
  }
  if (const uint32_t id = w.action_ids.Find(lower); id != NameIndex::kNotFound) action = id;
  const std::vector<std::string>& keys = snap.relevance.For(principal, action, lower);
  key.Clear();
  key.AddByte('R');
  // A principal or action the snapshot knows is keyed by its index there (the entry's
  // generation pins the snapshot, and the index maps to exactly one ARN or action), which
  // keeps keys short; others by their text. A tag byte keeps the two forms apart.
  auto add_id_or_text = [](CacheKey& k, int64_t id, std::string_view text) {
    if (id >= 0) {
      k.AddByte(1);
      for (int shift = 0; shift < 32; shift += 8) k.AddByte(static_cast<uint8_t>(id >> shift));
    } else {
      k.AddByte(0);
      k.AddField(text);
    }
  };
  add_id_or_text(key, principal, r.principal);
  add_id_or_text(key, action, lower);
  key.AddField(r.resource);
  key.AddByte(r.has_resource_account ? 1 : 0);
  key.AddField(r.resource_account);
  for (const std::string& k : keys) {
    const ContextEntry* e = FindEntry(r, k);
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
    return Evaluate(w, r, scratch).decision;
  }
  key.Finish();
  const uint64_t hash = key.Hash();
  if (!cache_->Lookup(key, hash, snap.generation, now, &d)) {
    d = Evaluate(w, r, scratch).decision;
    cache_->Insert(key, hash, snap.generation, now, d);
  }
  if (has_exact) cache_->Insert(exact, exact_hash, snap.generation, now, d);
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
