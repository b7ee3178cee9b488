#include "compiler/world.h"

#include "absl/strings/ascii.h"
#include "compiler/policy_parser.h"
#include "core/strings.h"
#include "core/values.h"
#include "json/json.h"

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

// Validates a world's JSON. Policies are parsed once their use is known (the use decides
// which elements they need), after every reference has been collected.
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
      for (const Member& m : policies->members) {
        const std::string p = json::PointerAppend("/policies", m.key);
        auto use = uses_.find(m.key);
        const PolicyKind kind = use == uses_.end() ? PolicyKind::kStandalone : use->second;
        if (std::optional<Policy> policy = ParsePolicy(m.value, kind, p, findings_)) {
          world_.policies.emplace(m.key, std::move(*policy));
        }
      }
    }
    for (const auto& [name, ref] : references_) {
      if (world_.policies.count(name)) continue;
      if (policies && policies->Find(name)) continue;  // defined, but invalid: reported
      if (name == kFullAWSAccess && ref.kind == PolicyKind::kScp) {
        world_.policies.emplace(name, BuiltinAllowAll(false));
      } else if (name == kRCPFullAWSAccess && ref.kind == PolicyKind::kRcp) {
        world_.policies.emplace(name, BuiltinAllowAll(true));
      } else {
        Error(ref.offset, "unknown-policy", StrCat("\"", name, "\" is not a key of \"policies\""),
              ref.pointer);
      }
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

  void Error(size_t offset, std::string code, std::string message, std::string pointer) {
    findings_->push_back(
        {Severity::kError, offset, std::move(code), std::move(message), std::move(pointer)});
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

  // Records a use of policy `v` (a name); the strictest use decides how it is validated.
  void Use(const Value& v, PolicyKind kind, const std::string& pointer, std::string* out) {
    if (!Expect(v, Type::kString, pointer)) return;
    auto rank = [](PolicyKind k) {
      switch (k) {
        case PolicyKind::kResource:
          return 4;
        case PolicyKind::kRcp:
          return 3;
        case PolicyKind::kScp:
          return 2;
        default:
          return 1;
      }
    };
    auto [it, inserted] = uses_.emplace(v.text, kind);
    if (!inserted && rank(kind) > rank(it->second)) it->second = kind;
    references_.emplace(v.text, Reference{kind, v.offset, pointer});
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
    for (const Member& m : v.members) {
      if (auto s = String(m.value, json::PointerAppend(pointer, m.key))) {
        for (const auto& [key, value] : tags) {
          if (key != m.key && EqualsIgnoreCase(key, m.key)) {
            // Condition keys are case-insensitive (aws:PrincipalTag/Team is
            // aws:PrincipalTag/team): only the first of these tags can ever be seen.
            findings_->push_back({Severity::kWarning, m.key_offset, "tag-case",
                                  StrCat("tag \"", m.key, "\" differs from \"", key,
                                         "\" only in case; conditions see only the first"),
                                  json::PointerAppend(pointer, m.key)});
            break;
          }
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
    bool has_arn = false;
    for (const Member& m : v.members) {
      const std::string p = json::PointerAppend(pointer, m.key);
      if (m.key == "arn") {
        if (auto s = String(m.value, p)) r.arn = *s, has_arn = true;
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
    if (!has_arn) {
      Error(v.offset, "missing-element", "a resource needs \"arn\"", pointer);
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
  std::map<std::string, PolicyKind, std::less<>> uses_;
  std::multimap<std::string, Reference, std::less<>> references_;
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
  return WorldLoader(findings).Run(root);
}

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
      if (m.value.text.size() > kMaxRequestField) {
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
          cv.multi = true;
          for (const json::Value& x : c.value.elements) {
            if (!scalar(x, &cv.values.emplace_back())) return false;
          }
        } else if (!scalar(c.value, &cv.values.emplace_back())) {
          return false;
        }
        if (!out->context.emplace(AsciiStrToLower(c.key), std::move(cv)).second) {
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
  return true;
}

}  // namespace arbiter
