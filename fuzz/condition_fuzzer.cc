// One condition entry of every operator family, engine vs reference: the first bytes pick
// the operator, its set qualifier and IfExists, and the policy version; the rest, split at
// NUL bytes, gives the policy operands, then (after an empty field) the request's values.
// Operands are not validated first, so operand text of any shape reaches both evaluators.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/compile.h"
#include "compiler/world.h"
#include "engine/engine.h"
#include "reference/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arbiter;
  if (size < 3 || size > 4096) return 0;
  Condition c;
  c.op.op = static_cast<Operator>(data[0] % (static_cast<int>(Operator::kNull) + 1));
  c.op.qualifier = static_cast<SetQualifier>(data[1] % 3);
  c.op.if_exists = (data[1] & 4) != 0 && c.op.op != Operator::kNull;
  const PolicyVersion version =
      (data[2] & 1) ? PolicyVersion::k2012_10_17 : PolicyVersion::k2008_10_17;
  const bool multi = (data[2] & 2) != 0;
  c.key = (data[2] & 4) ? "aws:PrincipalTag/team" : "x:Key";
  std::vector<std::string> fields;
  std::string_view rest(reinterpret_cast<const char*>(data + 3), size - 3);
  while (true) {
    const size_t nul = rest.find('\0');
    fields.emplace_back(rest.substr(0, nul));
    if (nul == std::string_view::npos) break;
    rest.remove_prefix(nul + 1);
  }
  ContextValue request_values;
  request_values.multi = multi;
  bool in_request = false;
  for (const std::string& f : fields) {
    if (!in_request && f.empty()) {
      in_request = true;
    } else if (in_request) {
      request_values.values.push_back(f);
    } else {
      c.values.push_back(f);
    }
  }
  if (c.values.empty()) return 0;

  World world;
  Policy policy;
  policy.version = version;
  policy.has_version = true;
  Statement st;
  st.effect = (data[2] & 8) ? Effect::kDeny : Effect::kAllow;
  st.actions = {"*"};
  st.has_resource = true;
  st.resources = {"*"};
  st.conditions.push_back(c);
  policy.statements.push_back(st);
  Statement allow;
  allow.actions = {"s3:*"};
  allow.has_resource = true;
  allow.resources = {"*"};
  policy.statements.push_back(allow);
  world.policies.emplace("P", policy);
  PrincipalEntry p = DerivePrincipal("arn:aws:iam::111122223333:user/alice");
  p.identity_policies = {"P"};
  p.tags = {{"team", "red"}};
  world.principal_by_arn.emplace(p.arn, 0);
  world.principals.push_back(p);

  Request req;
  req.principal = p.arn;
  req.action = (data[2] & 16) ? "s3:GetObject" : "ec2:RunInstances";
  req.resource = "arn:aws:s3:::bucket/key";
  if (!request_values.values.empty() || (data[2] & 32)) {
    req.context.emplace((data[2] & 4) ? "aws:principaltag/team" : "x:key", request_values);
  }
  req.context.emplace("aws:username", ContextValue{{"alice"}, false});

  const CompiledWorld compiled = Compile(world);
  EvalScratch scratch;
  const EvalResult want = ReferenceEvaluate(world, req);
  const EvalResult got = Evaluate(compiled, req, scratch, true);
  if (want.decision != got.decision || want.reasons != got.reasons) __builtin_trap();
  // Without explanations the engine takes its merged per-principal plans.
  if (Evaluate(compiled, req, scratch, false).decision != want.decision) __builtin_trap();
  return 0;
}
