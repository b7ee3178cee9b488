// Unit tests for the condition rules of the reference evaluator, one family at a time.
// Whole decisions (policy types, accounts, principals) are covered by tests/golden.
#include "reference/evaluator.h"

#include <gtest/gtest.h>

namespace arbiter {
namespace {

using Ctx = absl::flat_hash_map<std::string, ContextValue>;

class ConditionTest : public testing::Test {
 protected:
  // Evaluates `op` on `key` with `values` against the context.
  bool Eval(std::string_view op, std::string key, std::vector<std::string> values,
            PolicyVersion version = PolicyVersion::k2012_10_17) {
    auto parsed = ParseConditionOperator(op);
    EXPECT_TRUE(parsed) << op;
    Condition c{*parsed, std::move(key), std::move(values)};
    return ReferenceConditionMatches(c, version, ctx_);
  }
  void Set(std::string key, std::vector<std::string> values, bool multi = false) {
    ctx_[key] = ContextValue{std::move(values), multi};
  }
  Ctx ctx_;
};

TEST_F(ConditionTest, StringFamily) {
  Set("aws:username", {"Alice"});
  EXPECT_TRUE(Eval("StringEquals", "aws:username", {"bob", "Alice"}));
  EXPECT_FALSE(Eval("StringEquals", "aws:username", {"alice"}));
  EXPECT_TRUE(Eval("StringEquals", "AWS:USERNAME", {"Alice"}));  // keys are case-insensitive
  EXPECT_TRUE(Eval("StringEqualsIgnoreCase", "aws:username", {"ALICE"}));
  EXPECT_FALSE(Eval("StringNotEquals", "aws:username", {"bob", "Alice"}));  // NOR
  EXPECT_TRUE(Eval("StringNotEquals", "aws:username", {"bob", "carol"}));
  EXPECT_FALSE(Eval("StringNotEqualsIgnoreCase", "aws:username", {"alice"}));
  EXPECT_TRUE(Eval("StringLike", "aws:username", {"A*"}));
  EXPECT_TRUE(Eval("StringLike", "aws:username", {"Al?ce"}));
  EXPECT_FALSE(Eval("StringLike", "aws:username", {"a*"}));
  EXPECT_TRUE(Eval("StringNotLike", "aws:username", {"B*"}));
}

TEST_F(ConditionTest, MissingKeys) {
  EXPECT_FALSE(Eval("StringEquals", "aws:username", {"x"}));
  EXPECT_TRUE(Eval("StringNotEquals", "aws:username", {"x"}));
  EXPECT_TRUE(Eval("StringEqualsIfExists", "aws:username", {"x"}));
  EXPECT_TRUE(Eval("NotIpAddress", "aws:SourceIp", {"10.0.0.0/8"}));
  EXPECT_FALSE(Eval("IpAddress", "aws:SourceIp", {"10.0.0.0/8"}));
  EXPECT_FALSE(Eval("Bool", "aws:SecureTransport", {"false"}));
  EXPECT_TRUE(Eval("BoolIfExists", "aws:SecureTransport", {"false"}));
  EXPECT_TRUE(Eval("ForAllValues:StringEquals", "aws:TagKeys", {"a"}));
  EXPECT_FALSE(Eval("ForAnyValue:StringEquals", "aws:TagKeys", {"a"}));
  EXPECT_TRUE(Eval("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", {"a"}));
  EXPECT_FALSE(Eval("ForAnyValue:StringNotEquals", "aws:TagKeys", {"a"}));
}

TEST_F(ConditionTest, NullOperator) {
  EXPECT_TRUE(Eval("Null", "aws:TokenIssueTime", {"true"}));
  EXPECT_FALSE(Eval("Null", "aws:TokenIssueTime", {"false"}));
  Set("aws:tokenissuetime", {"2026-11-22T10:00:00Z"});
  EXPECT_FALSE(Eval("Null", "aws:TokenIssueTime", {"true"}));
  EXPECT_TRUE(Eval("Null", "aws:TokenIssueTime", {"false"}));
  Set("aws:tagkeys", {}, true);  // an empty set counts as absent
  EXPECT_TRUE(Eval("Null", "aws:TagKeys", {"true"}));
}

TEST_F(ConditionTest, NumericFamily) {
  Set("s3:max-keys", {"10"});
  EXPECT_TRUE(Eval("NumericEquals", "s3:max-keys", {"10.0"}));
  EXPECT_TRUE(Eval("NumericNotEquals", "s3:max-keys", {"11"}));
  EXPECT_TRUE(Eval("NumericLessThan", "s3:max-keys", {"11"}));
  EXPECT_FALSE(Eval("NumericLessThan", "s3:max-keys", {"10"}));
  EXPECT_TRUE(Eval("NumericLessThanEquals", "s3:max-keys", {"10"}));
  EXPECT_TRUE(Eval("NumericGreaterThan", "s3:max-keys", {"-3"}));
  EXPECT_TRUE(Eval("NumericGreaterThanEquals", "s3:max-keys", {"10"}));
  Set("s3:max-keys", {"ten"});
  EXPECT_FALSE(Eval("NumericLessThan", "s3:max-keys", {"11"}));
  EXPECT_TRUE(Eval("NumericNotEquals", "s3:max-keys", {"11"}));
}

TEST_F(ConditionTest, DateFamilyMixesIsoAndEpoch) {
  Set("aws:currenttime", {"2026-11-22T10:00:00Z"});
  EXPECT_TRUE(Eval("DateGreaterThan", "aws:CurrentTime", {"2026-01-01T00:00:00Z"}));
  EXPECT_TRUE(Eval("DateLessThan", "aws:CurrentTime", {"1800000000"}));
  EXPECT_TRUE(Eval("DateEquals", "aws:CurrentTime", {"1795341600"}));
  EXPECT_TRUE(Eval("DateNotEquals", "aws:CurrentTime", {"1795341601"}));
  EXPECT_TRUE(Eval("DateLessThanEquals", "aws:CurrentTime", {"2026-11-22T10:00:00Z"}));
  EXPECT_FALSE(Eval("DateGreaterThanEquals", "aws:CurrentTime", {"2026-11-22T10:00:01Z"}));
  Set("aws:epochtime", {"1795341600"});
  EXPECT_TRUE(Eval("DateEquals", "aws:EpochTime", {"2026-11-22T12:00:00+02:00"}));
}

TEST_F(ConditionTest, BoolBinaryIp) {
  Set("aws:securetransport", {"true"});
  EXPECT_TRUE(Eval("Bool", "aws:SecureTransport", {"true"}));
  EXPECT_TRUE(Eval("Bool", "aws:SecureTransport", {"TRUE"}));
  EXPECT_FALSE(Eval("Bool", "aws:SecureTransport", {"false"}));
  Set("x:bin", {"QmluYXJ5"});
  EXPECT_TRUE(Eval("BinaryEquals", "x:bin", {"QmluYXJ5"}));
  EXPECT_FALSE(Eval("BinaryEquals", "x:bin", {"QmluYXJ6"}));
  Set("aws:sourceip", {"2001:db8::7"});
  EXPECT_TRUE(Eval("IpAddress", "aws:SourceIp", {"203.0.113.0/24", "2001:db8::/32"}));
  EXPECT_FALSE(Eval("NotIpAddress", "aws:SourceIp", {"2001:db8::/32"}));
  EXPECT_TRUE(Eval("NotIpAddress", "aws:SourceIp", {"203.0.113.0/24"}));
  Set("aws:sourceip", {"garbage"});
  EXPECT_FALSE(Eval("IpAddress", "aws:SourceIp", {"0.0.0.0/0"}));
}

TEST_F(ConditionTest, ArnFamilyMatchesSegmentBySegment) {
  Set("aws:sourcearn", {"arn:aws:sns:us-east-1:111122223333:topic"});
  EXPECT_TRUE(Eval("ArnEquals", "aws:SourceArn", {"arn:aws:sns:us-east-1:111122223333:topic"}));
  EXPECT_TRUE(Eval("ArnLike", "aws:SourceArn", {"arn:aws:sns:*:111122223333:*"}));
  EXPECT_TRUE(Eval("ArnEquals", "aws:SourceArn", {"arn:aws:sns:*:*:topic"}));
  EXPECT_FALSE(Eval("ArnLike", "aws:SourceArn", {"arn:aws:sqs:*:*:*"}));
  EXPECT_TRUE(Eval("ArnNotLike", "aws:SourceArn", {"arn:aws:sqs:*:*:*"}));
  EXPECT_FALSE(Eval("ArnNotEquals", "aws:SourceArn", {"arn:aws:sns:*:*:topic"}));
  Set("aws:sourcearn", {"not-an-arn"});
  EXPECT_FALSE(Eval("ArnLike", "aws:SourceArn", {"*"}));
}

TEST_F(ConditionTest, SetQualifiers) {
  Set("aws:tagkeys", {"team", "cost"}, true);
  EXPECT_TRUE(Eval("ForAllValues:StringEquals", "aws:TagKeys", {"team", "cost", "env"}));
  EXPECT_FALSE(Eval("ForAllValues:StringEquals", "aws:TagKeys", {"team"}));
  EXPECT_TRUE(Eval("ForAnyValue:StringEquals", "aws:TagKeys", {"team"}));
  EXPECT_FALSE(Eval("ForAnyValue:StringEquals", "aws:TagKeys", {"env"}));
  EXPECT_TRUE(Eval("ForAnyValue:StringNotEquals", "aws:TagKeys", {"team"}));
  EXPECT_FALSE(Eval("ForAllValues:StringNotEquals", "aws:TagKeys", {"team"}));
  EXPECT_TRUE(Eval("ForAllValues:StringLike", "aws:TagKeys", {"t*", "c*"}));
  // Without a qualifier, any value matching is enough; a negated operator needs none to.
  EXPECT_TRUE(Eval("StringEquals", "aws:TagKeys", {"cost"}));
  EXPECT_FALSE(Eval("StringNotEquals", "aws:TagKeys", {"cost"}));
  Set("aws:tagkeys", {}, true);
  EXPECT_TRUE(Eval("ForAllValues:StringEquals", "aws:TagKeys", {"a"}));
  EXPECT_FALSE(Eval("ForAnyValue:StringEquals", "aws:TagKeys", {"a"}));
}

TEST_F(ConditionTest, PolicyVariables) {
  Set("aws:username", {"alice"});
  Set("s3:prefix", {"home/alice/"});
  EXPECT_TRUE(Eval("StringLike", "s3:prefix", {"home/${aws:username}/*"}));
  EXPECT_FALSE(Eval("StringLike", "s3:prefix", {"home/${aws:username}/*"},
                    PolicyVersion::k2008_10_17));  // literal under 2008
  EXPECT_TRUE(Eval("StringLike", "s3:prefix", {"home/${aws:PrincipalTag/x, 'alice'}/*"}));
  // An operand holding a variable with no value is like and equal to nothing: positive
  // operators do not match, inverted ones do ("Policy variables with no value"), and the
  // other operands still count.
  EXPECT_FALSE(Eval("StringLike", "s3:prefix", {"home/${aws:PrincipalTag/x}/*"}));
  EXPECT_TRUE(Eval("StringNotLike", "s3:prefix", {"home/${aws:PrincipalTag/x}/*"}));
  EXPECT_TRUE(Eval("StringNotLike", "s3:prefix", {"other/*", "home/${aws:PrincipalTag/x}/*"}));
  EXPECT_FALSE(Eval("StringNotLike", "s3:prefix", {"home/*", "home/${aws:PrincipalTag/x}/*"}));
  EXPECT_TRUE(Eval("StringLike", "s3:prefix", {"${aws:PrincipalTag/x}", "home/*"}));
  EXPECT_TRUE(Eval("StringNotEquals", "s3:prefix", {"${aws:PrincipalTag/x}"}));
  EXPECT_TRUE(Eval("ForAllValues:StringNotEquals", "s3:prefix", {"${aws:PrincipalTag/x}"}));
  EXPECT_FALSE(Eval("ForAnyValue:StringEquals", "s3:prefix", {"${aws:PrincipalTag/x}"}));
  // A missing key decides as usual.
  EXPECT_TRUE(Eval("StringNotLike", "s3:missing", {"home/${aws:PrincipalTag/x}/*"}));
  EXPECT_FALSE(Eval("StringLike", "s3:missing", {"home/${aws:PrincipalTag/x}/*"}));
  // Substituted text is literal: a '*' in a value is not a wildcard.
  Set("aws:principaltag/dir", {"*"});
  EXPECT_FALSE(Eval("StringLike", "s3:prefix", {"home/${aws:PrincipalTag/dir}"}));
  Set("s3:prefix", {"a*?$b"});
  EXPECT_TRUE(Eval("StringEquals", "s3:prefix", {"a${*}${?}${$}b"}));
  EXPECT_TRUE(Eval("StringLike", "s3:prefix", {"a${*}${?}${$}b"}));
  Set("s3:prefix", {"axyz$b"});
  EXPECT_FALSE(Eval("StringLike", "s3:prefix", {"a${*}${?}${$}b"}));
}

}  // namespace
}  // namespace arbiter
