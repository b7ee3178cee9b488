// The fast evaluation engine: decides requests against a CompiledWorld with exactly the
// reference evaluator's semantics (reference/evaluator.h is its oracle; the differential
// tests in engine/ hold them equal).
//
// Hot path contract: Evaluate allocates nothing, takes no lock and throws nothing, once
// its EvalScratch is warm, unless `explain` is set (the reasons are allocated) or a
// pattern rebuilt from policy variables has more than 63 symbols.
//
// Cost per request: one hash probe each for the principal, the action and the resource
// (plus one per '/' or ':' of the resource ARN for the longest-prefix search), then one
// binary search per policy that the principal, its account and the resource carry, and
// only the statements that name the action are examined.
#ifndef ARBITER_ENGINE_ENGINE_H_
#define ARBITER_ENGINE_ENGINE_H_

#include <string>
#include <vector>

#include "compiler/compiled_world.h"
#include "compiler/decision.h"
#include "compiler/world.h"

namespace arbiter {

// Buffers reused across evaluations. Not thread-safe: give each thread its own.
class EvalScratch {
 public:
  EvalScratch();

 private:
  friend struct EngineAccess;
  std::string action_;                // the lower-cased request action
  std::string principal_arn_;         // derived for principals the world does not list
  std::vector<std::string> text_;     // substituted operands / patterns
  std::vector<std::string> literal_;  // their literal masks
};

// Thread-safe for concurrent calls on one world, each with its own scratch.
EvalResult Evaluate(const CompiledWorld& world, const Request& request, EvalScratch& scratch,
                    bool explain = false);

}  // namespace arbiter

#endif  // ARBITER_ENGINE_ENGINE_H_
