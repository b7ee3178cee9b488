// The reference evaluator: AWS's policy evaluation logic written as plainly as possible,
// straight from the AST, with no index and no cache. It is the oracle that the compiled
// engine is checked against, decision for decision (like re2's backtracker), so clarity
// beats speed here: it allocates, and it re-reads patterns on every call.
//
// Evaluation logic:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//
// Thread-safety: Evaluate is a pure function of its arguments.
#ifndef ARBITER_REFERENCE_EVALUATOR_H_
#define ARBITER_REFERENCE_EVALUATOR_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/decision.h"
#include "compiler/policy.h"
#include "compiler/world.h"

namespace arbiter {

EvalResult ReferenceEvaluate(const World& world, const Request& request);

// Exposed for unit tests: one condition entry against a request context.
// `context` keys must be lower-case.
bool ReferenceConditionMatches(const Condition& condition, PolicyVersion version,
                               const absl::flat_hash_map<std::string, ContextValue>& context);

}  // namespace arbiter

#endif  // ARBITER_REFERENCE_EVALUATOR_H_
