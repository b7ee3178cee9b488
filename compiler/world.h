// A world (SPEC section 2) and a request (SPEC section 3), validated and typed.
//
// Worlds are immutable after loading and safe to share across threads. Loading is linear
// in the file and fails closed: any error means no World.
#ifndef ARBITER_COMPILER_WORLD_H_
#define ARBITER_COMPILER_WORLD_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "compiler/finding.h"
#include "compiler/policy.h"
#include "json/json.h"

namespace arbiter {

enum class PrincipalType { kUser, kAssumedRole, kFederatedUser, kAccount, kAWSService, kAnonymous };
std::string_view PrincipalTypeName(PrincipalType type);  // as aws:PrincipalType spells it
std::optional<PrincipalType> ParsePrincipalType(std::string_view name);

using Tags = std::vector<std::pair<std::string, std::string>>;

struct PrincipalEntry {
  std::string arn;            // as requests name it
  std::string principal_arn;  // aws:PrincipalArn (a session's role ARN)
  PrincipalType type = PrincipalType::kUser;
  std::string account;  // "" for anonymous and service principals
  std::optional<std::string> user_id;
  std::optional<std::string> username;
  Tags tags;
  std::vector<std::string> identity_policies;
  std::optional<std::string> permissions_boundary;
  std::vector<std::string> session_policies;
};

// Whether a role (by its ARN) is service-linked: under /aws-service-role/, or named
// AWSServiceRoleFor... as every service-linked role is (a session's ARN keeps no path).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html
bool IsServiceLinkedRoleArn(std::string_view role_arn);

// What the ARN alone implies: type, principal_arn, account and (for IAM users) username.
// "*" is the anonymous principal; a name without "arn:" (s3.amazonaws.com) a service.
PrincipalEntry DerivePrincipal(std::string_view arn);

struct ResourceEntry {
  std::string arn;
  std::optional<std::string> account;
  std::optional<std::string> policy;
  Tags tags;
};

struct OrgAccount {
  std::vector<std::vector<std::string>> scps;  // levels, root first
  std::vector<std::vector<std::string>> rcps;
};

struct World {
  std::map<std::string, Policy, std::less<>> policies;
  std::vector<PrincipalEntry> principals;
  absl::flat_hash_map<std::string, size_t> principal_by_arn;
  std::vector<ResourceEntry> resources;
  std::optional<std::string> org_id;
  absl::flat_hash_map<std::string, OrgAccount> org_accounts;

  const PrincipalEntry* FindPrincipal(std::string_view arn) const;
  // The longest entry equal to `arn` or a prefix of it followed by '/' or ':'.
  const ResourceEntry* FindResource(std::string_view arn) const;
  const Policy* FindPolicy(std::string_view name) const;
};

// AWS manages these two; a world may reference them without defining them.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
inline constexpr std::string_view kFullAWSAccess = "FullAWSAccess";
inline constexpr std::string_view kRCPFullAWSAccess = "RCPFullAWSAccess";

inline constexpr size_t kMaxWorldBytes = 256u << 20;

// Parses and validates a world file. Findings carry offsets into `text`. A policy is
// validated for every kind of use the world makes of it (identity, boundary, session, SCP,
// RCP, resource; at most six passes over it); FullAWSAccess and RCPFullAWSAccess, unless
// "policies" defines them, are built in only as an SCP and as an RCP respectively.
std::optional<World> LoadWorld(std::string_view text, std::vector<Finding>* findings);
// The same for a world already parsed (with limits.max_bytes = kMaxWorldBytes).
std::optional<World> LoadWorld(const json::Value& root, std::vector<Finding>* findings);

// A context value: one or several strings (numbers and booleans as their JSON text).
struct ContextValue {
  std::vector<std::string> values;
  bool multi = false;  // given as an array
};

struct Request {
  std::string principal;
  std::string action;
  std::string resource;
  std::optional<std::string> resource_account;
  // Keys lower-cased (context keys are case-insensitive); no duplicates.
  absl::flat_hash_map<std::string, ContextValue> context;
};

// Longest principal, action, resource or resource_account a request may give, and the
// most context keys (AWS request contexts carry dozens; the engine scans them per
// condition key, so the cap bounds that work).
inline constexpr size_t kMaxRequestField = 8192;  // characters, for context values too
inline constexpr size_t kMaxContextKeys = 1024;
inline constexpr size_t kMaxContextValues = 1024;  // values of one multivalued key

// What a request's "action" and "resource" must be (SPEC section 3). An action is
// "service:ActionName": the service prefix letters, digits and '-', the name letters,
// digits, '-', '_' and '.' (AWS's action names use letters and digits; no wildcard, white
// space or second ':'). A resource is "*" or an ARN: "arn:" (lower case), then partition and
// service (letters, digits, '-'), region, account and resource, six ':'-separated fields;
// the region, account and resource are free text (the resource keeps further ':').
bool IsRequestAction(std::string_view action);
bool IsRequestResource(std::string_view resource);

// Parses one JSON Lines request. On failure returns false and sets `error`. A request
// whose action or resource is malformed (above) is refused.
bool ParseRequest(std::string_view line, Request* out, std::string* error);

}  // namespace arbiter

#endif  // ARBITER_COMPILER_WORLD_H_
