// The outcome of an authorization request, shared by the reference evaluator and the
// engine (SPEC section 4).
#ifndef ARBITER_COMPILER_DECISION_H_
#define ARBITER_COMPILER_DECISION_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/policy.h"

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

  bool operator==(const Reason&) const = default;
};

struct EvalResult {
  Decision decision = Decision::kImplicitDeny;
  std::vector<Reason> reasons;
};

}  // namespace arbiter

#endif  // ARBITER_COMPILER_DECISION_H_
