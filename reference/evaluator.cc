#include "reference/evaluator.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "compiler/credentials.h"
#include "core/glob.h"
#include "core/strings.h"
#include "core/values.h"

namespace arbiter {
namespace {

using Context = absl::flat_hash_map<std::string, ContextValue>;

// ---------------------------------------------------------------------------------------
// Policy variables.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
// Under Version 2012-10-17, "${key}" takes the request's value of `key`, "${key, 'x'}"
// falls back to 'x', and ${*} ${?} ${$} stand for the literal characters. Text that comes
// from a substitution is literal: a '*' in a tag value is not a wildcard. A variable whose
// key is missing (with no default) or multivalued has no value, and the text holding it
// equals and is like nothing (reference_policies_variables.html, "Policy variables with no
// value"): such a Condition operand matches no value, so StringEquals/StringLike do not
// match while "inverted condition operators like StringNotEquals or StringNotLike do match
// against a null value" (the page's own Deny example denies when the tag is not set); such
// a Resource or NotResource entry "will not match any resource". The older note under
// "Principal key values" (an attempt to match "causes the statement to be invalid") reads
// otherwise; the worked example decides.

struct Resolved {
  std::string text;
  std::vector<bool> literal;  // per byte: came from a substitution
};

std::optional<Resolved> Substitute(std::string_view s, PolicyVersion version,
                                   const Context& context) {
  Resolved out;
  if (version != PolicyVersion::k2012_10_17 || !StrContains(s, "${")) {
    out.text = std::string(s);
    return out;
  }
  auto append = [&](std::string_view text, bool literal) {
    out.text.append(text);
    out.literal.resize(out.text.size(), literal);
  };
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = s.find("${", i);
    if (start == std::string_view::npos) {
      append(s.substr(i), false);
      break;
    }
    append(s.substr(i, start - i), false);
    const std::optional<VariableToken> token = ScanVariable(s, start);
    if (!token) {  // not a variable: the rest is plain text
      append(s.substr(start), false);
      break;
    }
    const std::string_view name = token->name;
    const std::optional<std::string_view> fallback = token->fallback;
    i = token->end;
    if (name == "*" || name == "?" || name == "$") {
      append(name, true);
      continue;
    }
    auto it = context.find(AsciiStrToLower(name));
    if (it != context.end() && it->second.values.size() == 1 && !it->second.multi) {
      append(it->second.values[0], true);
    } else if (fallback && (it == context.end() || it->second.values.empty())) {
      append(*fallback, true);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Condition operators.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

// Arn* operators: "Each of the six colon-delimited components of the ARN is checked
// separately and each can include multi-character match wildcards (*) or single-character
// match wildcards (?)." A request value that is not an ARN never matches.
bool ArnOperandMatches(const Resolved& pattern, std::string_view value) {
  const std::optional<ArnParts> v = SplitArn(value);
  if (!v) return false;
  const std::optional<ArnParts> p = SplitArn(pattern.text);
  if (!p) return Glob(pattern.text, GlobMode::kString, pattern.literal).Matches(value);
  const std::string_view pp[] = {p->partition, p->service, p->region, p->account, p->resource};
  const std::string_view vp[] = {v->partition, v->service, v->region, v->account, v->resource};
  size_t offset = 4;  // "arn:"
  for (int k = 0; k < 5; ++k) {
    std::vector<bool> lit;
    for (size_t b = 0; b < pp[k].size(); ++b) {
      const size_t at = offset + b;
      lit.push_back(at < pattern.literal.size() && pattern.literal[at]);
    }
    if (!Glob(pp[k], GlobMode::kString, lit).Matches(vp[k])) return false;
    offset += pp[k].size() + 1;
  }
  return true;
}

// Does one request value satisfy a positive operator against one policy value?
bool MatchOne(Operator op, std::string_view value, const Resolved& pv) {
  switch (op) {
    case Operator::kStringEquals:
      return value == pv.text;
    case Operator::kStringEqualsIgnoreCase:
      return EqualsIgnoreCase(value, pv.text);
    case Operator::kStringLike:
      return Glob(pv.text, GlobMode::kString, pv.literal).Matches(value);
    case Operator::kNumericEquals:
    case Operator::kNumericLessThan:
    case Operator::kNumericLessThanEquals:
    case Operator::kNumericGreaterThan:
    case Operator::kNumericGreaterThanEquals: {
      const auto a = ParseNumber(value);
      const auto b = ParseNumber(pv.text);
      return a && b && OrderedCompare(op, *a, *b);
    }
    case Operator::kDateEquals:
    case Operator::kDateLessThan:
    case Operator::kDateLessThanEquals:
    case Operator::kDateGreaterThan:
    case Operator::kDateGreaterThanEquals: {
      const auto a = ParseDateMillis(value);
      const auto b = ParseDateMillis(pv.text);
      return a && b && OrderedCompare(op, *a, *b);
    }
    case Operator::kBool: {
      const auto a = ParseBool(value);
      const auto b = ParseBool(pv.text);
      return a && b && *a == *b;
    }
    case Operator::kBinaryEquals:
      // Both sides are base64 text of the binary value.
      return value == pv.text;
    case Operator::kIpAddress: {
      const auto net = ParseCidr(pv.text);
      const auto addr = ParseCidr(value);  // an address, not a network
      return net && addr && addr->prefix == (addr->v6 ? 128 : 32) && net->Contains(*addr);
    }
    case Operator::kArnEquals:
    case Operator::kArnLike:
      return ArnOperandMatches(pv, value);
    default:
      return false;  // negated operators and Null never reach here
  }
}

}  // namespace

// Rules for one (operator, key) entry, from the IAM User Guide:
// - The values of one key are ORed; a negated operator NORs them: "If a single negated
//   matching condition operator includes multiple values for a context key, the resulting
//   values are NOR'ed" (reference_policies_multi-value-conditions.html).
// - A missing key makes a positive operator false and a negated one true; IfExists makes
//   it true (reference_policies_elements_condition_operators.html#Conditions_IfExists).
// - ForAllValues is true when the key is missing or empty, ForAnyValue false
//   (reference_policies_condition-single-vs-multi-valued-context-keys.html).
// - Null: "true" matches an absent key, "false" a present one.
// - A multivalued request value used without a set qualifier matches when any of its
//   values matches (and a negated operator when none does).
namespace {

enum class Match { kFalse, kTrue };

Match EvalCondition(const Condition& c, PolicyVersion version, const Context& context) {
  const OperatorInfo& info = Info(c.op.op);
  auto it = context.find(AsciiStrToLower(c.key));
  const bool present = it != context.end() && !it->second.values.empty();
  // A value that "resolves to a null dataset, such as an empty string" is null for the
  // Null operator and an empty set for the set qualifiers
  // (reference_policies_condition-single-vs-multi-valued-context-keys.html); other
  // operators compare "" as a value (s3:prefix "" lists a bucket's root).
  const bool null_dataset =
      !present || (it->second.values.size() == 1 && it->second.values[0].empty());
  auto result = [](bool b) { return b ? Match::kTrue : Match::kFalse; };
  if (c.op.op == Operator::kNull) {
    for (const std::string& v : c.values) {
      const std::optional<bool> want_absent = ParseBool(v);
      if (want_absent && *want_absent == null_dataset) return Match::kTrue;
    }
    return Match::kFalse;
  }
  if (!present) {
    if (c.op.if_exists || c.op.qualifier == SetQualifier::kForAllValues) return Match::kTrue;
    if (c.op.qualifier == SetQualifier::kForAnyValue) return Match::kFalse;
    return result(info.negated);
  }
  if (null_dataset && c.op.qualifier != SetQualifier::kNone) {
    return result(c.op.qualifier == SetQualifier::kForAllValues);
  }
  // "You can't use a policy variable with the Numeric/Date/Binary/IpAddress condition
  // operator" (reference_policies_elements_condition_operators.html): there "${" is text.
  const bool variables = OperatorTakesVariables(c.op.op);
  std::vector<Resolved> pvs;
  for (const std::string& v : c.values) {
    std::optional<Resolved> r =
        Substitute(v, variables ? version : PolicyVersion::k2008_10_17, context);
    if (r) pvs.push_back(std::move(*r));  // with no value it matches nothing (see Substitute)
  }
  auto matches = [&](std::string_view value) {
    for (const Resolved& pv : pvs) {
      if (MatchOne(info.positive, value, pv)) return true;
    }
    return false;
  };
  auto single = [&](std::string_view value) { return info.negated != matches(value); };
  const std::vector<std::string>& values = it->second.values;
  switch (c.op.qualifier) {
    case SetQualifier::kNone: {
      const bool any = std::any_of(values.begin(), values.end(), matches);
      return result(info.negated != any);
    }
    case SetQualifier::kForAnyValue:
      return result(std::any_of(values.begin(), values.end(), single));
    case SetQualifier::kForAllValues:
      return result(std::all_of(values.begin(), values.end(), single));
  }
  return Match::kFalse;
}

}  // namespace

bool ReferenceConditionMatches(const Condition& c, PolicyVersion version, const Context& context) {
  return EvalCondition(c, version, context) == Match::kTrue;
}

namespace {

// How a resource policy's Principal matched the caller; it decides which implicit denies
// can still stop a same-account grant (see Decide below).
enum class PrincipalMatch { kNone, kAccount, kRole, kDirect };

bool IsAccountPrincipal(std::string_view s, std::string* account) {
  if (IsAccountId(s)) {
    *account = std::string(s);
    return true;
  }
  const auto arn = SplitArn(s);
  if (arn && arn->service == "iam" && arn->resource == "root") {
    *account = std::string(arn->account);
    return true;
  }
  return false;
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// An account (id or :root ARN) matches every principal of that account, delegating the
// decision to its identity-based policies; a role ARN matches every session of the role;
// "*" matches everyone, anonymous callers included.
PrincipalMatch MatchPrincipal(const PrincipalSpec& spec, const PrincipalEntry& p) {
  if (spec.wildcard) return PrincipalMatch::kDirect;
  PrincipalMatch best = PrincipalMatch::kNone;
  for (const std::string& a : spec.aws) {
    if (a == "*") return PrincipalMatch::kDirect;
    if (p.type == PrincipalType::kAnonymous || p.type == PrincipalType::kAWSService) continue;
    std::string account;
    if (IsAccountPrincipal(a, &account)) {
      if (account == p.account && SamePartition(a, p.principal_arn)) {
        best = std::max(best, PrincipalMatch::kAccount);
      }
    } else if (a == p.arn) {
      return PrincipalMatch::kDirect;
    } else if (a == p.principal_arn) {
      best = std::max(best, PrincipalMatch::kRole);
    }
  }
  if (p.type == PrincipalType::kAWSService) {
    for (const std::string& s : spec.service) {
      if (s == p.arn || s == "*") return PrincipalMatch::kDirect;
    }
  }
  for (const std::string& f : spec.federated) {
    if (f == p.arn || f == p.principal_arn) return PrincipalMatch::kDirect;
  }
  return best;
}

// NotPrincipal with Deny: "AWS verifies the account, then the role, then the assumed-role user"
// (reference_policies_elements_notprincipal.html), so a caller is excluded only when every
// layer of its identity is listed: the account, the role and the session for a role
// session; the account and the user for an IAM user.
bool ExcludedByNotPrincipal(const PrincipalSpec& spec, const PrincipalEntry& p) {
  if (spec.wildcard) return true;
  auto listed = [&](std::string_view arn) {
    return std::find(spec.aws.begin(), spec.aws.end(), arn) != spec.aws.end();
  };
  if (listed("*")) return true;
  switch (p.type) {
    case PrincipalType::kAnonymous:
      return false;
    case PrincipalType::kAWSService:
      return std::find(spec.service.begin(), spec.service.end(), p.arn) != spec.service.end();
    default:
      break;
  }
  bool account_listed = false;
  for (const std::string& a : spec.aws) {
    std::string account;
    if (IsAccountPrincipal(a, &account) && account == p.account) account_listed = true;
  }
  if (!account_listed) return false;
  if (p.type == PrincipalType::kAccount) return true;
  if (p.type == PrincipalType::kAssumedRole && p.principal_arn != p.arn &&
      !listed(p.principal_arn)) {
    return false;
  }
  return listed(p.arn);
}

bool ActionMatches(const Statement& st, std::string_view action) {
  bool any = false;
  for (const std::string& a : st.actions) {
    if (GlobMatch(a, action, GlobMode::kAction)) {
      any = true;
      break;
    }
  }
  return any != st.not_action;
}

bool ResourceMatches(const Statement& st, std::string_view resource, PolicyVersion version,
                     const Context& context) {
  if (!st.has_resource) return true;  // a resource policy's own resource
  bool any = false;
  for (const std::string& r : st.resources) {
    const std::optional<Resolved> pattern = Substitute(r, version, context);
    if (!pattern) continue;  // a variable with no value: matches no resource
    any = any || Glob(pattern->text, GlobMode::kArn, pattern->literal).Matches(resource);
  }
  return any != st.not_resource;
}

bool ConditionsMatch(const Statement& st, PolicyVersion version, const Context& context) {
  for (const Condition& c : st.conditions) {
    if (EvalCondition(c, version, context) != Match::kTrue) return false;
  }
  return true;
}

// Service-linked roles are not limited by SCPs or RCPs.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
bool IsServiceLinkedRole(const PrincipalEntry& p) {
  return p.type == PrincipalType::kAssumedRole && IsServiceLinkedRoleArn(p.principal_arn);
}

Context BuildContext(const World& world, const Request& req, const PrincipalEntry& p,
                     const ResourceEntry* resource, const std::string& resource_account) {
  Context ctx = req.context;
  auto derive = [&](std::string key, std::string value) {
    ctx.try_emplace(AsciiStrToLower(key), ContextValue{{std::move(value)}, false});
  };
  const bool iam = p.type != PrincipalType::kAnonymous && p.type != PrincipalType::kAWSService;
  if (iam) {
    derive("aws:PrincipalArn", p.principal_arn);
    if (!p.account.empty()) derive("aws:PrincipalAccount", p.account);
  }
  if (p.type != PrincipalType::kAWSService) {
    derive("aws:PrincipalType", std::string(PrincipalTypeName(p.type)));
  }
  if (p.user_id) {
    derive("aws:userid", *p.user_id);
  } else if (p.type == PrincipalType::kAccount) {
    derive("aws:userid", p.account);
  } else if (p.type == PrincipalType::kAnonymous) {
    // "Principal key values": an anonymous caller's aws:userid is "anonymous"; a
    // federated user's is "account:caller-specified-name"
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
    derive("aws:userid", "anonymous");
  } else if (p.type == PrincipalType::kFederatedUser) {
    if (const auto arn = SplitArn(p.arn); arn && StartsWith(arn->resource, "federated-user/")) {
      derive("aws:userid", StrCat(p.account, ":", arn->resource.substr(15)));
    }
  }
  if (p.type == PrincipalType::kUser && p.username) derive("aws:username", *p.username);
  for (const auto& [k, v] : p.tags) derive(StrCat("aws:PrincipalTag/", k), v);
  if (world.org_id && iam && world.org_accounts.contains(p.account)) {
    derive("aws:PrincipalOrgID", *world.org_id);
  }
  if (!resource_account.empty()) {
    derive("aws:ResourceAccount", resource_account);
    if (world.org_id && world.org_accounts.contains(resource_account)) {
      derive("aws:ResourceOrgID", *world.org_id);
    }
  }
  if (resource) {
    for (const auto& [k, v] : resource->tags) derive(StrCat("aws:ResourceTag/", k), v);
  }
  return ctx;
}

struct Scope {
  const World& world;
  const Request& req;
  const PrincipalEntry& principal;
  const Context& context;
};

// Statements of `name` that apply to the request with effect `effect`; with a principal
// element (resource policies and RCPs) the caller must match it. `match` receives the
// strongest Principal match among applying Allow statements.
std::vector<Reason> Applying(Scope& s, const std::string& name, PolicyRole role, Effect effect,
                             PrincipalMatch* match = nullptr) {
  std::vector<Reason> out;
  const Policy* policy = s.world.FindPolicy(name);
  if (!policy) return out;
  const bool principal_policy = role == PolicyRole::kResource || role == PolicyRole::kRcp;
  for (size_t i = 0; i < policy->statements.size(); ++i) {
    const Statement& st = policy->statements[i];
    if (st.effect != effect) continue;
    PrincipalMatch m = PrincipalMatch::kDirect;
    if (principal_policy) {
      if (!st.principal) continue;
      if (st.not_principal) {
        // "The NotPrincipal element with a Deny effect will always deny any IAM principal
        // that has a permissions boundary policy attached" (access_policies_boundaries.html).
        const bool boundary_gotcha =
            effect == Effect::kDeny && s.principal.permissions_boundary.has_value();
        if (boundary_gotcha) {
          // applies whatever is listed
        } else if (effect == Effect::kDeny) {
          if (ExcludedByNotPrincipal(*st.principal, s.principal)) continue;
        } else if (MatchPrincipal(*st.principal, s.principal) != PrincipalMatch::kNone) {
          // With Allow, NotPrincipal "allows all principals except the ones specified"
          // (reference_policies_elements_notprincipal.html): a plain exclusion.
          continue;
        }
      } else {
        m = MatchPrincipal(*st.principal, s.principal);
        if (m == PrincipalMatch::kNone) continue;
      }
    }
    if (!ActionMatches(st, s.req.action)) continue;
    if (!ResourceMatches(st, s.req.resource, policy->version, s.context)) continue;
    if (!ConditionsMatch(st, policy->version, s.context)) continue;
    if (match) *match = std::max(*match, m);
    out.push_back(Reason{name, role, st.sid, i, effect});
  }
  return out;
}

void Append(std::vector<Reason>* to, std::vector<Reason> from) {
  to->insert(to->end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

EvalResult EvaluatePolicies(const World& world, const Request& req,
                            const PrincipalEntry& principal) {
  EvalResult result;
  const ResourceEntry* resource = req.resource == "*" ? nullptr : world.FindResource(req.resource);
  const std::optional<ArnParts> arn = SplitArn(req.resource);
  std::string resource_account;
  if (req.resource_account) {
    resource_account = *req.resource_account;
  } else if (resource && resource->account) {
    resource_account = *resource->account;
  } else if (arn && NamesOwner(arn->account)) {
    // AWS-owned resources ("aws" in arn:aws:iam::aws:policy/ReadOnlyAccess, or nothing) are
    // not another account's; any other value names the owner, even one that is not a
    // well-formed account id (then no caller is its owner: cross-account, fail closed).
    resource_account = std::string(arn->account);
  }
  const Context context = BuildContext(world, req, principal, resource, resource_account);
  Scope s{world, req, principal, context};

  const bool iam_principal =
      principal.type != PrincipalType::kAnonymous && principal.type != PrincipalType::kAWSService;
  const std::string_view service = std::string_view(req.action).substr(0, req.action.find(':'));

  // Which organization policies apply.
  // SCPs limit IAM principals of member accounts (not service-linked roles):
  // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
  const OrgAccount* scp_account = nullptr;
  if (iam_principal && !IsServiceLinkedRole(principal)) {
    auto it = world.org_accounts.find(principal.account);
    if (it != world.org_accounts.end()) scp_account = &it->second;
  }
  // RCPs limit access to resources of member accounts, whoever the caller is. A resource
  // whose owner nothing names is evaluated as the caller's own (same-account rules below),
  // so the caller's account's RCPs apply to it too: assuming the same account for the
  // grants and not for the guardrails would let an unnamed owner escape its RCPs. An action
  // that authorizes no resource ("*") falls under the caller's account's RCPs as well: RCPs
  // apply to the resources in the action's "Resource type" column, and for an action with
  // none, to the calling principal's account (orgs_manage_policies_rcps.html, "RCP effects
  // on permissions"; AWS's data-perimeter RCPs list sts:GetFederationToken for this reason).
  const std::string_view rcp_owner = !resource_account.empty()
                                         ? std::string_view(resource_account)
                                         : std::string_view(principal.account);
  const OrgAccount* rcp_account = nullptr;
  if (!rcp_owner.empty() && RcpGovernsAction(req.action) && !IsServiceLinkedRole(principal)) {
    auto it = world.org_accounts.find(ToAbsl(rcp_owner));
    if (it != world.org_accounts.end()) rcp_account = &it->second;
  }
  // A role's resource-based policy is its trust policy: it says who may assume the role
  // (sts: actions) and nothing about managing it, which identity policies decide
  // (reference_policies_elements_principal.html, "The IAM resource-based policy type is a
  // role trust policy").
  const bool role_resource = IsRoleArn(arn);
  const bool sts_action = EqualsIgnoreCase(service, "sts");
  const std::optional<std::string> resource_policy =
      resource && resource->policy && (!role_resource || sts_action) ? resource->policy
                                                                     : std::nullopt;

  // 1. Explicit deny anywhere wins.
  std::vector<Reason> denies;
  for (const auto& n : principal.identity_policies) {
    Append(&denies, Applying(s, n, PolicyRole::kIdentity, Effect::kDeny));
  }
  if (principal.permissions_boundary) {
    Append(&denies,
           Applying(s, *principal.permissions_boundary, PolicyRole::kBoundary, Effect::kDeny));
  }
  for (const auto& n : principal.session_policies) {
    Append(&denies, Applying(s, n, PolicyRole::kSession, Effect::kDeny));
  }
  if (scp_account) {
    for (const auto& level : scp_account->scps) {
      for (const auto& n : level) Append(&denies, Applying(s, n, PolicyRole::kScp, Effect::kDeny));
    }
  }
  if (rcp_account) {
    for (const auto& level : rcp_account->rcps) {
      for (const auto& n : level) Append(&denies, Applying(s, n, PolicyRole::kRcp, Effect::kDeny));
    }
  }
  if (resource_policy) {
    Append(&denies, Applying(s, *resource_policy, PolicyRole::kResource, Effect::kDeny));
  }
  if (!denies.empty()) {
    result.decision = Decision::kExplicitDeny;
    result.reasons = std::move(denies);
    return result;
  }

  // 2. SCPs: every level must allow. RCPs: RCPFullAWSAccess is attached at every level and
  // cannot be detached, so they never lack an Allow; only their denies count (above).
  std::vector<Reason> allows;
  if (scp_account) {
    for (const auto& level : scp_account->scps) {
      std::vector<Reason> level_allows;
      for (const auto& n : level)
        Append(&level_allows, Applying(s, n, PolicyRole::kScp, Effect::kAllow));
      if (level_allows.empty()) return result;  // implicit deny
      Append(&allows, std::move(level_allows));
    }
  }

  // 3. Resource-based policy.
  PrincipalMatch rp = PrincipalMatch::kNone;
  std::vector<Reason> rp_allows;
  if (resource_policy) {
    rp_allows = Applying(s, *resource_policy, PolicyRole::kResource, Effect::kAllow, &rp);
  }
  if (!iam_principal) {
    // Anonymous and service principals have no identity policies: only a resource-based
    // policy that names them can allow.
    if (rp != PrincipalMatch::kNone) {
      result.decision = Decision::kAllow;
      Append(&allows, std::move(rp_allows));
      result.reasons = std::move(allows);
    }
    return result;
  }

  // 4. Identity side: identity-based policies, limited by the boundary and session policies.
  std::vector<Reason> id_allows;
  for (const auto& n : principal.identity_policies) {
    Append(&id_allows, Applying(s, n, PolicyRole::kIdentity, Effect::kAllow));
  }
  // "all requests are implicitly denied with the exception of the AWS account root user,
  // which has full access" (reference_policies_evaluation-logic_policy-eval-denyallow.html).
  const bool identity_allows = !id_allows.empty() || principal.type == PrincipalType::kAccount;
  std::vector<Reason> boundary_allows;
  if (principal.permissions_boundary) {
    boundary_allows =
        Applying(s, *principal.permissions_boundary, PolicyRole::kBoundary, Effect::kAllow);
  }
  const bool boundary_ok = !principal.permissions_boundary || !boundary_allows.empty();
  std::vector<Reason> session_allows;
  for (const auto& n : principal.session_policies) {
    Append(&session_allows, Applying(s, n, PolicyRole::kSession, Effect::kAllow));
  }
  // A federated user session (GetFederationToken) has only what its session policy allows:
  // without one it has no permissions (access_policies.html#policies_session).
  const bool session_ok = principal.session_policies.empty()
                              ? principal.type != PrincipalType::kFederatedUser
                              : !session_allows.empty();
  const bool identity_side = identity_allows && boundary_ok && session_ok;

  // 5. Combine.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
  // Same account: the resource policy and the identity side are a union, except that
  // - a grant to the account delegates to the identity side (it grants nothing alone);
  // - a grant to the role ARN is added to the role's permissions before the session
  //   policy and boundary apply, so their implicit denies still limit it;
  // - a grant to the user or session ARN itself (or to "*") is not limited by an implicit
  //   deny in the identity policies, the boundary or the session policy
  //   (access_policies_boundaries.html, access_policies.html#policies_session).
  // KMS key policies, and role trust policies for the sts: actions that assume the role,
  // must allow the account for IAM policies to count at all
  // (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html,
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
  // Cross account: both the resource policy and the identity side must allow
  // (reference_policies_evaluation-logic-cross-account.html).
  const bool same_account = resource_account.empty() || resource_account == principal.account;
  bool allowed = false;
  if (same_account) {
    bool identity_counts = identity_side;
    // "Unless the key policy explicitly allows it, you cannot use IAM policies to allow
    // access to a KMS key": a key whose policy the world does not give allows nothing.
    const bool kms_key = arn && arn->service == "kms" && StartsWith(arn->resource, "key/");
    const bool assumed_role = resource_policy && role_resource && sts_action;
    if ((kms_key || assumed_role) && rp == PrincipalMatch::kNone) identity_counts = false;
    if (rp == PrincipalMatch::kDirect) {
      allowed = true;
      Append(&allows, std::move(rp_allows));
    } else if (rp == PrincipalMatch::kRole && boundary_ok && session_ok) {
      allowed = true;
      Append(&allows, std::move(rp_allows));
      Append(&allows, std::move(boundary_allows));
      Append(&allows, std::move(session_allows));
    } else if (identity_counts) {
      allowed = true;
      Append(&allows, std::move(id_allows));
      Append(&allows, std::move(boundary_allows));
      Append(&allows, std::move(session_allows));
      if (rp != PrincipalMatch::kNone) Append(&allows, std::move(rp_allows));
    }
  } else if (rp != PrincipalMatch::kNone && identity_side) {
    allowed = true;
    Append(&allows, std::move(id_allows));
    Append(&allows, std::move(boundary_allows));
    Append(&allows, std::move(session_allows));
    Append(&allows, std::move(rp_allows));
  }
  if (allowed) {
    result.decision = Decision::kAllow;
    result.reasons = std::move(allows);
  }
  return result;
}

}  // namespace

EvalResult ReferenceEvaluate(const World& world, const Request& req) {
  const PrincipalEntry* known = world.FindPrincipal(req.principal);
  const PrincipalEntry principal = known ? *known : DerivePrincipal(req.principal);
  // What the caller's kind of credentials allows whatever the policies say
  // (compiler/credentials.h): GetCallerIdentity, GetSessionToken, and the limits of STS
  // credentials.
  return WithCredentialLimits(principal.type, req.action,
                              [&] { return EvaluatePolicies(world, req, principal); });
}

}  // namespace arbiter
