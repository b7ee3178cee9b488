#include "engine/relevance.h"

#include <algorithm>

#include "absl/hash/hash.h"
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

void SortUnique(std::vector<std::string>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

KeyRelevance::KeyRelevance(const CompiledWorld& world)
    : world_(world), table_(std::make_unique<std::atomic<Entry*>[]>(kTableSize)) {
  for (size_t i = 0; i < kTableSize; ++i) table_[i].store(nullptr, std::memory_order_relaxed);
  for (const CompiledResource& r : world.resources) {
    if (r.policy) global_policies_.push_back(*r.policy);
  }
  for (const CompiledAccount& account : world.accounts) {
    for (const auto& level : account.rcps) {
      global_policies_.insert(global_policies_.end(), level.begin(), level.end());
    }
  }
  std::sort(global_policies_.begin(), global_policies_.end());
  global_policies_.erase(std::unique(global_policies_.begin(), global_policies_.end()),
                         global_policies_.end());
  for (const CompiledStatement& st : world.statements) AddStatementKeys(st, &all_keys_);
  SortUnique(&all_keys_);
}

KeyRelevance::~KeyRelevance() {
  for (size_t i = 0; i < kTableSize; ++i) delete table_[i].load(std::memory_order_relaxed);
}

std::vector<std::string> KeyRelevance::Compute(int64_t principal,
                                               std::string_view lower_action) const {
  std::vector<uint32_t> policies = global_policies_;
  const CompiledPrincipal& p = world_.principals[static_cast<size_t>(principal)];
  policies.insert(policies.end(), p.identity.begin(), p.identity.end());
  if (p.boundary) policies.push_back(*p.boundary);
  policies.insert(policies.end(), p.session.begin(), p.session.end());
  if (p.account != nullptr) {
    for (const auto& level : p.account->scps) {
      policies.insert(policies.end(), level.begin(), level.end());
    }
  }
  std::sort(policies.begin(), policies.end());
  policies.erase(std::unique(policies.begin(), policies.end()), policies.end());
  std::vector<std::string> keys;
  for (uint32_t policy : policies) {
    ForEachCandidateStatement(world_, policy, lower_action, [&](uint32_t sid) {
      AddStatementKeys(world_.statements[sid], &keys);
    });
  }
  SortUnique(&keys);
  return keys;
}

const std::vector<std::string>& KeyRelevance::For(int64_t principal, int64_t action,
                                                  std::string_view lower_action) const {
  if (principal < 0 || action < 0) return all_keys_;
  const uint64_t pair = (static_cast<uint64_t>(principal) << 32) | static_cast<uint64_t>(action);
  const size_t start = absl::HashOf(pair) & (kTableSize - 1);
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
  return all_keys_;  // the neighbourhood is full: the conservative answer
}

}  // namespace arbiter
