// Which context keys can change a decision, per (principal, action): the keys that the
// conditions and policy variables of every statement that could apply read. Two requests
// for the same principal, action, resource and resource account that agree on these keys
// (present or absent, same values) get the same decision from the same world, so the
// decision cache keys on exactly them.
//
// "Could apply": the statements Evaluate examines for the action (engine.h
// ForEachCandidateStatement) in the principal's identity policies, permissions boundary,
// session policies and its account's SCPs, and in every resource policy and RCP of the
// world (which ones apply depends on the resource, which is part of the key anyway).
// A principal the world does not list has no identity, boundary or session policies (SPEC
// section 3), so its keys are, per action, those of every resource policy, RCP and SCP of
// the world (whichever account it is in). Actions the world does not intern get the union
// over every policy. More keys than needed, never fewer.
//
// Resolve() is the decision cache's first step for every request. It memoizes, per
// (principal, action) exactly as the request writes them, the principal's index, the
// action's id and where its relevant keys are, so that a repeated pair costs one
// hash of the two strings, one probe and one comparison instead of two name lookups and a
// pair lookup. Only pairs the world knows are memoized (at most principals x actions of the
// world, and no more than the table holds): unknown ones are resolved each time.
//
// Thread-safety: Resolve() is lock-free; the first call for a pair computes its keys (a
// scan of the principal's policies) and publishes them with one compare-and-swap.
// Lifetime: tied to the CompiledWorld it was built for (one per snapshot).
#ifndef ARBITER_ENGINE_RELEVANCE_H_
#define ARBITER_ENGINE_RELEVANCE_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/compiled_world.h"

namespace arbiter {

class KeyRelevance {
 public:
  explicit KeyRelevance(const CompiledWorld& world);
  ~KeyRelevance();
  KeyRelevance(const KeyRelevance&) = delete;
  KeyRelevance& operator=(const KeyRelevance&) = delete;

  struct Resolved {
    int64_t principal = -1;  // index into world.principals, or -1
    int64_t action = -1;     // interned action id, or -1
    // When action is -1: the request's action lower-cased (it lives in the `lower` that
    // Resolve was given).
    std::string_view lower_action;
    // The relevant keys, lower-cased, sorted; they live as long as this KeyRelevance.
    std::span<const std::string_view> keys;
    // Bit min(|key|, 63) for each key: a context entry whose bit is clear is irrelevant
    // without comparing text.
    uint64_t size_mask = 0;
    bool MayBeRelevant(std::string_view key) const {
      return size_mask >> std::min<size_t>(key.size(), 63) & 1;
    }
  };
  // The principal and action as the request writes them (the action in any case). `lower`
  // is scratch for lower-casing the action on the first sight of a pair. No allocation
  // once the pair is memoized.
  Resolved Resolve(std::string_view principal, std::string_view action, std::string& lower) const;

 private:
  // The relevant keys of a (principal index, action id) pair, shared by every spelling of
  // the action.
  struct Keys {
    std::vector<std::string_view> keys;
    uint64_t size_mask = 0;
  };
  struct Entry {
    uint64_t pair;
    Keys keys;
  };
  // A memoized (principal, action) as a request wrote them, allocated with its text
  // (principal then action) right after it.
  struct Named {
    uint64_t hash;
    uint32_t principal_size, action_size;
    Resolved resolved;
    const char* text() const { return reinterpret_cast<const char*>(this + 1); }
  };
  struct FreeNamed {
    void operator()(Named* n) const { ::operator delete(n); }
  };
  const Keys& For(int64_t principal, int64_t action, std::string_view lower_action) const;
  Keys Compute(int64_t principal, std::string_view lower_action) const;  // -1: unlisted
  Keys Compute(const std::vector<uint32_t>& policies, std::string_view lower_action) const;

  const CompiledWorld& world_;
  std::vector<uint32_t> global_policies_;    // resource policies and RCPs
  std::vector<uint32_t> unlisted_policies_;  // those and every SCP
  std::vector<std::string> all_keys_;        // every key any statement reads, sorted
  Keys all_;                                 // all_keys_ as Keys
  static constexpr size_t kTableSize = 1u << 16;
  static constexpr size_t kProbes = 16;
  std::unique_ptr<std::atomic<Entry*>[]> table_;
  std::unique_ptr<std::atomic<Named*>[]> named_;  // kTableSize cells, like table_
};

}  // namespace arbiter

#endif  // ARBITER_ENGINE_RELEVANCE_H_
