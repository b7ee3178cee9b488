// Any bytes as a policy document: the parser must never crash, and a policy it accepts
// must evaluate (as identity and as resource policy) without crashing.
#include <cstdint>
#include <string_view>

#include "compiler/policy_parser.h"
#include "compiler/world.h"
#include "reference/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arbiter;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Finding> findings;
  std::optional<Policy> policy = ParsePolicyText(text, PolicyKind::kStandalone, &findings);
  if (!policy) {
    if (!HasError(findings)) __builtin_trap();  // rejected without saying why
    return 0;
  }
  World world;
  world.policies.emplace("P", *policy);
  PrincipalEntry user = DerivePrincipal("arn:aws:iam::111122223333:user/alice");
  user.identity_policies = {"P"};
  world.principal_by_arn.emplace(user.arn, 0);
  world.principals.push_back(user);
  world.resources.push_back({"arn:aws:s3:::bucket", "111122223333", "P", {{"team", "a"}}});
  for (const char* principal : {"arn:aws:iam::111122223333:user/alice", "*",
                                "arn:aws:sts::444455556666:assumed-role/R/s"}) {
    Request req;
    req.principal = principal;
    req.action = "s3:GetObject";
    req.resource = "arn:aws:s3:::bucket/key";
    req.context["aws:sourceip"] = ContextValue{{"203.0.113.7"}, false};
    req.context["aws:tagkeys"] = ContextValue{{"a", "b"}, true};
    ReferenceEvaluate(world, req);
  }
  return 0;
}
