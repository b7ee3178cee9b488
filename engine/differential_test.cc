// The engine must give exactly the reference evaluator's decisions, with the same
// explanations, on every bundled world: the golden-case worlds, the example world, the
// generated tiny world, their own requests, and 1,000,000 generated requests in all.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/compile.h"
#include "compiler/world.h"
#include "core/file.h"
#include "engine/engine.h"
#include "engine/testing/bundled_worlds.h"
#include "engine/testing/request_generator.h"
#include "json/json.h"
#include "reference/evaluator.h"

namespace arbiter {
namespace {

namespace fs = std::filesystem;

std::string Describe(const Request& r) {
  std::string s = "principal=" + r.principal + " action=" + r.action + " resource=" + r.resource;
  if (r.resource_account) s += " resource_account=" + *r.resource_account;
  for (const auto& [k, v] : r.context) {
    s += " " + k + "=[";
    for (const std::string& x : v.values) s += x + ",";
    s += v.multi ? "] (multi)" : "]";
  }
  return s;
}

std::string Describe(const EvalResult& r) {
  std::string s(DecisionName(r.decision));
  for (const Reason& x : r.reasons) {
    s += " " + x.policy + "#" + std::to_string(x.statement) + "/" +
         std::string(PolicyRoleName(x.role));
  }
  return s;
}

// Compares one request; returns false (after reporting) on a difference.
bool Same(const std::string& world, const CompiledWorld& compiled, const World& w, const Request& r,
          EvalScratch& scratch) {
  const EvalResult want = ReferenceEvaluate(w, r);
  const EvalResult got = Evaluate(compiled, r, scratch, /*explain=*/true);
  const EvalResult fast = Evaluate(compiled, r, scratch, /*explain=*/false);
  if (got.decision == want.decision && got.reasons == want.reasons &&
      fast.decision == want.decision && fast.reasons.empty()) {
    return true;
  }
  ADD_FAILURE() << world << ": " << Describe(r) << "\n  reference: " << Describe(want)
                << "\n  engine:    " << Describe(got) << "\n  fast:      " << Describe(fast);
  return false;
}

size_t GeneratedRequests() {
  if (const char* env = std::getenv("ARBITER_DIFF_REQUESTS"))
    return std::strtoull(env, nullptr, 10);
#ifdef ARBITER_SANITIZED
  return 100000;  // sanitizers slow everything ~10x; the plain build runs the full million
#else
  return 1000000;
#endif
}

TEST(DifferentialTest, EngineEqualsReferenceOnBundledRequests) {
  for (const NamedWorld& nw : BundledWorlds()) {
    const CompiledWorld compiled = Compile(nw.world);
    EvalScratch scratch;
    int failures = 0;
    for (const Request& r : nw.requests) {
      if (!Same(nw.name, compiled, nw.world, r, scratch) && ++failures > 5) break;
    }
  }
}

// Regression (condition_fuzzer, out-of-memory): "${name," without a quoted default never
// advanced the variable scanner. Policies built by hand skip the parser's bad-variable
// check; their malformed variables are plain text, for both evaluators alike.
TEST(DifferentialTest, MalformedVariablesAreText) {
  World world;
  Policy policy;
  policy.version = PolicyVersion::k2012_10_17;
  Statement st;
  st.actions = {"s3:*"};
  st.has_resource = true;
  st.resources = {"arn:aws:s3:::b/${aws:username, 'x'", "arn:aws:s3:::c/${aws:username"};
  Condition c;
  c.op = *ParseConditionOperator("StringLike");
  c.key = "s3:prefix";
  c.values = {"${aws:us,rname}*", "${}", "${aws:username, x}", "home/${aws:username}/*"};
  st.conditions.push_back(c);
  policy.statements.push_back(st);
  world.policies.emplace("P", policy);
  PrincipalEntry p = DerivePrincipal("arn:aws:iam::111122223333:user/alice");
  p.identity_policies = {"P"};
  world.principal_by_arn.emplace(p.arn, 0);
  world.principals.push_back(p);
  const CompiledWorld compiled = Compile(world);
  EvalScratch scratch;
  for (const char* resource : {"arn:aws:s3:::b/${aws:username, 'x'", "arn:aws:s3:::c/x"}) {
    for (const char* prefix : {"${aws:us,rname}abc", "home/alice/x", "${}"}) {
      Request r;
      r.principal = p.arn;
      r.action = "s3:ListBucket";
      r.resource = resource;
      r.context["s3:prefix"] = ContextValue{{prefix}, false};
      Same("malformed-variables", compiled, world, r, scratch);
    }
  }
  Request r;
  r.principal = p.arn;
  r.action = "s3:ListBucket";
  r.resource = "arn:aws:s3:::b/${aws:username, 'x'";
  r.context["s3:prefix"] = ContextValue{{"${aws:us,rname}abc"}, false};
  EXPECT_EQ(ReferenceEvaluate(world, r).decision, Decision::kAllow);
}

// Regression (review): a world principal whose ARN is an account's root (or a bare id)
// but whose type says otherwise; NotPrincipal entries are compared as written.
TEST(DifferentialTest, NotPrincipalComparesEntriesAsWritten) {
  std::vector<Finding> findings;
  std::optional<World> world = LoadWorld(R"({
    "policies": {
      "Allow": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
      "Bucket": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
        "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root", "111122223333"]},
        "Action": "s3:*", "Resource": "*"}]}},
    "principals": [
      {"arn": "arn:aws:iam::111122223333:root", "type": "User", "identity_policies": ["Allow"]},
      {"arn": "111122223333", "type": "AssumedRole", "identity_policies": ["Allow"]},
      {"arn": "arn:aws:iam::444455556666:root", "type": "FederatedUser"}],
    "resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333", "policy": "Bucket"}]
  })",
                                         &findings);
  ASSERT_TRUE(world.has_value());
  const CompiledWorld compiled = Compile(*world);
  EvalScratch scratch;
  for (const char* principal :
       {"arn:aws:iam::111122223333:root", "111122223333", "arn:aws:iam::444455556666:root"}) {
    Request r;
    r.principal = principal;
    r.action = "s3:GetObject";
    r.resource = "arn:aws:s3:::b/k";
    Same("notprincipal-as-written", compiled, *world, r, scratch);
  }
}

// A request's resource policy is its longest world resource that is the whole ARN or a
// prefix ending before '/' or ':'; the engine finds candidate lengths in a bitset of 64-bit
// words, so lengths either side of each word boundary are checked here.
TEST(DifferentialTest, LongestResourcePrefixAcrossLengthWords) {
  std::string full = "arn:aws:s3:::bkt" + std::string(134, 'a');  // 150 bytes
  const std::vector<size_t> cuts = {62, 63, 64, 65, 127, 128, 129};
  for (size_t c : cuts) full[c] = '/';
  std::string world = R"({"policies": {)";
  std::string resources;
  std::vector<size_t> lengths = cuts;
  lengths.push_back(full.size());
  for (size_t len : lengths) {
    const std::string name = "P" + std::to_string(len);
    world += "\"" + name + R"(": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]},)";
    resources += R"({"arn": ")" + full.substr(0, len) + R"(", "policy": ")" + name + "\"},";
  }
  // Lengths some resource has, at which these requests have no delimiter: never a match.
  resources += R"({"arn": "arn:aws:s3:::other)" + std::string(100, 'b') + R"(", "policy": "P150"})";
  world.pop_back();
  world += R"(}, "principals": [{"arn": "arn:aws:iam::111122223333:user/u"}], "resources": [)" +
           resources + "]}";
  std::vector<Finding> findings;
  const std::optional<World> w = LoadWorld(world, &findings);
  ASSERT_TRUE(w.has_value()) << (findings.empty() ? "" : findings[0].message);
  const CompiledWorld compiled = Compile(*w);
  EvalScratch scratch;
  auto deciding = [&](const std::string& resource) {
    Request r;
    r.principal = "arn:aws:iam::111122223333:user/u";
    r.action = "s3:GetObject";
    r.resource = resource;
    Same("longest-resource-prefix", compiled, *w, r, scratch);
    const EvalResult e = Evaluate(compiled, r, scratch, /*explain=*/true);
    return e.reasons.empty() ? std::string("none") : e.reasons[0].policy;
  };
  for (size_t len = 13; len <= full.size(); ++len) {
    std::string want = "none";
    for (size_t l : lengths) {
      if (l <= len && (l == len || full[l] == '/')) want = "P" + std::to_string(l);
    }
    EXPECT_EQ(deciding(full.substr(0, len)), want) << len;
    EXPECT_EQ(deciding(full.substr(0, len) + ":x"), want) << len;
  }
}

// Regression (plan refs): the merged plans decide unconditional refs without reading the
// statement, put Denies first and drop covered Allows. An unconditional NotAction Deny does
// not decide alone (it skips the actions it lists), a NotResource "*" never applies, and an
// Allow covered in one slot still counts in another.
TEST(DifferentialTest, PlanShortcutsKeepEveryRule) {
  std::vector<Finding> findings;
  std::optional<World> world = LoadWorld(R"({
    "policies": {
      "Id": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "NotAction": ["s3:GetObject", "s3:List*", "iam:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
         "Condition": {"StringEquals": {"aws:username": "bob"}}},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"},
        {"Effect": "Allow", "Action": "iam:*", "NotResource": "*"},
        {"Effect": "Allow", "NotAction": "ec2:*", "Resource": "*"}]},
      "Id2": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "*",
         "Condition": {"StringEquals": {"s3:prefix": "secret"}}}]},
      "Boundary": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "iam:List*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::nothing"}]},
      "Scp1": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
      "Scp2": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": "s3:ListBucket", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}]}},
    "principals": [
      {"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["Id", "Id2"],
       "permissions_boundary": "Boundary"}],
    "organization": {"id": "o-1", "accounts": {"111122223333": {"scps": [["Scp1"], ["Scp2"]]}}}
  })",
                                         &findings);
  ASSERT_TRUE(world.has_value()) << (findings.empty() ? "" : findings[0].message);
  std::vector<Request> requests;
  for (const char* action : {"s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:ListUsers",
                             "iam:ListRoles", "ec2:RunInstances", "s3:listbucket"}) {
    for (const char* secure : {"", "true", "false"}) {
      for (const char* prefix : {"", "secret"}) {
        Request r;
        r.principal = "arn:aws:iam::111122223333:user/alice";
        r.action = action;
        r.resource = "arn:aws:s3:::b";
        if (*secure) r.context["aws:securetransport"] = ContextValue{{secure}, false};
        if (*prefix) r.context["s3:prefix"] = ContextValue{{prefix}, false};
        requests.push_back(r);
      }
    }
  }
  const CompiledWorld compiled = Compile(*world, InternActions(requests));
  ASSERT_NE(compiled.principals[0].plan, nullptr);
  EvalScratch scratch;
  size_t allows = 0;
  for (const Request& r : requests) {
    Same("plan-shortcuts", compiled, *world, r, scratch);
    allows += ReferenceEvaluate(*world, r).decision == Decision::kAllow;
  }
  EXPECT_GT(allows, 0u);
  EXPECT_LT(allows, requests.size());
}

// Regression (shared plans): principals whose policies are the same set (permuted, listed
// twice) share a plan, and so do accounts whose SCP levels hold the same (policy, level)
// pairs, [["A"]] and [["A"], []] among them; what the plan does not hold (a boundary, a
// session policy, how many SCP levels must allow) still decides per principal and account.
// Also evaluated after the compiled world was moved and its first home destroyed.
TEST(DifferentialTest, SharedPlansDecideAsTheirOwnersPolicies) {
  std::vector<Finding> findings;
  std::optional<World> world = LoadWorld(R"({
    "policies": {
      "A": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "sqs:SendMessage"], "Resource": "*"}]},
      "B": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]},
      "G": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "sqs:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}},
    "principals": [
      {"arn": "arn:aws:iam::111111111111:user/ab", "identity_policies": ["A", "B"]},
      {"arn": "arn:aws:iam::111111111111:user/ba", "identity_policies": ["B", "A", "B"]},
      {"arn": "arn:aws:iam::222222222222:user/ab", "identity_policies": ["A", "B"]},
      {"arn": "arn:aws:iam::333333333333:user/ab", "identity_policies": ["B", "A"]},
      {"arn": "arn:aws:iam::111111111111:user/bounded", "identity_policies": ["A", "B"],
       "permissions_boundary": "G"},
      {"arn": "arn:aws:sts::111111111111:assumed-role/R/s", "identity_policies": ["A", "B"],
       "session_policies": ["G"]},
      {"arn": "arn:aws:iam::444444444444:user/ab", "identity_policies": ["A", "B"]}],
    "organization": {"id": "o-a1b2c3d4e5", "accounts": {
      "111111111111": {"scps": [["A"]]},
      "222222222222": {"scps": [["A"], []]},
      "333333333333": {"scps": [["G"], ["A"]]},
      "444444444444": {"scps": [["A"]]}}}})",
                                         &findings);
  ASSERT_TRUE(world.has_value()) << (findings.empty() ? "" : findings[0].message);
  std::vector<Request> requests;
  for (const PrincipalEntry& p : world->principals) {
    for (const char* action : {"s3:GetObject", "s3:DeleteBucket", "sqs:SendMessage", "ec2:Run"}) {
      for (const char* mfa : {"true", "false"}) {
        Request r;
        r.principal = p.arn;
        r.action = action;
        r.resource = "*";
        r.context["aws:multifactorauthpresent"] = ContextValue{{mfa}, false};
        requests.push_back(r);
      }
    }
  }
  std::optional<CompiledWorld> first(Compile(*world, InternActions(requests)));
  const CompiledWorld compiled = *std::move(first);
  first.reset();
  const std::vector<CompiledPrincipal>& p = compiled.principals;
  EXPECT_EQ(p[0].plan, p[1].plan);
  EXPECT_EQ(p[0].plan, p[2].plan);
  EXPECT_NE(p[0].plan, p[4].plan);
  EXPECT_NE(p[0].plan, p[5].plan);
  EXPECT_EQ(compiled.FindAccount("111111111111")->scp_plan,
            compiled.FindAccount("222222222222")->scp_plan);
  EvalScratch scratch;
  std::vector<Decision> by_principal[7];
  for (size_t i = 0; i < requests.size(); ++i) {
    Same("shared-plans", compiled, *world, requests[i], scratch);
    by_principal[i / 8].push_back(Evaluate(compiled, requests[i], scratch).decision);
  }
  // The same plan, decided otherwise: an empty SCP level allows nothing.
  EXPECT_NE(by_principal[0], by_principal[2]);
  EXPECT_EQ(by_principal[0], by_principal[6]);
}

TEST(DifferentialTest, EngineEqualsReferenceOnGeneratedRequests) {
  const std::vector<NamedWorld> worlds = BundledWorlds();
  ASSERT_FALSE(worlds.empty());
  const size_t total = GeneratedRequests();
  const size_t per_world = total / worlds.size() + 1;
  size_t checked = 0;
  for (size_t i = 0; i < worlds.size(); ++i) {
    const NamedWorld& nw = worlds[i];
    RequestGenerator gen(nw.world, /*seed=*/1000 + i);
    // Half the worlds intern the generated actions (fast path); half do not (slow path).
    CompileOptions options;
    if (i % 2 == 0) options.extra_actions = gen.actions();
    const CompiledWorld compiled = Compile(nw.world, options);
    EvalScratch scratch;
    int failures = 0;
    for (size_t n = 0; n < per_world; ++n, ++checked) {
      if (!Same(nw.name, compiled, nw.world, gen.Next(), scratch) && ++failures > 5) break;
    }
  }
  EXPECT_GE(checked, total);
}

}  // namespace
}  // namespace arbiter
