// What a caller's kind of credentials allows whatever its policies say. AWS documents these
// per STS operation, not in the policy language, so no policy can lift or impose them:
//  - sts:GetCallerIdentity needs no permission and cannot be denied
//    (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html);
//  - sts:GetSessionToken needs no permission for IAM users and the root user ("No
//    permissions are required for a user to get a session token ... You cannot use policies
//    to control authentication operations",
//    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html);
//  - the credentials STS returns are limited
//    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html):
//    role sessions "Cannot call GetFederationToken or GetSessionToken"; federated users
//    (GetFederationToken) "Cannot call IAM operations using the AWS CLI or AWS API" and
//    "Cannot call AWS STS operations except GetCallerIdentity"; and AssumeRole is called by
//    an "IAM user or IAM role with existing temporary security credentials", never the root
//    user.
// Thread-safe, allocation-free, O(|action|).
#ifndef ARBITER_COMPILER_CREDENTIALS_H_
#define ARBITER_COMPILER_CREDENTIALS_H_

#include <cstdint>
#include <string_view>

#include "compiler/decision.h"
#include "compiler/world.h"

namespace arbiter {

enum class CredentialRule : uint8_t {
  kPolicies,     // the policies decide
  kAlwaysAllow,  // Allow without evaluating any policy
  kNeverAllow,   // the policies decide, but an Allow becomes ImplicitDeny
};

// `action` as the request names it (any case).
CredentialRule CredentialRuleFor(PrincipalType type, std::string_view action);

// The decision for a caller of `type` asking for `action`: Allow (no reasons) when the rule
// says so, else `evaluate()` (the policies' decision), with an Allow turned into an
// ImplicitDeny (reasons dropped) where the credentials cannot call the action. Explicit
// denies stay explicit. The engine and the reference evaluator both decide through this.
template <typename Evaluate>
EvalResult WithCredentialLimits(PrincipalType type, std::string_view action, Evaluate&& evaluate) {
  const CredentialRule rule = CredentialRuleFor(type, action);
  if (rule == CredentialRule::kAlwaysAllow) {
    EvalResult allowed;
    allowed.decision = Decision::kAllow;
    return allowed;
  }
  EvalResult result = evaluate();
  if (rule == CredentialRule::kNeverAllow && result.decision == Decision::kAllow) {
    result.decision = Decision::kImplicitDeny;
    result.reasons.clear();
  }
  return result;
}

}  // namespace arbiter

#endif  // ARBITER_COMPILER_CREDENTIALS_H_
