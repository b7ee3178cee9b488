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
// Principals the world does not list, and actions it does not intern, get the union over
// every policy: more keys than needed, never fewer.
//
// Thread-safety: For() is lock-free; the first call for a pair computes its keys (a
// scan of the principal's policies) and publishes them with one compare-and-swap.
// Lifetime: tied to the CompiledWorld it was built for (one per snapshot).
#ifndef ARBITER_ENGINE_RELEVANCE_H_
#define ARBITER_ENGINE_RELEVANCE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "compiler/compiled_world.h"

namespace arbiter {

class KeyRelevance {
 public:
  explicit KeyRelevance(const CompiledWorld& world);
  ~KeyRelevance();
  KeyRelevance(const KeyRelevance&) = delete;
  KeyRelevance& operator=(const KeyRelevance&) = delete;

  // Sorted, lower-cased key names. `principal` is an index into world.principals or -1;
  // `action` an interned action id or -1 (then `lower_action` is used).
  const std::vector<std::string>& For(int64_t principal, int64_t action,
                                      std::string_view lower_action) const;

 private:
  struct Entry {
    uint64_t pair;
    std::vector<std::string> keys;
  };
  std::vector<std::string> Compute(int64_t principal, std::string_view lower_action) const;
  const CompiledWorld& world_;
  std::vector<uint32_t> global_policies_;  // resource policies and RCPs
  std::vector<std::string> all_keys_;      // every key any statement reads
  static constexpr size_t kTableSize = 1u << 16;
  static constexpr size_t kProbes = 16;
  std::unique_ptr<std::atomic<Entry*>[]> table_;
};

}  // namespace arbiter

#endif  // ARBITER_ENGINE_RELEVANCE_H_
