// Parses and validates IAM JSON policy documents into the AST of policy.h.
//
// Validation is precise and fails closed: every problem becomes a Finding with the byte
// offset and JSON pointer of the offending key or value; any error means no Policy.
// Lint warnings follow IAM Access Analyzer's spirit (Allow with NotAction, `*` on `*`, ...).
// The finding codes are listed in tests/CONVENTIONS.md.
//
// Thread-safety: stateless functions. Cost: linear in the document.
#ifndef ARBITER_COMPILER_POLICY_PARSER_H_
#define ARBITER_COMPILER_POLICY_PARSER_H_

#include <optional>
#include <string_view>
#include <vector>

#include "compiler/finding.h"
#include "compiler/policy.h"
#include "json/json.h"

namespace arbiter {

// How a policy is used decides which elements it must or must not have and which size
// limit applies. kStandalone: a document checked on its own, which counts as
// resource-based when any statement names a Principal or NotPrincipal.
enum class PolicyKind { kStandalone, kIdentity, kBoundary, kSession, kScp, kRcp, kResource };

// Hard limit on a policy document file; AWS's own limits are far smaller (warnings).
inline constexpr size_t kMaxPolicyBytes = 1u << 20;

// Validates `doc` (a subtree of the file, at JSON pointer `pointer`) and returns the AST,
// or nullopt when any error was found. Findings are appended to `findings`.
std::optional<Policy> ParsePolicy(const json::Value& doc, PolicyKind kind, std::string_view pointer,
                                  std::vector<Finding>* findings);

// Parses a whole policy file.
std::optional<Policy> ParsePolicyText(std::string_view text, PolicyKind kind,
                                      std::vector<Finding>* findings);

// The finding for a JSON-level error.
Finding JsonErrorFinding(const json::Error& error);

// Policy-variable syntax check of one string: "${name}" or "${name, 'default'}", where name
// is a context key or one of "*", "?", "$". Returns an error message, or "" when valid.
std::string CheckVariables(std::string_view s);

}  // namespace arbiter

#endif  // ARBITER_COMPILER_POLICY_PARSER_H_
