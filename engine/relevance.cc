#include "engine/relevance.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "core/hash.h"
#include "core/strings.h"
#include "engine/engine.h"

namespace arbiter {

namespace {

void AddPieces(const std::vector<VariablePiece>& pieces, std::vector<std::string>* out) {
  for (const VariablePiece& p : pieces) {
    if (p.kind == VariablePiece::Kind::kVariable) out->push_back(p.key.key);
  }
}

void AddStatementKeys(const CompiledStatement& st, std::vector<std::string>* out) {
  for (const CompiledPattern& p : st.resources) AddPieces(p.pieces(), out);
  for (const CompiledCondition& c : st.conditions) {
    out->push_back(c.key.key);
    for (const CompiledOperand& o : c.operands) AddPieces(o.pieces(), out);
  }
}

template <typename T>
void SortUnique(std::vector<T>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

// Appends the policies of every level (SCPs or RCPs, root first).
void AddLevels(const std::vector<std::vector<uint32_t>>& levels, std::vector<uint32_t>* out) {
  for (const auto& level : levels) out->insert(out->end(), level.begin(), level.end());
}

uint64_t SizeBit(std::string_view key) { return uint64_t{1} << std::min<size_t>(key.size(), 63); }

}  // namespace

KeyRelevance::KeyRelevance(const CompiledWorld& world)
    : world_(world),
      table_(std::make_unique<std::atomic<Entry*>[]>(kTableSize)),
      named_(std::make_unique<std::atomic<Named*>[]>(kTableSize)) {
  for (size_t i = 0; i < kTableSize; ++i) {
    table_[i].store(nullptr, std::memory_order_relaxed);
    named_[i].store(nullptr, std::memory_order_relaxed);
  }
  for (const CompiledResource& r : world.resources) {
    if (r.policy) global_policies_.push_back(*r.policy);
  }
  for (const CompiledAccount& account : world.accounts) AddLevels(account.rcps, &global_policies_);
  SortUnique(&global_policies_);
  unlisted_policies_ = global_policies_;
  for (const CompiledAccount& account : world.accounts)
    AddLevels(account.scps, &unlisted_policies_);
  SortUnique(&unlisted_policies_);
  for (const CompiledStatement& st : world.statements) AddStatementKeys(st, &all_keys_);
  SortUnique(&all_keys_);
  for (const std::string& k : all_keys_) {  // all_keys_ never changes again
    all_.keys.push_back(k);
    all_.size_mask |= SizeBit(k);
  }
}

KeyRelevance::~KeyRelevance() {
  for (size_t i = 0; i < kTableSize; ++i) {
    delete table_[i].load(std::memory_order_relaxed);
    FreeNamed()(named_[i].load(std::memory_order_relaxed));
  }
}

KeyRelevance::Keys KeyRelevance::Compute(int64_t principal, std::string_view lower_action) const {
  if (principal < 0) return Compute(unlisted_policies_, lower_action);
  std::vector<uint32_t> policies = global_policies_;
  const CompiledPrincipal& p = world_.principals[static_cast<size_t>(principal)];
  policies.insert(policies.end(), p.identity.begin(), p.identity.end());
  if (p.boundary) policies.push_back(*p.boundary);
  policies.insert(policies.end(), p.session.begin(), p.session.end());
  if (p.account != nullptr) AddLevels(p.account->scps, &policies);
  SortUnique(&policies);
  return Compute(policies, lower_action);
}

KeyRelevance::Keys KeyRelevance::Compute(const std::vector<uint32_t>& policies,
                                         std::string_view lower_action) const {
  std::vector<std::string> keys;
  for (uint32_t policy : policies) {
    ForEachCandidateStatement(world_, policy, lower_action, [&](uint32_t sid) {
      AddStatementKeys(world_.statements[sid], &keys);
    });
  }
  SortUnique(&keys);
  // As views of all_keys_, which holds every key a statement reads.
  Keys out;
  out.keys.reserve(keys.size());
  for (const std::string& k : keys) {
    out.keys.push_back(*std::lower_bound(all_keys_.begin(), all_keys_.end(), k));
    out.size_mask |= SizeBit(k);
  }
  return out;
}

const KeyRelevance::Keys& KeyRelevance::For(int64_t principal, int64_t action,
                                            std::string_view lower_action) const {
  if (action < 0) return all_;
  // A listed principal's index, or (with the top bit, which no index has) any unlisted one.
  const uint64_t who = principal >= 0 ? static_cast<uint64_t>(principal) : uint64_t{1} << 31;
  const uint64_t pair = (who << 32) | static_cast<uint64_t>(action);
  const size_t start =
      HashBytes(std::string_view(reinterpret_cast<const char*>(&pair), 8)) & (kTableSize - 1);
  for (size_t i = 0; i < kProbes; ++i) {
    std::atomic<Entry*>& cell = table_[(start + i) & (kTableSize - 1)];
    Entry* e = cell.load(std::memory_order_acquire);
    if (e != nullptr) {
      if (e->pair == pair) return e->keys;
      continue;
    }
    auto fresh = std::make_unique<Entry>(Entry{pair, Compute(principal, lower_action)});
    Entry* expected = nullptr;
    if (cell.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) {
      return fresh.release()->keys;
    }
    if (expected->pair == pair) return expected->keys;  // another thread published it
  }
  return all_;  // the neighbourhood is full: the conservative answer
}

KeyRelevance::Resolved KeyRelevance::Resolve(std::string_view principal, std::string_view action,
                                             std::string& lower) const {
  const uint64_t hash = HashBytes(action, HashBytes(principal));
  const size_t start = hash & (kTableSize - 1);
  size_t free = kTableSize;  // the first empty cell of the neighbourhood
  for (size_t i = 0; i < kProbes; ++i) {
    const Named* n = named_[(start + i) & (kTableSize - 1)].load(std::memory_order_acquire);
    if (n == nullptr) {
      free = (start + i) & (kTableSize - 1);
      break;
    }
    if (n->hash == hash && n->principal_size == principal.size() &&
        n->action_size == action.size() &&
        SameBytes(n->text(), principal.data(), principal.size()) &&
        SameBytes(n->text() + principal.size(), action.data(), action.size())) {
      return n->resolved;
    }
  }

  // First sight of the pair (or a full neighbourhood): the lookups themselves.
  lower.assign(action);
  for (char& c : lower) c = AsciiLower(c);
  Resolved r;
  if (const uint32_t id = world_.principal_ids.Find(principal); id != NameIndex::kNotFound) {
    r.principal = id;
  }
  if (const uint32_t id = world_.action_ids.Find(lower); id != NameIndex::kNotFound) {
    r.action = id;
  } else {
    r.lower_action = lower;
  }
  const Keys& keys = For(r.principal, r.action, lower);
  r.keys = keys.keys;
  r.size_mask = keys.size_mask;
  if (r.principal < 0 || r.action < 0 || free == kTableSize) return r;
  const size_t text = principal.size() + action.size();
  std::unique_ptr<Named, FreeNamed> fresh(
      static_cast<Named*>(::operator new(sizeof(Named) + text)));
  new (fresh.get())
      Named{hash, static_cast<uint32_t>(principal.size()), static_cast<uint32_t>(action.size()), r};
  char* out = reinterpret_cast<char*>(fresh.get() + 1);
  if (!principal.empty()) std::memcpy(out, principal.data(), principal.size());
  if (!action.empty()) std::memcpy(out + principal.size(), action.data(), action.size());
  // Publish into the first empty cell; if another thread took it meanwhile, skip memoizing
  // (a later request will): the answer is the same either way.
  Named* expected = nullptr;
  if (named_[free].compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) {
    fresh.release();
  }
  return r;
}

}  // namespace arbiter
