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

#include "compiler/policy.h"
#include "compiler/world.h"

namespace arbiter {

enum class Decision { kAllow, kExplicitDeny, kImplicitDeny };
std::string_view DecisionName(Decision d);

// The role a policy plays in a decision ("kind" in SPEC section 4).
enum class PolicyRole { kIdentity, kResource, kBoundary, kSession, kScp, kRcp };
std::string_view PolicyRoleName(PolicyRole role);

// A statement that decided: for an explicit deny, every matching Deny; for an Allow, the
// Allow statements that each required policy type contributed.
struct Reason {
  std::string policy;
  PolicyRole role = PolicyRole::kIdentity;
  std::optional<std::string> sid;
  size_t statement = 0;
  Effect effect = Effect::kAllow;
};

struct EvalResult {
  Decision decision = Decision::kImplicitDeny;
  std::vector<Reason> reasons;
};

EvalResult ReferenceEvaluate(const World& world, const Request& request);

// Exposed for unit tests: one condition entry against a request context.
// `context` keys must be lower-case.
bool ReferenceConditionMatches(const Condition& condition, PolicyVersion version,
                               const absl::flat_hash_map<std::string, ContextValue>& context);

}  // namespace arbiter

#endif  // ARBITER_REFERENCE_EVALUATOR_H_
