// The typed AST of an IAM JSON policy document, as produced by the policy parser
// (policy_parser.h). It is plain data: immutable once built, safe to share across threads.
//
// Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
#ifndef ARBITER_COMPILER_POLICY_H_
#define ARBITER_COMPILER_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arbiter {

enum class Effect : uint8_t { kAllow, kDeny };

// Under 2008-10-17 (also the default when Version is absent) policy variables are plain
// text. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
enum class PolicyVersion : uint8_t { k2008_10_17, k2012_10_17 };

// Condition operator without its ForAllValues:/ForAnyValue: prefix and IfExists suffix.
enum class Operator : uint8_t {
  kStringEquals,
  kStringNotEquals,
  kStringEqualsIgnoreCase,
  kStringNotEqualsIgnoreCase,
  kStringLike,
  kStringNotLike,
  kNumericEquals,
  kNumericNotEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateNotEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kNotIpAddress,
  kArnEquals,
  kArnLike,
  kArnNotEquals,
  kArnNotLike,
  kNull,
};

enum class OperandType : uint8_t { kString, kNumber, kDate, kBool, kBinary, kIp, kArn, kNull };

// Properties of an operator, fixed by AWS's documentation:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
struct OperatorInfo {
  std::string_view name;
  OperandType type;
  // Negated operators (StringNotEquals, NotIpAddress, ...) are true when the request
  // value matches none of the policy values, and true when the key is missing.
  bool negated;
  // The positive operator whose match the negated one inverts (itself when positive).
  Operator positive;
};
const OperatorInfo& Info(Operator op);

// The relation a Numeric* or Date* operator (positive form) tests between a request value
// `a` and a policy value `b`.
template <typename T>
bool OrderedCompare(Operator op, T a, T b) {
  switch (op) {
    case Operator::kNumericLessThan:
    case Operator::kDateLessThan:
      return a < b;
    case Operator::kNumericLessThanEquals:
    case Operator::kDateLessThanEquals:
      return a <= b;
    case Operator::kNumericGreaterThan:
    case Operator::kDateGreaterThan:
      return a > b;
    case Operator::kNumericGreaterThanEquals:
    case Operator::kDateGreaterThanEquals:
      return a >= b;
    default:  // kNumericEquals, kDateEquals
      return a == b;
  }
}

// Policy variables are substituted in String, Arn and Bool operands only: "You can't use a
// policy variable with the Numeric/Date/Binary/IpAddress condition operator."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
bool OperatorTakesVariables(Operator op);

enum class SetQualifier : uint8_t { kNone, kForAllValues, kForAnyValue };

// A full condition operator as written, e.g. "ForAnyValue:StringLikeIfExists".
struct ConditionOperator {
  Operator op = Operator::kStringEquals;
  SetQualifier qualifier = SetQualifier::kNone;
  bool if_exists = false;
};
// Parses an operator name; nullopt for names AWS does not define. Names compare
// case-insensitively, as AWS's do; `canonical` (optional) tells whether `name` is spelled
// exactly as AWS documents it.
std::optional<ConditionOperator> ParseConditionOperator(std::string_view name,
                                                        bool* canonical = nullptr);
std::string FormatConditionOperator(const ConditionOperator& op);

// Whether RCPs govern requests for `action`: its service is one that supports RCPs, and
// it is not one of the documented exemptions (kms:RetireGrant).
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
bool RcpGovernsAction(std::string_view action);

// An Action/NotAction entry as IAM accepts it: "*", or "service:name" where the service
// prefix is letters, digits and '-' and the name letters, digits, '-', '_', '.', with '*'
// and '?' anywhere but the colon (no white space, no second ':').
bool IsActionPattern(std::string_view a);

// One policy variable, "${name}" or "${name, 'default'}", in text that starts at s[start]
// with "${". `end` is one past its '}'. Returns nullopt when the text there is not a
// well-formed variable: such text is plain characters (the parser reports it as
// bad-variable; this keeps evaluation total for policies built by hand).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
struct VariableToken {
  std::string_view name;  // trimmed; "*", "?" and "$" name the characters themselves
  std::optional<std::string_view> fallback;
  size_t end = 0;
};
std::optional<VariableToken> ScanVariable(std::string_view s, size_t start);

// One (operator, key) entry of a Condition block: true when the key's values satisfy the
// operator against any of `values` (see reference/ for the exact rules).
struct Condition {
  ConditionOperator op;
  std::string key;                  // as written; keys compare case-insensitively
  std::vector<std::string> values;  // JSON strings, numbers and booleans, as text
};

// Principal or NotPrincipal.
struct PrincipalSpec {
  bool wildcard = false;         // "Principal": "*"
  std::vector<std::string> aws;  // account ids, ARNs, or "*"
  std::vector<std::string> service;
  std::vector<std::string> federated;
  std::vector<std::string> canonical_user;
};

struct Statement {
  std::optional<std::string> sid;
  Effect effect = Effect::kAllow;
  // Exactly one of principal / not_principal may be present (resource-based policies).
  std::optional<PrincipalSpec> principal;
  bool not_principal = false;
  // Action or NotAction (exactly one is present in a valid statement).
  bool not_action = false;
  std::vector<std::string> actions;
  // Resource or NotResource; absent in some resource-based policies (a role trust
  // policy), where the statement covers the resource the policy is attached to.
  bool has_resource = false;
  bool not_resource = false;
  std::vector<std::string> resources;
  std::vector<Condition> conditions;
};

struct Policy {
  PolicyVersion version = PolicyVersion::k2008_10_17;
  bool has_version = false;
  std::optional<std::string> id;
  std::vector<Statement> statements;
};

}  // namespace arbiter

#endif  // ARBITER_COMPILER_POLICY_H_
