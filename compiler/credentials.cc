#include "compiler/credentials.h"

#include "core/strings.h"

namespace arbiter {

CredentialRule CredentialRuleFor(PrincipalType type, std::string_view action) {
  // Every rule is for an "sts:" or "iam:" action, so only an action whose character 3 is a
  // colon can have one (most are rejected by that byte). Its service is then the first three
  // characters: if an earlier colon ends the real service, those three hold a colon and
  // name neither sts nor iam, as the real, shorter service would not either.
  if (action.size() < 4 || action[3] != ':') return CredentialRule::kPolicies;
  const std::string_view service = action.substr(0, 3);
  const std::string_view name = action.substr(4);
  const bool sts = EqualsIgnoreCase(service, "sts");
  // Only signed callers reach these rules: an anonymous request has no credentials.
  if (type == PrincipalType::kAnonymous) return CredentialRule::kPolicies;
  if (sts && EqualsIgnoreCase(name, "GetCallerIdentity")) return CredentialRule::kAlwaysAllow;
  switch (type) {
    case PrincipalType::kUser:
    case PrincipalType::kAccount:
      if (sts && EqualsIgnoreCase(name, "GetSessionToken")) return CredentialRule::kAlwaysAllow;
      if (type == PrincipalType::kAccount && sts && EqualsIgnoreCase(name, "AssumeRole")) {
        return CredentialRule::kNeverAllow;
      }
      return CredentialRule::kPolicies;
    case PrincipalType::kAssumedRole:
      if (sts && (EqualsIgnoreCase(name, "GetFederationToken") ||
                  EqualsIgnoreCase(name, "GetSessionToken"))) {
        return CredentialRule::kNeverAllow;
      }
      return CredentialRule::kPolicies;
    case PrincipalType::kFederatedUser:
      if (sts || EqualsIgnoreCase(service, "iam")) return CredentialRule::kNeverAllow;
      return CredentialRule::kPolicies;
    default:
      return CredentialRule::kPolicies;
  }
}

}  // namespace arbiter
