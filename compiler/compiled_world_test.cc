#include "compiler/compiled_world.h"

#include <bit>
#include <random>
#include <set>

#include "compiler/compile.h"
#include "compiler/credentials.h"
#include "compiler/world.h"
#include "core/file.h"
#include "core/strings.h"
#include "gtest/gtest.h"

namespace arbiter {
namespace {

ActionPlan PlanOf(const std::set<uint32_t>& actions) {
  ActionPlan plan;
  for (uint32_t a : actions) plan.AddAction(a);
  plan.RankActions();
  return plan;
}

TEST(ActionPlanTest, FindRanksEveryActionAndRejectsOthers) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::set<uint32_t> actions;
    const uint32_t lo = rng() % 1000, span = 1 + rng() % 3000;
    const int n = 1 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) actions.insert(lo + rng() % span);
    const ActionPlan plan = PlanOf(actions);
    uint32_t rank = 0;
    for (uint32_t a = 0; a < lo + span + 300; ++a) {
      if (actions.count(a)) {
        ASSERT_EQ(plan.Find(a), rank++) << a;
      } else {
        ASSERT_EQ(plan.Find(a), ActionPlan::kAbsent) << a;
      }
    }
  }
  EXPECT_EQ(ActionPlan{}.Find(0), ActionPlan::kAbsent);
  EXPECT_EQ(PlanOf({UINT32_MAX - 1}).Find(UINT32_MAX - 1), 0u);
  EXPECT_EQ(PlanOf({UINT32_MAX - 1}).Find(UINT32_MAX), ActionPlan::kAbsent);
}

TEST(ActionPlanTest, PopCountCountsEveryBit) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    const uint64_t x = rng() & rng();
    ASSERT_EQ(PopCount64(x), static_cast<uint32_t>(std::popcount(x))) << x;
  }
  EXPECT_EQ(PopCount64(0), 0u);
  EXPECT_EQ(PopCount64(~uint64_t{0}), 64u);
}

// A plan stores each distinct list of statements once: the actions one pattern matches share
// it, and an action that more statements match gets its own, Denies first.
TEST(ActionPlanTest, ActionsWithTheSameStatementsShareAGroup) {
  std::vector<Finding> findings;
  const std::optional<World> world = LoadWorld(R"({
    "policies": {"P": {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*",
       "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
      {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}},
      {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]}},
    "principals": [{"arn": "arn:aws:iam::111122223333:user/u", "identity_policies": ["P"]}]})",
                                               &findings);
  ASSERT_TRUE(world.has_value());
  CompileOptions options;
  options.extra_actions = {"s3:GetBucketAcl", "s3:GetObjectAcl", "s3:ListBucket"};
  const CompiledWorld w = Compile(*world, options);
  ASSERT_EQ(w.principals.size(), 1u);
  ASSERT_NE(w.principals[0].plan, nullptr);
  const ActionPlan& plan = *w.principals[0].plan;
  auto group = [&](std::string_view action) -> std::vector<uint32_t> {
    const uint32_t id = w.action_ids.Find(action);
    EXPECT_NE(id, NameIndex::kNotFound) << action;
    const uint32_t ranked = plan.Find(id);
    if (ranked == ActionPlan::kAbsent) return {};
    const auto [first, last] = plan.Group(ranked);
    std::vector<uint32_t> statements;
    for (const uint32_t* r = first; r != last; ++r) statements.push_back(ActionPlan::Statement(*r));
    return statements;
  };
  EXPECT_EQ(group("s3:getbucketacl"), std::vector<uint32_t>{0});
  EXPECT_EQ(group("s3:getobjectacl"), std::vector<uint32_t>{0});
  EXPECT_EQ(plan.groups[plan.Find(w.action_ids.Find("s3:getbucketacl"))],
            plan.groups[plan.Find(w.action_ids.Find("s3:getobjectacl"))]);
  EXPECT_EQ(group("s3:getobject"), (std::vector<uint32_t>{1, 0}));
  EXPECT_EQ(group("s3:putobject"), std::vector<uint32_t>{2});
  EXPECT_TRUE(group("s3:listbucket").empty());
  EXPECT_EQ(plan.group_starts.size(), 4u);  // three groups
}

// Principals with the same identity, boundary and session policies (in any order, or listed
// twice) share one plan, as accounts with the same SCP levels do.
TEST(ActionPlanTest, PrincipalsAndAccountsWithTheSamePoliciesShareAPlan) {
  auto world_with = [](int sessions) {
    std::string principals;
    for (int i = 0; i < sessions; ++i) {
      principals += StrCat(R"({"arn": "arn:aws:sts::111122223333:assumed-role/R/s)", i,
                           R"(", "identity_policies": [")", i % 2 ? "A\", \"B" : "B\", \"A\", \"B",
                           R"("], "permissions_boundary": "A"},)");
    }
    std::vector<Finding> findings;
    std::optional<World> w = LoadWorld(StrCat(R"({
      "policies": {
        "A": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Action": ["s3:*", "sqs:SendMessage"], "Resource": "*"}]},
        "B": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]},
        "G": {"Version": "2012-10-17", "Statement": [
          {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}},
      "principals": [)",
                                              principals, R"(
        {"arn": "arn:aws:iam::111122223333:user/u", "identity_policies": ["A"],
         "permissions_boundary": "A"},
        {"arn": "arn:aws:iam::111122223333:user/v", "identity_policies": ["A", "B"],
         "session_policies": ["B"]}],
      "organization": {"id": "o-a1b2c3d4e5", "accounts": {
        "111122223333": {"scps": [["A"], ["G"]]},
        "444455556666": {"scps": [["A"], ["G"]]},
        "777788889999": {"scps": [["G"], ["A"]]}}}})"),
                                       &findings);
    EXPECT_TRUE(w.has_value()) << (findings.empty() ? "" : findings[0].message);
    return Compile(*w);
  };
  const CompiledWorld w = world_with(4);
  ASSERT_EQ(w.principals.size(), 6u);
  const ActionPlan* role = w.principals[0].plan;
  ASSERT_NE(role, nullptr);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(w.principals[i].plan, role) << i;
  EXPECT_NE(w.principals[4].plan, role);  // A without B
  EXPECT_NE(w.principals[5].plan, role);  // B as a session policy, no boundary
  EXPECT_NE(w.principals[5].plan, w.principals[4].plan);
  const CompiledAccount* a = w.FindAccount("111122223333");
  const CompiledAccount* b = w.FindAccount("444455556666");
  const CompiledAccount* c = w.FindAccount("777788889999");
  ASSERT_TRUE(a && b && c && a->scp_plan && c->scp_plan);
  EXPECT_EQ(a->scp_plan, b->scp_plan);
  EXPECT_NE(a->scp_plan, c->scp_plan);  // the same policies at other levels
  EXPECT_EQ(w.plans.size(), 5u);
  for (const CompiledPrincipal& p : w.principals) {
    EXPECT_TRUE(p.plan >= w.plans.data() && p.plan < w.plans.data() + w.plans.size());
  }
  // 996 more sessions of the role add their entries, not 996 plans.
  EXPECT_EQ(world_with(1000).plans.size(), 5u);
}

// The NotAction prefilter agrees with the index it summarizes, for every action id, in every
// policy of all AWS managed policies (NotAction lists of every size and id range). Run from
// the repository root, as ctest does.
TEST(CompiledPolicyTest, MayBeListedIsExactlyTheListedActions) {
  std::vector<Finding> findings;
  const std::optional<World> world =
      LoadWorld("{\"policies\": " + Slurp("corpus/managed-policies.json") + "}", &findings);
  ASSERT_TRUE(world.has_value());
  const CompiledWorld w = Compile(*world);
  size_t with_lists = 0;
  for (const CompiledPolicy& p : w.policies) {
    std::set<uint32_t> listed;
    for (uint64_t e : p.listed_index) listed.insert(static_cast<uint32_t>(e >> 32));
    with_lists += !listed.empty();
    for (uint32_t id = 0; id < w.action_ids.size() + 64; ++id) {
      ASSERT_EQ(p.MayBeListed(id), listed.count(id) == 1) << p.name << " action " << id;
    }
  }
  EXPECT_GT(with_lists, 5u);
}

// The credential rules as compiler/credentials.h states them, written the plain way: split
// at the first colon, then compare service and name.
CredentialRule NaiveCredentialRule(PrincipalType type, std::string_view action) {
  const size_t colon = action.find(':');
  if (colon == std::string_view::npos || type == PrincipalType::kAnonymous) {
    return CredentialRule::kPolicies;
  }
  const std::string_view service = action.substr(0, colon), name = action.substr(colon + 1);
  const bool sts = EqualsIgnoreCase(service, "sts"), iam = EqualsIgnoreCase(service, "iam");
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
      return sts && (EqualsIgnoreCase(name, "GetFederationToken") ||
                     EqualsIgnoreCase(name, "GetSessionToken"))
                 ? CredentialRule::kNeverAllow
                 : CredentialRule::kPolicies;
    case PrincipalType::kFederatedUser:
      return sts || iam ? CredentialRule::kNeverAllow : CredentialRule::kPolicies;
    default:
      return CredentialRule::kPolicies;
  }
}

// Every principal type against actions whose service is sts or iam in any case, a service
// of another length, and colons before, at and after the fourth character.
TEST(CredentialsTest, RuleAgreesWithTheRulesAsWritten) {
  std::vector<std::string> actions;
  for (const char* service : {"sts", "STS", "iam", "Iam", "st", "s", "", "stss", "ec2", "s3", "a:b",
                              "s:t", ":st", "st:", "iam:x", "sts:"}) {
    for (const char* name :
         {"GetCallerIdentity", "getsessiontoken", "GetSessionToken", "AssumeRole",
          "GetFederationToken", "ListUsers", "", ":x", "GetSessionToken:"}) {
      actions.push_back(std::string(service) + ":" + name);
    }
    actions.push_back(service);
  }
  for (PrincipalType type :
       {PrincipalType::kUser, PrincipalType::kAccount, PrincipalType::kAssumedRole,
        PrincipalType::kFederatedUser, PrincipalType::kAWSService, PrincipalType::kAnonymous}) {
    for (const std::string& a : actions) {
      EXPECT_EQ(CredentialRuleFor(type, a), NaiveCredentialRule(type, a))
          << a << " type " << static_cast<int>(type);
    }
  }
}

}  // namespace
}  // namespace arbiter
