#include "compiler/decision.h"

namespace arbiter {

std::string_view DecisionName(Decision d) {
  switch (d) {
    case Decision::kAllow:
      return "Allow";
    case Decision::kExplicitDeny:
      return "ExplicitDeny";
    case Decision::kImplicitDeny:
      return "ImplicitDeny";
  }
  return "";
}

std::string_view PolicyRoleName(PolicyRole role) {
  switch (role) {
    case PolicyRole::kIdentity:
      return "identity";
    case PolicyRole::kResource:
      return "resource";
    case PolicyRole::kBoundary:
      return "boundary";
    case PolicyRole::kSession:
      return "session";
    case PolicyRole::kScp:
      return "scp";
    case PolicyRole::kRcp:
      return "rcp";
  }
  return "";
}

}  // namespace arbiter
