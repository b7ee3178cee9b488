#include "compiler/world.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "compiler/policy_parser.h"
#include "core/strings.h"
#include "core/values.h"
#include "json/json.h"
#include "tbb/parallel_for.h"

namespace arbiter {
namespace {

using json::Member;
using json::Type;
using json::Value;

constexpr std::pair<PrincipalType, std::string_view> kTypeNames[] = {
    {PrincipalType::kUser, "User"},
    {PrincipalType::kAssumedRole, "AssumedRole"},
    {PrincipalType::kFederatedUser, "FederatedUser"},
    {PrincipalType::kAccount, "Account"},
    {PrincipalType::kAWSService, "AWSService"},
    {PrincipalType::kAnonymous, "Anonymous"},
};

Policy BuiltinAllowAll(bool with_principal) {
  Policy p;
  p.version = PolicyVersion::k2012_10_17;
  p.has_version = true;
  Statement s;
  s.effect = Effect::kAllow;
  s.actions = {"*"};
  s.has_resource = true;
  s.resources = {"*"};
  if (with_principal) {
    s.principal = PrincipalSpec{};
    s.principal->wildcard = true;
  }
  p.statements.push_back(std::move(s));
  return p;
}

// How a finding names a use of a policy ("... (used as an SCP at /organization/...)").
std::string_view UseName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kIdentity:
      return "an identity policy";
    case PolicyKind::kBoundary:
      return "a permissions boundary";
    case PolicyKind::kSession:
      return "a session policy";
    case PolicyKind::kScp:
      return "an SCP";
    case PolicyKind::kRcp:
      return "an RCP";
    case PolicyKind::kResource:
      return "a resource-based policy";
    case PolicyKind::kStandalone:
      break;
  }
  return "a policy";
}

// Validates a world's JSON. Policies are parsed once their uses are known (a use decides
// which elements a policy needs), after every reference has been collected; a policy with
// several kinds of use is validated once per kind.
class WorldLoader {
 public:
  explicit WorldLoader(std::vector<Finding>* findings) : findings_(findings) {}

  std::optional<World> Run(const Value& root) {
    if (!root.is_object()) {
      Error(root.offset, "wrong-type", "a world must be a JSON object", "");
      return std::nullopt;
    }
    CheckDuplicates(root, "");
    const Value* policies = nullptr;
    for (const Member& m : root.members) {
      const std::string p = json::PointerAppend("", m.key);
      if (m.key == "policies") {
        if (Expect(m.value, Type::kObject, p)) policies = &m.value;
      } else if (m.key == "principals") {
        if (Expect(m.value, Type::kArray, p)) {
          for (size_t i = 0; i < m.value.elements.size(); ++i) {
            Principal(m.value.elements[i], json::PointerAppend(p, i));
          }
        }
      } else if (m.key == "resources") {
        if (Expect(m.value, Type::kArray, p)) {
          for (size_t i = 0; i < m.value.elements.size(); ++i) {
            Resource(m.value.elements[i], json::PointerAppend(p, i));
          }
        }
      } else if (m.key == "organization") {
        Organization(m.value, p);
      } else {
        Error(m.key_offset, "unknown-key",
              StrCat("unknown world element \"", m.key,
                     "\"; expected policies, principals, resources or organization"),
              p);
      }
    }
    if (policies) {
      CheckDuplicates(*policies, "/policies");
      // Each policy is validated on its own, so they are validated in parallel; their
      // findings and definitions are then taken in document order (the first of two
      // policies with one name wins, as before).
      std::vector<Defined> defined(policies->members.size());
      tbb::parallel_for(size_t{0}, defined.size(),
                        [&](size_t i) { defined[i] = DefinePolicy(policies->members[i]); });
      for (size_t i = 0; i < defined.size(); ++i) {
        findings_->insert(findings_->end(), std::make_move_iterator(defined[i].findings.begin()),
                          std::make_move_iterator(defined[i].findings.end()));
        if (defined[i].policy) {
          world_.policies.emplace(policies->members[i].key, std::move(*defined[i].policy));
        }
      }
    }
    // Names that "policies" does not define: AWS's two built-in policies, each only in its
    // own slot, whatever the order of the keys that name it; anything else is unknown.
    absl::flat_hash_set<absl::string_view> defined;  // O(1) per name, not a scan per use
    if (policies) {
      for (const Member& m : policies->members) defined.insert(ToAbsl(m.key));
    }
    for (const auto& [name, refs] : uses_) {
      if (defined.contains(ToAbsl(name))) continue;  // defined (invalid ones are reported)
      const bool scp_builtin = name == kFullAWSAccess;
      const bool rcp_builtin = name == kRCPFullAWSAccess;
      bool used_in_slot = false;
      for (const Reference& ref : refs) {
        if ((scp_builtin && ref.kind == PolicyKind::kScp) ||
            (rcp_builtin && ref.kind == PolicyKind::kRcp)) {
          used_in_slot = true;
          continue;
        }
        std::string message = StrCat("\"", name, "\" is not a key of \"policies\"");
        if (scp_builtin) {
          StrAppend(&message, "; the built-in FullAWSAccess is an SCP, usable only in \"scps\"");
        } else if (rcp_builtin) {
          StrAppend(&message, "; the built-in RCPFullAWSAccess is an RCP, usable only in \"rcps\"");
        }
        Error(ref.offset, "unknown-policy", std::move(message), ref.pointer);
      }
      if (used_in_slot) world_.policies.emplace(name, BuiltinAllowAll(rcp_builtin));
    }
    if (HasError(*findings_)) return std::nullopt;
    return std::move(world_);
  }

 private:
  struct Reference {
    PolicyKind kind;
    size_t offset;
    std::string pointer;
  };

  // Validates policy `m` (a member of "policies") for each kind of use the world makes of
  // it (an unused one as a standalone document), and defines it when every use is valid.
  //
  // Findings that every use produces are reported once, as they are; a finding only some
  // uses produce names the first use that does ("... (used as an identity policy at
  // /principals/0/identity_policies/0)"), and a warning is dropped where another use makes
  // the same finding an error (bad-sid and duplicate-sid are lenient in resource policies).
  struct Defined {
    std::optional<Policy> policy;  // when every use is valid
    std::vector<Finding> findings;
  };
  // Reads only `m` and uses_, so calls may run concurrently.
  Defined DefinePolicy(const Member& m) const {
    Defined out;
    const std::string p = json::PointerAppend("/policies", m.key);
    std::vector<const Reference*> kinds;  // the first use of each kind, in document order
    if (auto it = uses_.find(m.key); it != uses_.end()) {
      for (const Reference& ref : it->second) {
        if (std::none_of(kinds.begin(), kinds.end(),
                         [&](const Reference* k) { return k->kind == ref.kind; })) {
          kinds.push_back(&ref);
        }
      }
    }
    if (kinds.size() <= 1) {
      const PolicyKind kind = kinds.empty() ? PolicyKind::kStandalone : kinds[0]->kind;
      out.policy = ParsePolicy(m.value, kind, p, &out.findings);
      return out;
    }
    // A well-formed policy's AST does not depend on the kind of use (the kinds differ in
    // what they reject and warn about), so the first use's AST stands for all.
    std::vector<std::vector<Finding>> found(kinds.size());
    std::optional<Policy> first;
    bool all_valid = true;
    for (size_t i = 0; i < kinds.size(); ++i) {
      std::optional<Policy> policy = ParsePolicy(m.value, kinds[i]->kind, p, &found[i]);
      all_valid &= policy.has_value();
      if (i == 0) first = std::move(policy);
    }
    using Key = std::tuple<Severity, size_t, std::string_view, std::string_view, std::string_view>;
    auto key = [](const Finding& f) {
      return Key{f.severity, f.offset, f.code, f.message, f.pointer};
    };
    std::map<Key, size_t> uses_with;  // how many uses make each finding
    std::set<std::tuple<size_t, std::string_view, std::string_view>> errors;
    for (const std::vector<Finding>& list : found) {
      std::set<Key> in_list;
      for (const Finding& f : list) {
        if (in_list.insert(key(f)).second) ++uses_with[key(f)];
        if (f.severity == Severity::kError) errors.insert({f.offset, f.code, f.pointer});
      }
    }
    std::set<Key> reported;
    std::vector<Finding> merged;
    for (size_t i = 0; i < kinds.size(); ++i) {
      for (const Finding& f : found[i]) {
        if (!reported.insert(key(f)).second) continue;
        if (f.severity == Severity::kWarning && errors.count({f.offset, f.code, f.pointer})) {
          continue;
        }
        Finding out = f;
        if (uses_with[key(f)] != kinds.size()) {
          StrAppend(&out.message, " (used as ", UseName(kinds[i]->kind), " at ", kinds[i]->pointer,
                    ")");
        }
        merged.push_back(std::move(out));
      }
    }
    out.findings = std::move(merged);
    if (all_valid) out.policy = std::move(first);
    return out;
  }

  void Error(size_t offset, std::string code, std::string message, std::string pointer) {
    findings_->push_back(
        {Severity::kError, offset, std::move(code), std::move(message), std::move(pointer)});
  }
  void Warning(size_t offset, std::string code, std::string message, std::string pointer) {
    findings_->push_back(
        {Severity::kWarning, offset, std::move(code), std::move(message), std::move(pointer)});
  }
  bool Expect(const Value& v, Type type, const std::string& pointer) {
    if (v.type == type) return true;
    Error(v.offset, "wrong-type",
          StrCat("expected ", json::TypeName(type), ", found ", json::TypeName(v.type)), pointer);
    return false;
  }
  void CheckDuplicates(const Value& obj, std::string_view pointer) {
    for (const json::Member* m : json::DuplicateMembers(obj)) {
      Error(m->key_offset, "duplicate-key", StrCat("duplicate key \"", m->key, "\""),
            json::PointerAppend(pointer, m->key));
    }
  }

  // Records a use of policy `v` (a name); every kind of use is validated.
  void Use(const Value& v, PolicyKind kind, const std::string& pointer, std::string* out) {
    if (!Expect(v, Type::kString, pointer)) return;
    uses_[v.text].push_back(Reference{kind, v.offset, pointer});
    if (out) *out = v.text;
  }

  std::optional<std::string> String(const Value& v, const std::string& pointer) {
    if (!Expect(v, Type::kString, pointer)) return std::nullopt;
    return v.text;
  }

  Tags ReadTags(const Value& v, const std::string& pointer) {
    Tags tags;
    if (!Expect(v, Type::kObject, pointer)) return tags;
    CheckDuplicates(v, pointer);
    // Lower-cased key -> the first tag with it: one lookup per tag, not a scan.
    absl::flat_hash_map<std::string, size_t> first;
    for (const Member& m : v.members) {
      if (auto s = String(m.value, json::PointerAppend(pointer, m.key))) {
        const auto [it, inserted] = first.emplace(AsciiStrToLower(m.key), tags.size());
        if (!inserted && tags[it->second].first != m.key) {
          // Condition keys are case-insensitive (aws:PrincipalTag/Team is
          // aws:PrincipalTag/team): only the first of these tags can ever be seen.
          findings_->push_back(
              {Severity::kWarning, m.key_offset, "tag-case",
               StrCat("tag \"", m.key, "\" differs from \"", tags[it->second].first,
                      "\" only in case; conditions see only the first"),
               json::PointerAppend(pointer, m.key)});
        }
        tags.emplace_back(m.key, *s);
      }
    }
    return tags;
  }

  void Principal(const Value& v, const std::string& pointer) {
    if (!Expect(v, Type::kObject, pointer)) return;
    CheckDuplicates(v, pointer);
    const Value* arn = v.Find("arn");
    if (!arn) {
      Error(v.offset, "missing-element", "a principal needs \"arn\"", pointer);
      return;
    }
    auto a = String(*arn, json::PointerAppend(pointer, "arn"));
    if (!a) return;
    PrincipalEntry e = DerivePrincipal(*a);
    for (const Member& m : v.members) {
      const std::string p = json::PointerAppend(pointer, m.key);
      if (m.key == "arn") {
        continue;
      } else if (m.key == "principal_arn") {
        if (auto s = String(m.value, p)) e.principal_arn = *s;
      } else if (m.key == "type") {
        if (auto s = String(m.value, p)) {
          if (auto t = ParsePrincipalType(*s)) {
            e.type = *t;
          } else {
            Error(m.value.offset, "bad-value",
                  StrCat("unknown principal type \"", *s,
                         "\"; expected User, AssumedRole, FederatedUser, Account, AWSService or "
                         "Anonymous"),
                  p);
          }
        }
      } else if (m.key == "account") {
        if (auto s = String(m.value, p)) {
          if (!IsAccountId(*s)) {
            Error(m.value.offset, "bad-value", "an account id is 12 digits", p);
          }
          e.account = *s;
        }
      } else if (m.key == "user_id") {
        e.user_id = String(m.value, p);
      } else if (m.key == "username") {
        e.username = String(m.value, p);
      } else if (m.key == "tags") {
        e.tags = ReadTags(m.value, p);
      } else if (m.key == "identity_policies" || m.key == "session_policies") {
        const PolicyKind kind =
            m.key == "identity_policies" ? PolicyKind::kIdentity : PolicyKind::kSession;
        auto& list = m.key == "identity_policies" ? e.identity_policies : e.session_policies;
        if (!Expect(m.value, Type::kArray, p)) continue;
        for (size_t i = 0; i < m.value.elements.size(); ++i) {
          std::string name;
          Use(m.value.elements[i], kind, json::PointerAppend(p, i), &name);
          if (!name.empty()) list.push_back(name);
        }
      } else if (m.key == "permissions_boundary") {
        std::string name;
        Use(m.value, PolicyKind::kBoundary, p, &name);
        if (!name.empty()) e.permissions_boundary = name;
      } else {
        Error(m.key_offset, "unknown-key", StrCat("unknown principal element \"", m.key, "\""), p);
      }
    }
    // A principal is named by its ARN, whose account field is its account
    // (reference_identifiers.html#identifiers-arns).
    if (const std::optional<ArnParts> parts = SplitArn(e.arn)) {
      if (const Value* account = v.Find("account");
          account && IsAccountId(parts->account) && e.account != parts->account) {
        Error(account->offset, "bad-value",
              StrCat("account \"", e.account, "\" is not the account of its ARN (", parts->account,
                     ")"),
              json::PointerAppend(pointer, "account"));
      }
    } else if (StartsWith(e.arn, "arn:")) {
      Error(arn->offset, "bad-arn",
            StrCat("\"", e.arn.substr(0, 80),
                   "\" is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)"),
            json::PointerAppend(pointer, "arn"));
    }
    if (!world_.principal_by_arn.emplace(e.arn, world_.principals.size()).second) {
      Error(arn->offset, "duplicate-key", StrCat("principal \"", e.arn, "\" is listed twice"),
            json::PointerAppend(pointer, "arn"));
      return;
    }
    world_.principals.push_back(std::move(e));
  }

  void Resource(const Value& v, const std::string& pointer) {
    if (!Expect(v, Type::kObject, pointer)) return;
    CheckDuplicates(v, pointer);
    ResourceEntry r;
    const Value* arn_value = nullptr;
    for (const Member& m : v.members) {
      const std::string p = json::PointerAppend(pointer, m.key);
      if (m.key == "arn") {
        if (auto s = String(m.value, p); s && !arn_value) r.arn = *s, arn_value = &m.value;
      } else if (m.key == "account") {
        if (auto s = String(m.value, p)) {
          if (!IsAccountId(*s)) Error(m.value.offset, "bad-value", "an account id is 12 digits", p);
          r.account = *s;
        }
      } else if (m.key == "policy") {
        std::string name;
        Use(m.value, PolicyKind::kResource, p, &name);
        if (!name.empty()) r.policy = name;
      } else if (m.key == "tags") {
        r.tags = ReadTags(m.value, p);
      } else {
        Error(m.key_offset, "unknown-key", StrCat("unknown resource element \"", m.key, "\""), p);
      }
    }
    if (!arn_value) {
      Error(v.offset, "missing-element", "a resource needs \"arn\"", pointer);
      return;
    }
    // Two entries for one ARN would leave one of them silently unused.
    if (auto [it, inserted] = resource_pointers_.emplace(r.arn, pointer); !inserted) {
      Error(arn_value->offset, "duplicate-key",
            StrCat("resource \"", r.arn, "\" is listed twice (first at ", it->second, ")"),
            json::PointerAppend(pointer, "arn"));
      return;
    }
    if (!r.account) {
      const std::optional<ArnParts> arn = SplitArn(r.arn);
      if (!arn || !IsAccountId(arn->account)) {
        findings_->push_back({Severity::kWarning, v.offset, "resource-account-unknown",
                              "the resource's owner is unknown (its ARN names no account): "
                              "requests for it are evaluated as same-account unless they give "
                              "resource_account; add \"account\"",
                              pointer});
      }
    }
    world_.resources.push_back(std::move(r));
  }

  void Levels(const Value& v, PolicyKind kind, const std::string& pointer,
              std::vector<std::vector<std::string>>* out) {
    if (!Expect(v, Type::kArray, pointer)) return;
    for (size_t i = 0; i < v.elements.size(); ++i) {
      const Value& level = v.elements[i];
      const std::string lp = json::PointerAppend(pointer, i);
      if (!Expect(level, Type::kArray, lp)) continue;
      std::vector<std::string> names;
      for (size_t j = 0; j < level.elements.size(); ++j) {
        std::string name;
        Use(level.elements[j], kind, json::PointerAppend(lp, j), &name);
        if (!name.empty()) names.push_back(name);
      }
      // Every root, OU and account has at least one SCP attached
      // (orgs_manage_policies_scps_attach.html); RCPFullAWSAccess fills an RCP level.
      // An empty level allows nothing, so it denies every request of the account: a warning.
      if (kind == PolicyKind::kScp && level.elements.empty()) {
        Warning(level.offset, "empty-scp-level",
                "an SCP level with no policy denies everything: AWS keeps at least one SCP "
                "attached at every root, OU and account",
                lp);
      }
      out->push_back(std::move(names));
    }
  }

  void Organization(const Value& v, const std::string& pointer) {
    if (!Expect(v, Type::kObject, pointer)) return;
    CheckDuplicates(v, pointer);
    for (const Member& m : v.members) {
      const std::string p = json::PointerAppend(pointer, m.key);
      if (m.key == "id") {
        world_.org_id = String(m.value, p);
      } else if (m.key == "accounts") {
        if (!Expect(m.value, Type::kObject, p)) continue;
        CheckDuplicates(m.value, p);
        for (const Member& acct : m.value.members) {
          const std::string ap = json::PointerAppend(p, acct.key);
          if (!IsAccountId(acct.key)) {
            Error(acct.key_offset, "bad-value", "an account id is 12 digits", ap);
          }
          if (!Expect(acct.value, Type::kObject, ap)) continue;
          CheckDuplicates(acct.value, ap);
          OrgAccount oa;
          for (const Member& f : acct.value.members) {
            const std::string fp = json::PointerAppend(ap, f.key);
            if (f.key == "scps") {
              Levels(f.value, PolicyKind::kScp, fp, &oa.scps);
            } else if (f.key == "rcps") {
              Levels(f.value, PolicyKind::kRcp, fp, &oa.rcps);
            } else {
              Error(f.key_offset, "unknown-key",
                    StrCat("unknown account element \"", f.key, "\"; expected scps or rcps"), fp);
            }
          }
          world_.org_accounts.emplace(acct.key, std::move(oa));
        }
      } else {
        Error(m.key_offset, "unknown-key",
              StrCat("unknown organization element \"", m.key, "\"; expected id or accounts"), p);
      }
    }
  }

  std::vector<Finding>* findings_;
  World world_;
  // Every reference to each policy name, in document order.
  std::map<std::string, std::vector<Reference>, std::less<>> uses_;
  // The JSON pointer of the entry of each resource ARN.
  absl::flat_hash_map<std::string, std::string> resource_pointers_;
};

}  // namespace

std::string_view PrincipalTypeName(PrincipalType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "";
}

std::optional<PrincipalType> ParsePrincipalType(std::string_view name) {
  for (const auto& [t, n] : kTypeNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

bool IsServiceLinkedRoleArn(std::string_view role_arn) {
  const size_t role = role_arn.find(":role/");
  if (role == std::string_view::npos) return false;
  if (StrContains(role_arn, ":role/aws-service-role/")) return true;
  return StartsWith(role_arn.substr(role_arn.rfind('/') + 1), "AWSServiceRoleFor");
}

PrincipalEntry DerivePrincipal(std::string_view arn) {
  PrincipalEntry e;
  e.arn = std::string(arn);
  e.principal_arn = e.arn;
  if (arn == "*") {
    e.type = PrincipalType::kAnonymous;
    return e;
  }
  if (IsAccountId(arn)) {
    e.type = PrincipalType::kAccount;
    e.account = std::string(arn);
    e.principal_arn = StrCat("arn:aws:iam::", arn, ":root");
    return e;
  }
  const std::optional<ArnParts> parts = SplitArn(arn);
  if (!parts) {
    e.type = PrincipalType::kAWSService;  // "s3.amazonaws.com"
    return e;
  }
  e.account = std::string(parts->account);
  const std::string_view res = parts->resource;
  if (parts->service == "iam" && res == "root") {
    e.type = PrincipalType::kAccount;
  } else if (parts->service == "iam" && StartsWith(res, "user/")) {
    e.type = PrincipalType::kUser;
    e.username = std::string(res.substr(res.rfind('/') + 1));
  } else if (parts->service == "sts" && StartsWith(res, "assumed-role/")) {
    e.type = PrincipalType::kAssumedRole;
    const std::string_view rest = res.substr(13);
    const std::string_view role = rest.substr(0, rest.find('/'));
    e.principal_arn = StrCat("arn:", parts->partition, ":iam::", parts->account, ":role/", role);
  } else if (parts->service == "sts" && StartsWith(res, "federated-user/")) {
    e.type = PrincipalType::kFederatedUser;
  } else if (parts->service == "iam" && StartsWith(res, "role/")) {
    e.type = PrincipalType::kAssumedRole;  // a role acting as itself
  } else {
    e.type = PrincipalType::kUser;
  }
  return e;
}

const PrincipalEntry* World::FindPrincipal(std::string_view arn) const {
  auto it = principal_by_arn.find(ToAbsl(arn));
  return it == principal_by_arn.end() ? nullptr : &principals[it->second];
}

const ResourceEntry* World::FindResource(std::string_view arn) const {
  const ResourceEntry* best = nullptr;
  for (const ResourceEntry& r : resources) {
    if (!StartsWith(arn, r.arn)) continue;
    if (arn.size() != r.arn.size() && arn[r.arn.size()] != '/' && arn[r.arn.size()] != ':') {
      continue;
    }
    if (!best || r.arn.size() > best->arn.size()) best = &r;
  }
  return best;
}

const Policy* World::FindPolicy(std::string_view name) const {
  auto it = policies.find(name);
  return it == policies.end() ? nullptr : &it->second;
}

std::optional<World> LoadWorld(std::string_view text, std::vector<Finding>* findings) {
  json::Value root;
  json::Error error;
  json::Limits limits;
  limits.max_bytes = kMaxWorldBytes;
  if (!json::Parse(text, &root, &error, limits)) {
    findings->push_back(JsonErrorFinding(error));
    return std::nullopt;
  }
  return LoadWorld(root, findings);
}

std::optional<World> LoadWorld(const json::Value& root, std::vector<Finding>* findings) {
  return WorldLoader(findings).Run(root);
}

bool IsRequestAction(std::string_view action) {
  return !HasWildcard(action) && IsActionPattern(action);
}

bool IsRequestResource(std::string_view resource) {
  if (resource == "*") return true;
  const std::optional<ArnParts> arn = SplitArn(resource);
  if (!arn) return false;
  for (std::string_view field : {arn->partition, arn->service}) {
    if (field.empty()) return false;
    for (char c : field) {
      if (!absl::ascii_isalnum(c) && c != '-') return false;
    }
  }
  return true;
}

namespace {

// AWS sets these global keys itself, always well-formed
// (reference_policies_condition-keys.html); a request that gives one malformed would slip
// past the policies that test it (a Deny on IpAddress does not match "999.0.2.10"), so it is
// refused. `lower` is `key` lower-cased. Returns the problem, or "" when the values fit the
// key's type.
std::string CheckTypedKey(std::string_view key, std::string_view lower, const ContextValue& value) {
  OperandType type = OperandType::kString;  // any text
  if (lower == "aws:sourceip") {
    type = OperandType::kIp;
  } else if (lower == "aws:currenttime" || lower == "aws:epochtime" ||
             lower == "aws:tokenissuetime") {
    type = OperandType::kDate;
  } else if (lower == "aws:securetransport" || lower == "aws:multifactorauthpresent" ||
             lower == "aws:viaawsservice" || lower == "aws:principalisawsservice") {
    type = OperandType::kBool;
  } else if (lower == "aws:multifactorauthage") {
    type = OperandType::kNumber;
  }
  auto problem = [&](std::string_view v, std::string_view what) {
    return StrCat("context key \"", key, "\" must be ", what, ", not \"", v.substr(0, 60), "\"");
  };
  for (const std::string& v : value.values) {
    switch (type) {
      case OperandType::kIp:
        if (!ParseIpAddress(v)) return problem(v, "an IPv4 or IPv6 address");
        break;
      case OperandType::kDate:
        if (!ParseDateMillis(v)) return problem(v, "an ISO 8601 date-time or epoch seconds");
        break;
      case OperandType::kBool:
        // AWS sets these to true or false, and only those match a Bool condition. Text that
        // is neither is still kept: AWS's own managed policies compare aws:ViaAWSService with
        // service names under StringEquals (AIOpsAssistantPolicy), so a request may carry
        // one. A number or an empty value can only be a misspelled boolean, and is refused.
        if (!ParseBool(v) && (v.empty() || ParseNumber(v))) return problem(v, "true or false");
        break;
      case OperandType::kNumber:
        if (!ParseNumber(v)) return problem(v, "a number");
        break;
      default:
        return "";
    }
  }
  return "";
}

}  // namespace

bool ParseRequest(std::string_view line, Request* out, std::string* error) {
  json::Value v;
  json::Error jerr;
  json::Limits limits;
  limits.max_bytes = 1u << 20;
  limits.max_depth = 8;
  if (!json::Parse(line, &v, &jerr, limits)) {
    *error = StrCat("malformed JSON at column ", json::Locate(line, jerr.offset).column, ": ",
                    jerr.message);
    return false;
  }
  if (!v.is_object()) {
    *error = "a request must be a JSON object";
    return false;
  }
  *out = Request();
  bool has_principal = false, has_action = false, has_resource = false;
  if (const std::vector<const json::Member*> dup = json::DuplicateMembers(v); !dup.empty()) {
    *error = StrCat("\"", dup[0]->key, "\" is given twice");
    return false;
  }
  for (const json::Member& m : v.members) {
    auto str = [&](std::string* dst) {
      if (!m.value.is_string()) {
        *error = StrCat("\"", m.key, "\" must be a string");
        return false;
      }
      if (Utf8Length(m.value.text) > kMaxRequestField) {
        *error = StrCat("\"", m.key, "\" is longer than ", kMaxRequestField, " characters");
        return false;
      }
      *dst = m.value.text;
      return true;
    };
    if (m.key == "principal") {
      if (!str(&out->principal)) return false;
      has_principal = true;
    } else if (m.key == "action") {
      if (!str(&out->action)) return false;
      has_action = true;
    } else if (m.key == "resource") {
      if (!str(&out->resource)) return false;
      has_resource = true;
    } else if (m.key == "resource_account") {
      std::string acct;
      if (!str(&acct)) return false;
      if (!IsAccountId(acct)) {
        *error = "\"resource_account\" must be a 12-digit account id";
        return false;
      }
      out->resource_account = acct;
    } else if (m.key == "context") {
      if (!m.value.is_object()) {
        *error = "\"context\" must be an object";
        return false;
      }
      if (m.value.members.size() > kMaxContextKeys) {
        *error = StrCat("\"context\" has more than ", kMaxContextKeys, " keys");
        return false;
      }
      for (const json::Member& c : m.value.members) {
        ContextValue cv;
        auto scalar = [&](const json::Value& x, std::string* dst) {
          switch (x.type) {
            case Type::kString:
            case Type::kNumber:
              if (Utf8Length(x.text) > kMaxRequestField) {
                *error = StrCat("a value of context key \"", c.key, "\" is longer than ",
                                kMaxRequestField, " characters");
                return false;
              }
              *dst = x.text;
              return true;
            case Type::kBool:
              *dst = x.boolean ? "true" : "false";
              return true;
            default:
              *error = StrCat("context key \"", c.key,
                              "\" must be a string, number, boolean or an array of them");
              return false;
          }
        };
        if (c.value.is_array()) {
          if (c.value.elements.size() > kMaxContextValues) {
            *error =
                StrCat("context key \"", c.key, "\" has more than ", kMaxContextValues, " values");
            return false;
          }
          cv.multi = true;
          for (const json::Value& x : c.value.elements) {
            if (!scalar(x, &cv.values.emplace_back())) return false;
          }
        } else if (!scalar(c.value, &cv.values.emplace_back())) {
          return false;
        }
        std::string lower = AsciiStrToLower(c.key);
        if (std::string problem = CheckTypedKey(c.key, lower, cv); !problem.empty()) {
          *error = std::move(problem);
          return false;
        }
        if (!out->context.emplace(std::move(lower), std::move(cv)).second) {
          *error = StrCat("context key \"", c.key, "\" is given twice (keys are case-insensitive)");
          return false;
        }
      }
    } else {
      *error = StrCat("unknown request element \"", m.key, "\"");
      return false;
    }
  }
  if (!has_principal || !has_action || !has_resource) {
    *error = "a request needs \"principal\", \"action\" and \"resource\"";
    return false;
  }
  if (out->principal.empty()) {
    *error = "\"principal\" is empty (an ARN, a service principal, or \"*\" for anonymous)";
    return false;
  }
  if (!IsRequestAction(out->action)) {
    *error = "\"action\" must be \"service:ActionName\" (letters, digits and '-' before the ':')";
    return false;
  }
  if (!IsRequestResource(out->resource)) {
    *error = "\"resource\" must be an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or \"*\"";
    return false;
  }
  return true;
}

}  // namespace arbiter
