#include "compiler/policy_parser.h"

#include <gtest/gtest.h>

#include "compiler/world.h"
#include "core/strings.h"
#include "json/json.h"

namespace arbiter {
namespace {

std::vector<Finding> Findings(std::string_view text, PolicyKind kind = PolicyKind::kStandalone) {
  std::vector<Finding> f;
  ParsePolicyText(text, kind, &f);
  return f;
}

bool Has(const std::vector<Finding>& fs, std::string_view code, std::string_view pointer) {
  for (const Finding& f : fs) {
    if (f.code == code && f.pointer == pointer) return true;
  }
  return false;
}

TEST(PolicyParserTest, ParsesEveryElement) {
  std::vector<Finding> findings;
  auto p = ParsePolicyText(R"({
    "Version": "2012-10-17", "Id": "doc1",
    "Statement": [{
      "Sid": "S1", "Effect": "Deny",
      "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:root"],
                    "Service": "s3.amazonaws.com"},
      "NotAction": ["s3:Get*", "s3:List*"],
      "NotResource": "arn:aws:s3:::bucket/${aws:username}/*",
      "Condition": {
        "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["team*", "cost"]},
        "NumericLessThan": {"s3:max-keys": 10},
        "Bool": {"aws:SecureTransport": false},
        "Null": {"aws:MultiFactorAuthAge": "true"}
      }
    }]})",
                           PolicyKind::kStandalone, &findings);
  ASSERT_TRUE(p.has_value()) << findings.size();
  EXPECT_EQ(p->version, PolicyVersion::k2012_10_17);
  EXPECT_EQ(p->id, "doc1");
  ASSERT_EQ(p->statements.size(), 1u);
  const Statement& s = p->statements[0];
  EXPECT_EQ(s.sid, "S1");
  EXPECT_EQ(s.effect, Effect::kDeny);
  ASSERT_TRUE(s.principal);
  EXPECT_EQ(s.principal->aws.size(), 2u);
  EXPECT_EQ(s.principal->service, std::vector<std::string>{"s3.amazonaws.com"});
  EXPECT_TRUE(s.not_action);
  EXPECT_TRUE(s.not_resource);
  ASSERT_EQ(s.conditions.size(), 4u);
  EXPECT_EQ(s.conditions[0].op.qualifier, SetQualifier::kForAnyValue);
  EXPECT_TRUE(s.conditions[0].op.if_exists);
  EXPECT_EQ(s.conditions[0].op.op, Operator::kStringLike);
  EXPECT_EQ(s.conditions[1].values, std::vector<std::string>{"10"});
  EXPECT_EQ(s.conditions[2].values, std::vector<std::string>{"false"});
}

TEST(PolicyParserTest, StatementMayBeOneObject) {
  std::vector<Finding> f;
  auto p = ParsePolicyText(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}})",
      PolicyKind::kIdentity, &f);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->statements.size(), 1u);
}

TEST(PolicyParserTest, MissingVersionIs2008AndWarns) {
  std::vector<Finding> f;
  auto p = ParsePolicyText(
      R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}]})",
      PolicyKind::kIdentity, &f);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, PolicyVersion::k2008_10_17);
  EXPECT_TRUE(Has(f, "missing-version", ""));
  EXPECT_TRUE(Has(f, "variable-in-2008", "/Statement/0/Resource"));
}

TEST(PolicyParserTest, OperatorNames) {
  EXPECT_TRUE(ParseConditionOperator("StringEquals"));
  EXPECT_TRUE(ParseConditionOperator("ForAllValues:StringNotEqualsIgnoreCaseIfExists"));
  EXPECT_TRUE(ParseConditionOperator("ForAnyValue:ArnNotLike"));
  EXPECT_TRUE(ParseConditionOperator("Null"));
  EXPECT_FALSE(ParseConditionOperator("NullIfExists"));
  EXPECT_FALSE(ParseConditionOperator("ForAnyValues:StringEquals"));
  EXPECT_FALSE(ParseConditionOperator("StringEqualsIfExistsIfExists"));
  bool canonical = true;
  ASSERT_TRUE(ParseConditionOperator("stringequals", &canonical));
  EXPECT_FALSE(canonical);
  ASSERT_TRUE(ParseConditionOperator("ForAnyValue:StringLikeIfExists", &canonical));
  EXPECT_TRUE(canonical);
  EXPECT_FALSE(ParseConditionOperator("IfExists"));
  for (int i = 0; i <= static_cast<int>(Operator::kNull); ++i) {
    ConditionOperator op{static_cast<Operator>(i), SetQualifier::kForAllValues, i != 26};
    auto back = ParseConditionOperator(FormatConditionOperator(op));
    ASSERT_TRUE(back) << FormatConditionOperator(op);
    EXPECT_EQ(back->op, op.op);
  }
}

TEST(PolicyParserTest, IdentityPoliciesRejectPrincipal) {
  auto f = Findings(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]})",
      PolicyKind::kIdentity);
  EXPECT_TRUE(Has(f, "bad-principal", "/Statement/0/Principal"));
}

TEST(PolicyParserTest, ResourcePolicyMayOmitResource) {
  auto f = Findings(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})");
  EXPECT_FALSE(HasError(f));
}

TEST(PolicyParserTest, SidRulesDependOnKind) {
  const char* doc = R"({"Version":"2012-10-17","Statement":[
    {"Sid":"a b","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]})";
  auto resource = Findings(doc, PolicyKind::kResource);
  EXPECT_FALSE(HasError(resource));
  EXPECT_TRUE(Has(resource, "bad-sid", "/Statement/0/Sid"));
}

TEST(PolicyParserTest, VariableSyntax) {
  EXPECT_EQ(CheckVariables("a/${aws:username}/b"), "");
  EXPECT_EQ(CheckVariables("${aws:PrincipalTag/team, 'none'}"), "");
  EXPECT_EQ(CheckVariables("${*}${?}${$}"), "");
  EXPECT_NE(CheckVariables("${aws:username"), "");
  EXPECT_NE(CheckVariables("${}"), "");
  EXPECT_NE(CheckVariables("${aws:x, default}"), "");
  EXPECT_NE(CheckVariables("${aws:x, 'open}"), "");
}

TEST(PolicyParserTest, TypedOperandsAreChecked) {
  auto f =
      Findings(R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
    "Condition":{"NumericLessThan":{"s3:max-keys":"ten"},
                 "DateGreaterThan":{"aws:CurrentTime":"soon"},
                 "IpAddress":{"aws:SourceIp":"10.0.0.0/40"},
                 "Bool":{"aws:SecureTransport":"maybe"},
                 "BinaryEquals":{"x:y":"not base64!"},
                 "ArnLike":{"aws:SourceArn":"not-an-arn"},
                 "StringEquals":{"aws:PrincipalTag/team":"${aws:username}"}}}]})",
               PolicyKind::kIdentity);
  const std::string base = "/Statement/0/Condition/";
  EXPECT_TRUE(Has(f, "bad-number", base + "NumericLessThan/s3:max-keys"));
  EXPECT_TRUE(Has(f, "bad-date", base + "DateGreaterThan/aws:CurrentTime"));
  EXPECT_TRUE(Has(f, "bad-cidr", base + "IpAddress/aws:SourceIp"));
  EXPECT_TRUE(Has(f, "bad-bool", base + "Bool/aws:SecureTransport"));
  EXPECT_TRUE(Has(f, "bad-binary", base + "BinaryEquals/x:y"));
  EXPECT_TRUE(Has(f, "bad-arn-operand", base + "ArnLike/aws:SourceArn"));
  EXPECT_EQ(f.size(), 6u);
}

TEST(PolicyParserTest, WebIdentityKeysAndUniqueIdsAreValid) {
  auto f = Findings(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
    "Principal":{"Federated":"cognito-identity.amazonaws.com","AWS":"AIDAJQABLZS4A3QDU576Q"},
    "Action":"sts:AssumeRoleWithWebIdentity",
    "Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:1234",
                                 "token.actions.githubusercontent.com:sub":"repo:o/r:ref:refs/heads/main",
                                 "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub":"system:serviceaccount:ns:sa",
                                 "accounts.google.com:aud":"app"},
                 "ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}]})");
  EXPECT_FALSE(HasError(f)) << (f.empty() ? "" : f[0].message);
}

TEST(PolicyParserTest, VariablesInConditionKeysWarn) {
  auto f = Findings(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",
    "Condition":{"StringEquals":{"aws:ResourceTag/${aws:username}":"owner"}}}]})",
      PolicyKind::kIdentity);
  EXPECT_FALSE(HasError(f));
  EXPECT_TRUE(Has(f, "variable-in-key",
                  "/Statement/0/Condition/StringEquals/aws:ResourceTag~1${aws:username}"));
}

TEST(PolicyParserTest, NeverCrashesOnGarbage) {
  const char* inputs[] = {"",
                          "null",
                          "[]",
                          "\"x\"",
                          "{\"Statement\": null}",
                          "{\"Statement\": [null, 1, \"a\", []]}",
                          "{\"Statement\": {\"Effect\": {}}}",
                          "{\"Version\": 1, \"Id\": [], \"Statement\": {\"Condition\": []}}"};
  for (const char* in : inputs) {
    std::vector<Finding> f;
    EXPECT_FALSE(ParsePolicyText(in, PolicyKind::kStandalone, &f)) << in;
    EXPECT_TRUE(HasError(f)) << in;
  }
}

TEST(WorldTest, LoadsSpecExample) {
  std::vector<Finding> f;
  auto w = LoadWorld(R"({
    "policies": {"P": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
                 "B": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}},
    "principals": [{"arn": "arn:aws:sts::111122223333:assumed-role/Deploy/ci-42",
                    "principal_arn": "arn:aws:iam::111122223333:role/Deploy",
                    "tags": {"team": "payments"}, "identity_policies": ["P"]}],
    "resources": [{"arn": "arn:aws:s3:::example-bucket", "account": "111122223333", "policy": "B"}],
    "organization": {"id": "o-a1b2c3d4e5", "accounts": {"111122223333": {"scps": [["FullAWSAccess"]], "rcps": [["RCPFullAWSAccess"]]}}}
  })",
                     &f);
  ASSERT_TRUE(w) << (f.empty() ? "" : f[0].message);
  const PrincipalEntry* p = w->FindPrincipal("arn:aws:sts::111122223333:assumed-role/Deploy/ci-42");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, PrincipalType::kAssumedRole);
  EXPECT_EQ(p->account, "111122223333");
  EXPECT_TRUE(w->FindPolicy("FullAWSAccess"));  // built in
  EXPECT_TRUE(w->FindPolicy("RCPFullAWSAccess"));
  EXPECT_EQ(w->FindResource("arn:aws:s3:::example-bucket/a/b")->arn, "arn:aws:s3:::example-bucket");
  EXPECT_EQ(w->FindResource("arn:aws:s3:::example-bucket-2"), nullptr);
}

TEST(WorldTest, WarnsWhenAResourceOwnerIsUnknown) {
  std::vector<Finding> f;
  auto w = LoadWorld(R"({"resources": [{"arn": "arn:aws:s3:::no-owner"},
                                       {"arn": "arn:aws:s3:::owned", "account": "111122223333"},
                                       {"arn": "arn:aws:sqs:us-east-1:111122223333:q"}]})",
                     &f);
  ASSERT_TRUE(w);
  EXPECT_TRUE(Has(f, "resource-account-unknown", "/resources/0"));
  EXPECT_EQ(f.size(), 1u);
}

TEST(WorldTest, WarnsOnTagsDifferingOnlyInCase) {
  std::vector<Finding> f;
  auto w = LoadWorld(R"({"principals": [{"arn": "arn:aws:iam::111122223333:user/a",
                                         "tags": {"Team": "red", "team": "blue"}}]})",
                     &f);
  ASSERT_TRUE(w);
  EXPECT_TRUE(Has(f, "tag-case", "/principals/0/tags/team"));
}

TEST(WorldTest, DerivesPrincipalsFromArns) {
  auto u = DerivePrincipal("arn:aws:iam::111122223333:user/div/alice");
  EXPECT_EQ(u.type, PrincipalType::kUser);
  EXPECT_EQ(u.username, "alice");
  auto s = DerivePrincipal("arn:aws:sts::111122223333:assumed-role/Deploy/ci");
  EXPECT_EQ(s.principal_arn, "arn:aws:iam::111122223333:role/Deploy");
  EXPECT_EQ(DerivePrincipal("*").type, PrincipalType::kAnonymous);
  EXPECT_EQ(DerivePrincipal("111122223333").type, PrincipalType::kAccount);
  EXPECT_EQ(DerivePrincipal("arn:aws:iam::111122223333:root").type, PrincipalType::kAccount);
  EXPECT_EQ(DerivePrincipal("s3.amazonaws.com").type, PrincipalType::kAWSService);
  EXPECT_EQ(DerivePrincipal("arn:aws:sts::111122223333:federated-user/bob").type,
            PrincipalType::kFederatedUser);
}

TEST(WorldTest, InvalidPolicyRejectsTheWholeWorld) {
  std::vector<Finding> f;
  auto w = LoadWorld(
      R"({"policies": {"P": {"Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}},
                         "principals": [{"arn": "arn:aws:iam::111122223333:user/a", "identity_policies": ["P", "Q"]}]})",
      &f);
  EXPECT_FALSE(w);
  EXPECT_TRUE(Has(f, "bad-effect", "/policies/P/Statement/0/Effect"));
  EXPECT_TRUE(Has(f, "unknown-policy", "/principals/0/identity_policies/1"));
}

const Finding* Find(const std::vector<Finding>& fs, std::string_view code,
                    std::string_view pointer) {
  for (const Finding& f : fs) {
    if (f.code == code && f.pointer == pointer) return &f;
  }
  return nullptr;
}

size_t Count(const std::vector<Finding>& fs, std::string_view code) {
  size_t n = 0;
  for (const Finding& f : fs) n += f.code == code;
  return n;
}

// A policy is validated for every use the world makes of it, not only the strictest.
TEST(WorldTest, EachUseOfAPolicyIsValidated) {
  std::vector<Finding> f;
  auto w = LoadWorld(R"({"policies": {
    "IdWithPrincipal": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "s3:*", "Resource": "*"}]},
    "ScpWithPrincipal": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*"}]},
    "BoundaryNoResource": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*"}]},
    "Empty": {"Version": "2012-10-17", "Statement": []}},
   "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["IdWithPrincipal", "Empty"],
                   "permissions_boundary": "BoundaryNoResource"}],
   "resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333", "policy": "IdWithPrincipal"},
                 {"arn": "arn:aws:s3:::c", "account": "111122223333", "policy": "BoundaryNoResource"},
                 {"arn": "arn:aws:s3:::d", "account": "111122223333", "policy": "Empty"}],
   "organization": {"accounts": {"111122223333": {"scps": [["ScpWithPrincipal"]],
                                                  "rcps": [["ScpWithPrincipal", "Empty"]]}}}})",
                     &f);
  EXPECT_FALSE(w);
  const Finding* id = Find(f, "bad-principal", "/policies/IdWithPrincipal/Statement/0/Principal");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->severity, Severity::kError);
  // The finding names the use it comes from.
  EXPECT_NE(id->message.find("identity policy at /principals/0/identity_policies/0"),
            std::string::npos)
      << id->message;
  const Finding* scp =
      Find(f, "bad-principal", "/policies/ScpWithPrincipal/Statement/0/NotPrincipal");
  ASSERT_TRUE(scp);
  EXPECT_NE(scp->message.find("SCP at /organization/accounts/111122223333/scps/0/0"),
            std::string::npos)
      << scp->message;
  const Finding* boundary = Find(f, "missing-element", "/policies/BoundaryNoResource/Statement/0");
  ASSERT_TRUE(boundary);
  EXPECT_NE(boundary->message.find("permissions boundary at /principals/0/permissions_boundary"),
            std::string::npos)
      << boundary->message;
  const Finding* boundary_principal =
      Find(f, "bad-principal", "/policies/BoundaryNoResource/Statement/0/Principal");
  ASSERT_TRUE(boundary_principal);
  EXPECT_NE(boundary_principal->message.find(
                "permissions boundary at /principals/0/permissions_boundary"),
            std::string::npos)
      << boundary_principal->message;
  // As an RCP, its NotPrincipal is refused too ("SCPs and RCPs don't support the
  // NotPrincipal element").
  const Finding* rcp = nullptr;
  for (const Finding& x : f) {
    if (x.code == "bad-principal" && x.message.find("RCP at") != std::string::npos) rcp = &x;
  }
  ASSERT_TRUE(rcp);
  EXPECT_EQ(rcp->pointer, "/policies/ScpWithPrincipal/Statement/0/NotPrincipal");
  // Only the five errors above: an empty policy is valid in every use.
  EXPECT_EQ(Count(f, "bad-principal"), 4u);
  EXPECT_EQ(Count(f, "missing-element"), 1u);
  size_t errors = 0;
  for (const Finding& x : f) errors += x.severity == Severity::kError;
  EXPECT_EQ(errors, 5u);
}

TEST(WorldTest, AFindingEveryUseSharesIsReportedOnce) {
  std::vector<Finding> f;
  auto w = LoadWorld(R"({"policies": {
    "P": {"Version": "2012-10-17", "Statement": [{"Sid": "a-b", "Effect": "Deny", "Action": "s3 Get", "Resource": "*"}]}},
   "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["P"],
                   "session_policies": ["P"], "permissions_boundary": "P"}],
   "organization": {"accounts": {"111122223333": {"scps": [["P"]]}}}})",
                     &f);
  EXPECT_FALSE(w);
  ASSERT_EQ(Count(f, "bad-action"), 1u);
  const Finding* action = Find(f, "bad-action", "/policies/P/Statement/0/Action");
  ASSERT_TRUE(action);
  EXPECT_EQ(action->message.find(" at /"), std::string::npos) << action->message;
  EXPECT_EQ(Count(f, "bad-sid"), 1u);
}

TEST(WorldTest, AStricterFindingOfOneUseHidesTheLenientOne) {
  // bad-sid is an error in an identity policy and a warning in a resource policy.
  std::vector<Finding> f;
  auto w = LoadWorld(R"({"policies": {
    "P": {"Version": "2012-10-17", "Statement": [{"Sid": "a-b", "Effect": "Deny", "Action": "s3:Get", "Resource": "*"}]}},
   "principals": [{"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["P"]}],
   "resources": [{"arn": "arn:aws:s3:::b", "account": "111122223333", "policy": "P"}]})",
                     &f);
  EXPECT_FALSE(w);
  EXPECT_EQ(Count(f, "bad-sid"), 1u);
  const Finding* sid = Find(f, "bad-sid", "/policies/P/Statement/0/Sid");
  ASSERT_TRUE(sid);
  EXPECT_EQ(sid->severity, Severity::kError);
  EXPECT_TRUE(Has(f, "missing-element", "/policies/P/Statement/0"));  // no Principal
}

TEST(WorldTest, DuplicateResourceArnIsAnError) {
  std::vector<Finding> f;
  const std::string text = R"({"resources": [
    {"arn": "arn:aws:s3:::b", "account": "111122223333"},
    {"arn": "arn:aws:s3:::b/k", "account": "111122223333"},
    {"arn": "arn:aws:s3:::b", "account": "444455556666"}]})";
  EXPECT_FALSE(LoadWorld(text, &f));
  const Finding* dup = Find(f, "duplicate-key", "/resources/2/arn");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->severity, Severity::kError);
  EXPECT_EQ(dup->offset, text.rfind("\"arn:aws:s3:::b\""));
  EXPECT_EQ(Count(f, "duplicate-key"), 1u);
}

TEST(WorldTest, DuplicateKeyInAnAccountIsAnError) {
  std::vector<Finding> f;
  const std::string text =
      R"({"organization": {"accounts": {"111122223333": {"scps": [["FullAWSAccess"]], "scps": [["FullAWSAccess"]]}}}})";
  EXPECT_FALSE(LoadWorld(text, &f));
  const Finding* dup = Find(f, "duplicate-key", "/organization/accounts/111122223333/scps");
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->offset, text.rfind("\"scps\""));
}

// FullAWSAccess is built in only as an SCP and RCPFullAWSAccess only as an RCP, whatever the
// order of the keys that name them.
TEST(WorldTest, BuiltInPoliciesOnlyInTheirOwnSlotInAnyOrder) {
  // (world, where the one unknown-policy finding points)
  const std::pair<const char*, const char*> cases[] = {
      {R"({"organization": {"accounts": {"111122223333": {"rcps": [["RCPFullAWSAccess"]], "scps": [["RCPFullAWSAccess"]]}}}})",
       "/organization/accounts/111122223333/scps/0/0"},
      {R"({"organization": {"accounts": {"111122223333": {"scps": [["RCPFullAWSAccess"]], "rcps": [["RCPFullAWSAccess"]]}}}})",
       "/organization/accounts/111122223333/scps/0/0"},
      {R"({"organization": {"accounts": {"111122223333": {"scps": [["FullAWSAccess"]], "rcps": [["FullAWSAccess"]]}}}})",
       "/organization/accounts/111122223333/rcps/0/0"},
      {R"({"organization": {"accounts": {"111122223333": {"rcps": [["FullAWSAccess"]], "scps": [["FullAWSAccess"]]}}}})",
       "/organization/accounts/111122223333/rcps/0/0"},
      {R"({"principals": [{"arn": "arn:aws:iam::111122223333:user/a", "identity_policies": ["FullAWSAccess"]}],
           "organization": {"accounts": {"111122223333": {"scps": [["FullAWSAccess"]]}}}})",
       "/principals/0/identity_policies/0"},
      {R"({"organization": {"accounts": {"111122223333": {"scps": [["FullAWSAccess"]]}}},
           "principals": [{"arn": "arn:aws:iam::111122223333:user/a", "identity_policies": ["FullAWSAccess"]}]})",
       "/principals/0/identity_policies/0"},
  };
  for (const auto& [text, pointer] : cases) {
    std::vector<Finding> f;
    EXPECT_FALSE(LoadWorld(text, &f)) << text;
    EXPECT_TRUE(Has(f, "unknown-policy", pointer)) << text;
    EXPECT_EQ(Count(f, "unknown-policy"), 1u) << text;
  }
  // Defined in "policies", either name is an ordinary policy, usable anywhere it is valid.
  std::vector<Finding> f;
  EXPECT_TRUE(LoadWorld(
      R"({"policies": {"RCPFullAWSAccess": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}},
          "organization": {"accounts": {"111122223333": {"scps": [["RCPFullAWSAccess"]]}}}})",
      &f));
}

TEST(PolicyParserTest, VersionOfTheWrongTypeIsOnlyAnError) {
  const auto f = Findings(
      R"({"Version": 2012, "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})");
  EXPECT_TRUE(Has(f, "wrong-type", "/Version"));
  EXPECT_FALSE(Has(f, "missing-version", "")) << f.size();
  EXPECT_EQ(f.size(), 1u);
}

TEST(FindingTest, ControlCharactersAreEscaped) {
  const Finding f{Severity::kError, 0, "c",
                  std::string("a\nb\rc\td\x01"
                              "e\x7f"
                              "f\\g\xc2\x85h\xe2\x80\xa8i\xe2\x80\xa9j\0k",
                              26),
                  std::string("/x\ny", 4)};
  EXPECT_EQ(
      FormatFinding("f\n.json", "{}", f),
      "f\\n.json:1:1: error: a\\nb\\rc\\td\\u0001e\\u007ff\\\\g\\u0085h\\u2028i\\u2029j\\u0000k "
      "[c] (/x\\ny)");
  // Other UTF-8 stays as it is.
  const Finding u{Severity::kWarning, 0, "c", "caf\xc3\xa9 \xe2\x80\x99", ""};
  EXPECT_EQ(FormatFinding("f", "{}", u), "f:1:1: warning: caf\xc3\xa9 \xe2\x80\x99 [c] ()");
}

TEST(RequestTest, ActionAndResourceMustBeWellFormed) {
  Request r;
  std::string err;
  auto req = [](std::string_view action, std::string_view resource) {
    return StrCat(R"({"principal":"*","action":")", action, R"(","resource":")", resource, "\"}");
  };
  for (const char* action : {"s3:GetObject", "execute-api:Invoke", "a:b", "S3:getobject",
                             "sso-directory:DescribeUser2", "svc:Name_With.Dots-and-dash"}) {
    EXPECT_TRUE(ParseRequest(req(action, "*"), &r, &err)) << action << ": " << err;
  }
  for (const char* resource : {"*", "arn:aws:s3:::b/k", "arn:aws:iam::111122223333:user/a",
                               "arn:aws:organizations::111122223333:", "arn:aws-cn:s3:::b/a:b/c d",
                               "arn:aws:sqs:us-east-1:111122223333:q"}) {
    EXPECT_TRUE(ParseRequest(req("s3:GetObject", resource), &r, &err)) << resource << ": " << err;
  }
  for (const char* action : {"", "s3", ":GetObject", "s3:", " s3:GetObject", "s3:GetObject ",
                             "s3:Get Object", "s3:Get:Object", "s3:*", "s3:Get?", "*",
                             "s_3:GetObject", "s3:GetObject\\n", "s3:G\\u00e9t"}) {
    EXPECT_FALSE(ParseRequest(req(action, "*"), &r, &err)) << action;
    EXPECT_NE(err.find("\"action\""), std::string::npos) << err;
  }
  for (const char* resource :
       {"", "bucket", "ARN:AWS:S3:::b/k", "Arn:aws:s3:::b", "arn:aws:s3::b/k", "arn:aws",
        " arn:aws:s3:::b", "arn::s3:::b", "arn:aws::::b", "**"}) {
    EXPECT_FALSE(ParseRequest(req("s3:GetObject", resource), &r, &err)) << resource;
    EXPECT_NE(err.find("\"resource\""), std::string::npos) << err;
  }
}

TEST(RequestTest, PrincipalMustNotBeEmpty) {
  Request r;
  std::string err;
  EXPECT_FALSE(
      ParseRequest(R"({"principal":"","action":"s3:GetObject","resource":"*"})", &r, &err));
  EXPECT_NE(err.find("\"principal\""), std::string::npos) << err;
  EXPECT_TRUE(ParseRequest(
      R"({"principal":"s3.amazonaws.com","action":"s3:GetObject","resource":"*"})", &r, &err))
      << err;
}

TEST(RequestTest, ParsesAndLowercasesContextKeys) {
  Request r;
  std::string err;
  ASSERT_TRUE(
      ParseRequest(R"({"principal":"*","action":"s3:GetObject","resource":"arn:aws:s3:::b/k",
      "resource_account":"111122223333",
      "context":{"aws:SourceIp":"203.0.113.7","aws:MultiFactorAuthPresent":true,"n":5,"aws:TagKeys":["a","b"]}})",
                   &r, &err))
      << err;
  EXPECT_EQ(r.context.at("aws:sourceip").values[0], "203.0.113.7");
  EXPECT_EQ(r.context.at("aws:multifactorauthpresent").values[0], "true");
  EXPECT_EQ(r.context.at("n").values[0], "5");
  EXPECT_TRUE(r.context.at("aws:tagkeys").multi);
  EXPECT_EQ(r.resource_account, "111122223333");
  EXPECT_FALSE(ParseRequest(R"({"principal":"*","action":"a:b"})", &r, &err));
  EXPECT_FALSE(ParseRequest(
      R"({"principal":"*","action":"a:b","resource":"*","context":{"a:B":1,"A:b":2}})", &r, &err));
  EXPECT_FALSE(ParseRequest(
      R"({"principal":"*","action":"a:b","resource":"*","context":{"k":{"x":1}}})", &r, &err));
  EXPECT_FALSE(ParseRequest("not json", &r, &err));
  EXPECT_FALSE(
      ParseRequest(R"({"principal":"*","action":"a:b","action":"c:d","resource":"*"})", &r, &err));
  EXPECT_FALSE(ParseRequest(
      R"({"principal":"*","action":"a:b","resource":"*","resource_account":"abc"})", &r, &err));
  std::string many = R"({"principal":"*","action":"a:b","resource":"*","context":{)";
  for (size_t i = 0; i <= kMaxContextKeys; ++i)
    many += (i ? "," : "") + ("\"k:" + std::to_string(i) + "\":1");
  many += "}}";
  EXPECT_FALSE(ParseRequest(many, &r, &err));
  EXPECT_NE(err.find("more than"), std::string::npos) << err;
  EXPECT_FALSE(
      ParseRequest(R"({"principal":"*","action":"a:b","resource":"*","extra":1})", &r, &err));
}

// AWS sets these global keys itself; a malformed value would slip past the policies that
// test it (a Deny on IpAddress does not match "999.0.2.10"), so the request is refused.
TEST(RequestTest, TypedGlobalKeysMustParse) {
  auto with = [](std::string_view key, std::string_view value) {
    return StrCat(R"({"principal":"*","action":"a:b","resource":"*","context":{")", key, R"(":)",
                  value, "}}");
  };
  Request r;
  std::string err;
  for (auto [key, value] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"aws:SourceIp", R"("192.0.2.10")"},
           {"aws:SourceIp", R"("2001:db8::1")"},
           {"AWS:SOURCEIP", R"("::ffff:192.0.2.10")"},
           {"aws:CurrentTime", R"("2026-11-22T10:00:00Z")"},
           {"aws:EpochTime", "1763805600"},
           {"aws:SecureTransport", "true"},
           {"aws:MultiFactorAuthPresent", R"("false")"},
           {"aws:MultiFactorAuthAge", "3600"},
           // AIOpsAssistantPolicy tests this boolean key with StringEquals on a service name.
           {"aws:ViaAWSService", R"("amplify.amazonaws.com")"},
           {"aws:UserAgent", R"("anything at all")"}}) {
    EXPECT_TRUE(ParseRequest(with(key, value), &r, &err)) << key << " " << value << ": " << err;
  }
  for (auto [key, value] : std::vector<std::pair<std::string_view, std::string_view>>{
           {"aws:SourceIp", R"("192.0.2.010")"},
           {"aws:SourceIp", R"(" 192.0.2.10")"},
           {"aws:SourceIp", R"("999.0.2.10")"},
           {"aws:SourceIp", R"("203.0.113.0/0")"},
           {"aws:SourceIp", R"("")"},
           {"aws:SourceIp", "true"},
           {"aws:SourceIp", R"(["192.0.2.10", "x"])"},
           {"aws:CurrentTime", R"("garbage")"},
           {"aws:CurrentTime", R"("2026-13-01T00:00:00Z")"},
           {"aws:EpochTime", "true"},
           {"aws:SecureTransport", R"("0")"},
           {"aws:SecureTransport", "0"},
           {"aws:ViaAWSService", R"("")"},
           {"aws:MultiFactorAuthPresent", R"("1.0")"},
           {"aws:MultiFactorAuthAge", R"("x")"}}) {
    EXPECT_FALSE(ParseRequest(with(key, value), &r, &err)) << key << " " << value;
    EXPECT_NE(err.find("must be"), std::string::npos) << err;
  }
  // Values are bounded in characters (not bytes), and so are multivalued keys.
  const std::string long_value = "\"" + std::string(kMaxRequestField + 1, 'x') + "\"";
  EXPECT_FALSE(ParseRequest(with("k:v", long_value), &r, &err));
  std::string accents = "\"";
  for (size_t i = 0; i < kMaxRequestField; ++i) accents += "\u00e9";
  accents += "\"";
  EXPECT_TRUE(ParseRequest(with("k:v", accents), &r, &err)) << err;
  std::string many = "[";
  for (size_t i = 0; i <= kMaxContextValues; ++i) many += (i ? ",\"v\"" : "\"v\"");
  many += "]";
  EXPECT_FALSE(ParseRequest(with("k:v", many), &r, &err));
}

// ForAllValues in an Allow is flagged unless every key it tests is also required present
// with "Null": {KEY: "false"}, the guard the multivalued-keys page recommends.
TEST(PolicyParserTest, ForAllValuesAllowWarnsOnlyWithoutANullGuard) {
  auto policy = [](std::string_view condition) {
    return StrCat(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Action": "s3:PutObjectTagging", "Resource": "*", "Condition": )",
                  condition, "}]}");
  };
  const std::string p = "/Statement/0/Condition/ForAllValues:StringEquals";
  EXPECT_TRUE(Has(Findings(policy(R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})")),
                  "forallvalues-allow", p));
  EXPECT_FALSE(Has(Findings(policy(R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]},
                                      "Null": {"aws:tagkeys": "false"}})")),
                   "forallvalues-allow", p));
  EXPECT_FALSE(Has(Findings(policy(R"({"Null": {"aws:TagKeys": false},
                                      "ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})")),
                   "forallvalues-allow", p));
  // A guard on another key, a "true" guard, or one key of two unguarded: still flagged.
  EXPECT_TRUE(Has(Findings(policy(R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]},
                                     "Null": {"aws:RequestTag/a": "false"}})")),
                  "forallvalues-allow", p));
  EXPECT_TRUE(Has(Findings(policy(R"({"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]},
                                     "Null": {"aws:TagKeys": "true"}})")),
                  "forallvalues-allow", p));
  EXPECT_TRUE(Has(Findings(policy(R"({"ForAllValues:StringEquals":
                                        {"aws:TagKeys": ["a"], "aws:CalledVia": ["x"]},
                                      "Null": {"aws:TagKeys": "false"}})")),
                  "forallvalues-allow", p));
}

// A condition key repeated in one operator is one duplicate-key finding, whether the
// repeat is exact (any duplicate JSON key) or in another case (keys are case-insensitive).
TEST(PolicyParserTest, ARepeatedConditionKeyIsReportedOnce) {
  auto policy = [](std::string_view keys) {
    return StrCat(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {)",
                  keys, "}}}]}");
  };
  EXPECT_EQ(Count(Findings(policy(R"("aws:username": "a", "aws:username": "b")")), "duplicate-key"),
            1u);
  EXPECT_EQ(Count(Findings(policy(R"("aws:username": "a", "AWS:UserName": "b")")), "duplicate-key"),
            1u);
  EXPECT_EQ(
      Count(Findings(policy(R"("aws:username": "a", "AWS:UserName": "b", "aws:username": "c")")),
            "duplicate-key"),
      2u);
  EXPECT_EQ(Count(Findings(policy(R"("aws:username": "a", "aws:userid": "b")")), "duplicate-key"),
            0u);
}

// The character table against the rule as written: the service takes letters, digits,
// '*', '?' and '-'; the name also '_' and '.'; exactly one ':' with text on both sides.
TEST(PolicyTest, IsActionPatternFollowsTheCharacterRules) {
  auto naive = [](std::string_view a) {
    if (a == "*") return true;
    const size_t colon = a.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == a.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      const char c = a[i];
      if (i == colon) continue;
      const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      const bool ok = alnum || c == '*' || c == '?' ||
                      (i < colon ? c == '-' : (c == '-' || c == '_' || c == '.'));
      if (!ok) return false;
    }
    return true;
  };
  const std::string alphabet = std::string("aZ09*?-_.: /~\x80\x00", 15);
  std::vector<std::string> all = {""};
  for (int len = 1; len <= 4; ++len) {
    std::vector<std::string> next;
    for (const std::string& s : all) {
      if (static_cast<int>(s.size()) != len - 1) continue;
      for (char c : alphabet) next.push_back(s + c);
    }
    all.insert(all.end(), next.begin(), next.end());
  }
  for (const std::string& s : all) {
    ASSERT_EQ(IsActionPattern(s), naive(s)) << s;
    ASSERT_EQ(IsActionPattern("s3:" + s), naive("s3:" + s)) << s;
    ASSERT_EQ(IsActionPattern(s + ":Get"), naive(s + ":Get")) << s;
  }
  EXPECT_TRUE(IsActionPattern("ec2:Describe*"));
  EXPECT_FALSE(IsActionPattern("ec2_x:Describe"));
}

// The size-limit warning counts the policy written as minified JSON, escapes included,
// to the character: exactly at the limit is fine, one over warns, whatever escaped
// characters the text holds and wherever they fall in a word.
TEST(PolicyParserTest, SizeLimitCountsMinifiedJsonExactly) {
  const std::string head =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",)"
      R"("Resource":"*","Condition":{"StringEquals":{"aws:UserAgent":[")";
  for (const char* escape : {"", "\\\"", "\\\\", "\\n", "\\t", "\\u0001", "\\u001f"}) {
    for (size_t at = 0; at < 17; ++at) {
      for (size_t over : {0, 1}) {
        // A value of `at` plain characters and the escaped one, then two values of padding
        // (each under the 4,096-character element limit) up to the size wanted.
        const std::string text = std::string(at, 'x') + escape;
        auto build = [&](size_t pad) {
          return head + text + "\",\"" + std::string(3000, 'y') + "\",\"" + std::string(pad, 'z') +
                 "\"]}}}]}";
        };
        json::Value v;
        json::Error error;
        ASSERT_TRUE(json::Parse(build(0), &v, &error)) << error.message;
        const size_t size = json::Serialize(v).size();
        ASSERT_TRUE(json::Parse(build(6144 - size + over), &v, &error)) << error.message;
        ASSERT_EQ(json::Serialize(v).size(), 6144 + over);
        std::vector<Finding> findings;
        ASSERT_TRUE(ParsePolicy(v, PolicyKind::kIdentity, "", &findings).has_value());
        bool warned = false;
        for (const Finding& f : findings) warned |= f.code == "size-limit";
        EXPECT_EQ(warned, over == 1) << "escape " << escape << " at " << at;
      }
    }
  }
}

}  // namespace
}  // namespace arbiter
