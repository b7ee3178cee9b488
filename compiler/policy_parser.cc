#include "compiler/policy_parser.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "core/strings.h"
#include "core/values.h"

namespace arbiter {
namespace {

using json::Member;
using json::Type;
using json::Value;

bool IsIdentityLike(PolicyKind kind) {
  return kind == PolicyKind::kIdentity || kind == PolicyKind::kBoundary ||
         kind == PolicyKind::kSession || kind == PolicyKind::kScp;
}

// AWS's documented size limits, counted without white space:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
size_t SizeLimit(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kScp:
    case PolicyKind::kRcp:
      return 5120;
    case PolicyKind::kSession:
      return 2048;
    case PolicyKind::kResource:
      return 20480;  // S3 bucket policies; other services allow less or more
    default:
      return 6144;  // managed policies
  }
}

// Characters of `s` written as a JSON string literal (quotes and escapes included).
size_t QuotedSize(std::string_view s) {
  size_t n = 2 + s.size();
  // Most text needs no escape: skip eight bytes at a time while none is a quote, a
  // backslash or a control character.
  using namespace strings_internal;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    const uint64_t w = Load64(s.data() + i);
    const uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;  // some byte < 0x20 (exact for "any")
    if ((control | BytesEqualTo(w, '"') | BytesEqualTo(w, '\\')) != 0) break;
  }
  for (unsigned char c : s.substr(i)) {
    if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t') {
      n += 1;
    } else if (c < 0x20) {
      n += 5;
    }
  }
  return n;
}

// Characters of `v` written as minified JSON (what AWS's size limits count).
size_t MinifiedSize(const Value& v) {
  switch (v.type) {
    case Type::kNull:
      return 4;
    case Type::kBool:
      return v.boolean ? 4 : 5;
    case Type::kNumber:
      return v.text.size();
    case Type::kString:
      return QuotedSize(v.text);
    case Type::kArray: {
      size_t n = 2 + (v.elements.empty() ? 0 : v.elements.size() - 1);
      for (const Value& e : v.elements) n += MinifiedSize(e);
      return n;
    }
    case Type::kObject: {
      size_t n = 2 + (v.members.empty() ? 0 : v.members.size() - 1);
      for (const Member& m : v.members) n += QuotedSize(m.key) + 1 + MinifiedSize(m.value);
      return n;
    }
  }
  return 0;
}

bool ContainsVariable(std::string_view s) { return StrContains(s, "${"); }

// A JSON pointer, built into text only when a finding needs it (most values never do, and
// building one for every element and member of every policy was a large share of
// validation): a pointer given as text, or a parent's pointer and a member key or an array
// index. It refers to its parent, its text and its key; keep it no longer than they live.
class LazyPointer {
 public:
  LazyPointer(const std::string& text) : text_(&text) {}  // NOLINT: a pointer as it is
  LazyPointer(const LazyPointer& parent, std::string_view key)
      : parent_(&parent), key_(key), has_key_(true) {}
  LazyPointer(const LazyPointer& parent, size_t index) : parent_(&parent), index_(index) {}
  operator std::string() const {  // NOLINT: converts where a finding takes its pointer
    if (text_ != nullptr) return *text_;
    const std::string base = *parent_;
    return has_key_ ? json::PointerAppend(base, key_) : json::PointerAppend(base, index_);
  }

 private:
  const std::string* text_ = nullptr;
  const LazyPointer* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = 0;
  bool has_key_ = false;
};

class Parser {
 public:
  Parser(PolicyKind kind, std::vector<Finding>* findings) : kind_(kind), findings_(findings) {}

  std::optional<Policy> Run(const Value& doc, std::string_view pointer_text) {
    const size_t errors_before = CountErrors();
    const std::string base(pointer_text);
    const LazyPointer pointer(base);
    Policy policy;
    if (!doc.is_object()) {
      Error(doc.offset, "wrong-type",
            StrCat("a policy document must be an object, not ", json::TypeName(doc.type)), pointer);
      return std::nullopt;
    }
    if (kind_ == PolicyKind::kStandalone) kind_ = InferKind(doc);
    CheckDuplicateKeys(doc, pointer);
    const Value* statement = nullptr;
    bool version_given = false;  // a Version of the wrong type is an error, not a missing one
    for (const Member& m : doc.members) {
      const LazyPointer p(pointer, m.key);
      if (m.key == "Version") {
        version_given = true;
        if (!ExpectType(m.value, Type::kString, p)) continue;
        if (m.value.text == "2012-10-17") {
          policy.version = PolicyVersion::k2012_10_17;
        } else if (m.value.text == "2008-10-17") {
          policy.version = PolicyVersion::k2008_10_17;
        } else {
          Error(m.value.offset, "bad-version",
                StrCat("Version must be \"2012-10-17\" or \"2008-10-17\", not \"", m.value.text,
                       "\""),
                p);
        }
        policy.has_version = true;
      } else if (m.key == "Id") {
        if (ExpectType(m.value, Type::kString, p)) policy.id = m.value.text;
      } else if (m.key == "Statement") {
        if (!statement) statement = &m.value;
      } else {
        Error(m.key_offset, "unknown-key",
              StrCat("unknown policy element \"", m.key, "\"; expected Version, Id or Statement"),
              p);
      }
    }
    version_ = policy.version;
    if (!version_given) {
      Warning(doc.offset, "missing-version",
              "no Version element: the policy is read as Version 2008-10-17, where policy "
              "variables are plain text",
              pointer);
    }
    const LazyPointer sp(pointer, std::string_view("Statement"));
    if (!statement) {
      Error(doc.offset, "missing-element", "the policy has no Statement element", pointer);
    } else if (statement->is_object()) {
      ParseStatement(*statement, sp, &policy);
    } else if (statement->is_array()) {
      if (statement->elements.empty()) {
        // SPEC section 2's example world has one; it allows nothing.
        Warning(statement->offset, "empty-statement",
                "Statement is an empty array: the policy allows and denies nothing", sp);
      }
      for (size_t i = 0; i < statement->elements.size(); ++i) {
        const Value& s = statement->elements[i];
        const LazyPointer p(sp, i);
        if (!s.is_object()) {
          Error(s.offset, "wrong-type",
                StrCat("a statement must be an object, not ", json::TypeName(s.type)), p);
          continue;
        }
        ParseStatement(s, p, &policy);
      }
    } else {
      Error(statement->offset, "wrong-type",
            StrCat("Statement must be an object or an array of objects, not ",
                   json::TypeName(statement->type)),
            sp);
    }
    const size_t limit = SizeLimit(kind_);
    if (const size_t size = MinifiedSize(doc); size > limit) {
      Warning(
          doc.offset, "size-limit",
          StrCat("the policy has ", size, " characters without white space, over AWS's limit of ",
                 limit, " for this kind of policy"),
          pointer);
    }
    if (CountErrors() != errors_before) return std::nullopt;
    return policy;
  }

 private:
  static PolicyKind InferKind(const Value& doc) {
    const Value* st = doc.Find("Statement");
    if (!st) return PolicyKind::kIdentity;
    auto has_principal = [](const Value& s) {
      return s.is_object() && (s.Find("Principal") || s.Find("NotPrincipal"));
    };
    if (has_principal(*st)) return PolicyKind::kResource;
    for (const Value& s : st->elements) {
      if (has_principal(s)) return PolicyKind::kResource;
    }
    return PolicyKind::kIdentity;
  }

  size_t CountErrors() const {
    size_t n = 0;
    for (const Finding& f : *findings_) n += f.severity == Severity::kError;
    return n;
  }
  void Error(size_t offset, std::string code, std::string message, std::string pointer) {
    findings_->push_back(
        {Severity::kError, offset, std::move(code), std::move(message), std::move(pointer)});
  }
  void Warning(size_t offset, std::string code, std::string message, std::string pointer) {
    findings_->push_back(
        {Severity::kWarning, offset, std::move(code), std::move(message), std::move(pointer)});
  }
  // Resource-based policies may be lenient where IAM is strict (Sid characters, ...).
  void ErrorOrWarning(size_t offset, std::string code, std::string message, std::string pointer) {
    findings_->push_back({kind_ == PolicyKind::kResource ? Severity::kWarning : Severity::kError,
                          offset, std::move(code), std::move(message), std::move(pointer)});
  }

  bool ExpectType(const Value& v, Type type, const LazyPointer& pointer) {
    if (v.type == type) return true;
    Error(v.offset, "wrong-type",
          StrCat("expected ", json::TypeName(type), ", found ", json::TypeName(v.type)), pointer);
    return false;
  }

  void CheckDuplicateKeys(const Value& obj, const LazyPointer& pointer) {
    for (const Member* m : json::DuplicateMembers(obj)) {
      Error(m->key_offset, "duplicate-key", StrCat("duplicate key \"", m->key, "\""),
            LazyPointer(pointer, m->key));
    }
  }

  // Longest Action, Resource, Principal or condition value accepted. AWS's ARNs stop at
  // 2,048 characters; the cap bounds what a hostile pattern can cost per match (matching
  // is linear in the text times the pattern length / 64).
  static constexpr size_t kMaxElementLength = 4096;
  bool CheckLength(const Value& v, const LazyPointer& pointer) {
    if (v.text.size() <= kMaxElementLength) return true;  // fewer characters than bytes
    const size_t characters = Utf8Length(v.text);
    if (characters <= kMaxElementLength) return true;
    Error(v.offset, "too-long",
          StrCat("a value of ", characters, " characters exceeds the limit of ", kMaxElementLength),
          pointer);
    return false;
  }

  // A string or a non-empty array of strings, each non-empty.
  bool StringList(const Value& v, const LazyPointer& pointer, std::string_view element,
                  std::vector<std::pair<const Value*, LazyPointer>>* out) {
    if (v.is_string()) {
      if (v.text.empty()) {
        Error(v.offset, "empty-element", StrCat(element, " must not be empty"), pointer);
        return false;
      }
      if (!CheckLength(v, pointer)) return false;
      out->push_back({&v, pointer});
      return true;
    }
    if (!v.is_array()) {
      Error(
          v.offset, "wrong-type",
          StrCat(element, " must be a string or an array of strings, not ", json::TypeName(v.type)),
          pointer);
      return false;
    }
    if (v.elements.empty()) {
      Error(v.offset, "empty-element", StrCat(element, " must not be an empty array"), pointer);
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < v.elements.size(); ++i) {
      const Value& e = v.elements[i];
      const LazyPointer p(pointer, i);
      if (!e.is_string()) {
        Error(e.offset, "wrong-type",
              StrCat("each ", element, " must be a string, not ", json::TypeName(e.type)), p);
        ok = false;
      } else if (e.text.empty()) {
        Error(e.offset, "empty-element", StrCat(element, " must not be empty"), p);
        ok = false;
      } else if (CheckLength(e, p)) {
        out->push_back({&e, p});
      } else {
        ok = false;
      }
    }
    return ok;
  }

  // Checks variable syntax in a string that may hold policy variables; under Version
  // 2008-10-17 they are plain text, which deserves a warning.
  void CheckVariableText(const Value& v, const LazyPointer& pointer) {
    if (!ContainsVariable(v.text)) return;
    if (version_ != PolicyVersion::k2012_10_17) {
      Warning(v.offset, "variable-in-2008",
              "\"${\" is plain text here: policy variables need Version 2012-10-17", pointer);
      return;
    }
    if (std::string msg = CheckVariables(v.text); !msg.empty()) {
      Error(v.offset, "bad-variable", msg, pointer);
    }
  }

  void ParseStatement(const Value& s, const LazyPointer& pointer, Policy* policy) {
    Statement st;
    CheckDuplicateKeys(s, pointer);
    const Member* action = nullptr;
    const Member* resource = nullptr;
    const Member* principal = nullptr;
    const Value* effect = nullptr;
    const Value* condition = nullptr;
    std::optional<LazyPointer> condition_pointer;
    for (const Member& m : s.members) {
      const LazyPointer p(pointer, m.key);
      if (m.key == "Sid") {
        if (!ExpectType(m.value, Type::kString, p)) continue;
        st.sid = m.value.text;
        bool alnum = true;
        for (char c : m.value.text) alnum &= absl::ascii_isalnum(c);
        if (!alnum) {
          ErrorOrWarning(m.value.offset, "bad-sid", "Sid may contain only ASCII letters and digits",
                         p);
        }
        if (!sids_.insert(m.value.text).second && !m.value.text.empty()) {
          ErrorOrWarning(m.value.offset, "duplicate-sid",
                         StrCat("Sid \"", m.value.text, "\" is used by another statement"), p);
        }
      } else if (m.key == "Effect") {
        effect = &m.value;
      } else if (m.key == "Action" || m.key == "NotAction") {
        if (action && action->key != m.key) {
          Error(m.key_offset, "conflicting-elements",
                "a statement cannot have both Action and NotAction", p);
        } else if (!action) {
          action = &m;
        }
      } else if (m.key == "Resource" || m.key == "NotResource") {
        if (resource && resource->key != m.key) {
          Error(m.key_offset, "conflicting-elements",
                "a statement cannot have both Resource and NotResource", p);
        } else if (!resource) {
          resource = &m;
        }
      } else if (m.key == "Principal" || m.key == "NotPrincipal") {
        if (principal && principal->key != m.key) {
          Error(m.key_offset, "conflicting-elements",
                "a statement cannot have both Principal and NotPrincipal", p);
        } else if (!principal) {
          principal = &m;
        }
      } else if (m.key == "Condition") {
        condition = &m.value;
        condition_pointer.emplace(pointer, m.key);
      } else {
        Error(m.key_offset, "unknown-key", StrCat("unknown statement element \"", m.key, "\""), p);
      }
    }

    if (!effect) {
      Error(s.offset, "missing-element", "the statement has no Effect", pointer);
    } else if (ExpectType(*effect, Type::kString,
                          LazyPointer(pointer, std::string_view("Effect")))) {
      if (effect->text == "Allow") {
        st.effect = Effect::kAllow;
      } else if (effect->text == "Deny") {
        st.effect = Effect::kDeny;
      } else {
        Error(effect->offset, "bad-effect",
              StrCat("Effect must be \"Allow\" or \"Deny\", not \"", effect->text, "\""),
              LazyPointer(pointer, std::string_view("Effect")));
      }
    }
    const bool allow = effect && effect->is_string() && effect->text == "Allow";

    if (!action) {
      Error(s.offset, "missing-element", "the statement has neither Action nor NotAction", pointer);
    } else {
      st.not_action = action->key == "NotAction";
      const LazyPointer p(pointer, action->key);
      std::vector<std::pair<const Value*, LazyPointer>> items;
      StringList(action->value, p, action->key, &items);
      for (auto& [v, vp] : items) {
        if (!IsActionPattern(v->text)) {
          Error(v->offset, "bad-action",
                StrCat("\"", v->text.substr(0, 80), v->text.size() > 80 ? "..." : "",
                       "\" is not an action; expected \"service:Action\" or \"*\""),
                vp);
        }
        st.actions.push_back(v->text);
      }
      if (allow && st.not_action) {
        Warning(action->value.offset, "allow-notaction",
                "Allow with NotAction grants every action not listed, including future ones", p);
      }
    }

    if (resource) {
      st.has_resource = true;
      st.not_resource = resource->key == "NotResource";
      const LazyPointer p(pointer, resource->key);
      std::vector<std::pair<const Value*, LazyPointer>> items;
      StringList(resource->value, p, resource->key, &items);
      for (auto& [v, vp] : items) {
        if (IsTruncatedArnPattern(v->text)) {
          // Real policies write "arn:aws:iam::*" and "arn:aws:mediaconvert:*"; a '*' that
          // ends a segment "can expand to match beyond the colon boundaries"
          // (reference_policies_elements_resource.html), so it covers the missing fields.
        } else if (v->text != "*" && !IsResourceArn(v->text)) {
          Error(v->offset, "bad-arn",
                StrCat("\"", v->text.substr(0, 80), v->text.size() > 80 ? "..." : "",
                       "\" is neither \"*\" nor an ARN "
                       "(arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, with a partition and a "
                       "service)"),
                vp);
        }
        CheckVariableText(*v, vp);
        st.resources.push_back(v->text);
      }
      if (allow && st.not_resource) {
        Warning(resource->value.offset, "allow-notresource",
                "Allow with NotResource grants access to every resource not listed", p);
      }
    } else if (kind_ != PolicyKind::kResource && kind_ != PolicyKind::kRcp) {
      Error(s.offset, "missing-element", "the statement has neither Resource nor NotResource",
            pointer);
    }

    // "The effect of Allow is only supported for the RCPFullAWSAccess policy", and RCP
    // statements name "Principal": "*" (orgs_manage_policies_rcps_syntax.html).
    if (kind_ == PolicyKind::kRcp && allow) {
      Warning(s.offset, "rcp-allow", "RCPs take effect only through Deny statements", pointer);
    }
    if (kind_ == PolicyKind::kRcp && principal && principal->key == "NotPrincipal") {
      // "SCPs and RCPs don't support the NotPrincipal element"
      // (reference_policies_elements_notprincipal.html).
      Error(principal->key_offset, "bad-principal", "RCPs do not support NotPrincipal",
            LazyPointer(pointer, principal->key));
    } else if (kind_ == PolicyKind::kRcp && principal &&
               !(principal->value.is_string() && principal->value.text == "*")) {
      Warning(principal->value.offset, "rcp-principal",
              "an RCP statement should name \"Principal\": \"*\" and narrow it with conditions",
              LazyPointer(pointer, principal->key));
    }
    if (principal) {
      st.not_principal = principal->key == "NotPrincipal";
      const LazyPointer p(pointer, principal->key);
      if (IsIdentityLike(kind_)) {
        Error(principal->key_offset, "bad-principal",
              StrCat(principal->key,
                     " is not allowed in an identity-based policy, boundary, session "
                     "policy or SCP"),
              p);
      } else {
        st.principal = ParsePrincipal(principal->value, p);
        // "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow"
        // is not supported." (reference_policies_elements_notprincipal.html). Earlier
        // versions of that page only advised against it and documented what it does (allow
        // everyone not listed), which the evaluators implement; refusing the policy would
        // refuse every world holding one, so it stays a warning.
        if (allow && st.not_principal) {
          Warning(principal->value.offset, "allow-notprincipal",
                  "NotPrincipal is supported only with \"Effect\": \"Deny\"; with Allow it "
                  "allows everyone not listed",
                  p);
        }
      }
    } else if (kind_ == PolicyKind::kResource || kind_ == PolicyKind::kRcp) {
      Error(s.offset, "missing-element",
            "a statement in a resource-based policy needs Principal or NotPrincipal", pointer);
    }

    if (condition) ParseConditionBlock(*condition, *condition_pointer, allow, &st);

    if (allow && !st.not_action && !st.not_resource && st.has_resource) {
      const bool all_actions =
          std::any_of(st.actions.begin(), st.actions.end(),
                      [](const std::string& a) { return a == "*" || a == "*:*"; });
      const bool all_resources = std::any_of(st.resources.begin(), st.resources.end(),
                                             [](const std::string& r) { return r == "*"; });
      if (all_actions && all_resources && kind_ != PolicyKind::kScp &&
          kind_ != PolicyKind::kBoundary && kind_ != PolicyKind::kRcp) {
        Warning(s.offset, "allow-all", "the statement allows every action on every resource",
                pointer);
      }
    }
    policy->statements.push_back(std::move(st));
  }

  // IAM unique ids (AIDA..., AROA...) stand in policies for deleted users and roles
  // (reference_policies_elements_principal.html): accepted, matching nobody.
  static bool IsUniqueId(std::string_view s) {
    if (s.size() < 16 || s.size() > 32 || s[0] != 'A') return false;
    for (char c : s) {
      if (!absl::ascii_isupper(c) && !absl::ascii_isdigit(c)) return false;
    }
    return true;
  }

  PrincipalSpec ParsePrincipal(const Value& v, const LazyPointer& pointer) {
    PrincipalSpec spec;
    if (v.is_string()) {
      if (v.text == "*") {
        spec.wildcard = true;
      } else {
        Error(v.offset, "bad-principal",
              "a Principal given as a string must be \"*\"; name others as {\"AWS\": ...}",
              pointer);
      }
      return spec;
    }
    if (!v.is_object()) {
      Error(v.offset, "wrong-type",
            StrCat("Principal must be \"*\" or an object, not ", json::TypeName(v.type)), pointer);
      return spec;
    }
    CheckDuplicateKeys(v, pointer);
    if (v.members.empty()) {
      Error(v.offset, "empty-element", "Principal must name at least one principal", pointer);
    }
    for (const Member& m : v.members) {
      const LazyPointer p(pointer, m.key);
      std::vector<std::string>* out = nullptr;
      if (m.key == "AWS") {
        out = &spec.aws;
      } else if (m.key == "Service") {
        out = &spec.service;
      } else if (m.key == "Federated") {
        out = &spec.federated;
      } else if (m.key == "CanonicalUser") {
        out = &spec.canonical_user;
      } else {
        Error(m.key_offset, "bad-principal",
              StrCat("unknown principal type \"", m.key,
                     "\"; expected AWS, Service, Federated or CanonicalUser"),
              p);
        continue;
      }
      std::vector<std::pair<const Value*, LazyPointer>> items;
      StringList(m.value, p, "principal", &items);
      for (auto& [e, ep] : items) {
        if (m.key == "AWS" && !ValidAwsPrincipal(e->text)) {
          Error(e->offset, "bad-principal",
                StrCat("\"", e->text,
                       "\" is not an AWS principal (\"*\", a 12-digit account id, or an "
                       "IAM/STS ARN without wildcards that is not a group)"),
                ep);
        } else if (m.key == "Service" &&
                   (e->text.find_first_of(" \t*?") != std::string::npos && e->text != "*")) {
          Error(e->offset, "bad-principal", StrCat("\"", e->text, "\" is not a service principal"),
                ep);
        } else if (m.key == "Federated" && !ValidFederatedPrincipal(e->text)) {
          Error(e->offset, "bad-principal",
                StrCat("\"", e->text,
                       "\" is not an identity provider (a provider name such as "
                       "cognito-identity.amazonaws.com, or a saml-provider or oidc-provider ARN)"),
                ep);
        } else if (m.key == "CanonicalUser" &&
                   (e->text.empty() || e->text.find_first_of(" \t*?") != std::string::npos)) {
          // "You cannot use a wildcard to match part of a principal name or ARN."
          Error(e->offset, "bad-principal", StrCat("\"", e->text, "\" is not a canonical user id"),
                ep);
        }
        out->push_back(e->text);
      }
    }
    return spec;
  }

  // An ARN whose partition and service are given (region and account may be empty, as in
  // S3's; so may the resource: AmazonDevOpsGuruOrganizationsAccess names
  // "arn:aws:organizations::*:").
  static bool IsResourceArn(std::string_view s) {
    const std::optional<ArnParts> arn = SplitArn(s);
    return arn && !arn->partition.empty() && !arn->service.empty();
  }

  // "arn:...*" with fewer than six fields: the leading fields of an ARN and a final '*'.
  static bool IsTruncatedArnPattern(std::string_view s) {
    return s.size() > 4 && StartsWith(s, "arn:") && s.back() == '*' && !SplitArn(s);
  }

  // "You cannot identify a user group as a principal in a policy"
  // (reference_policies_elements_principal.html).
  static bool ValidAwsPrincipal(std::string_view s) {
    if (s == "*" || IsAccountId(s) || IsUniqueId(s)) return true;
    const std::optional<ArnParts> arn = SplitArn(s);
    if (!arn) return false;
    if (arn->service != "iam" && arn->service != "sts") return false;
    if (!IsAccountId(arn->account)) return false;
    if (arn->service == "iam" && StartsWith(arn->resource, "group/")) return false;
    return !HasWildcard(s) && !arn->resource.empty();
  }

  // A web identity or OIDC provider ("accounts.google.com", "cognito-identity.amazonaws.com",
  // "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE") or a provider's IAM ARN
  // (arn:aws:iam::ACCOUNT:saml-provider/NAME or oidc-provider/HOST); never a wildcard, a
  // user or a role (reference_policies_elements_principal.html, "Federated").
  static bool ValidFederatedPrincipal(std::string_view s) {
    if (s.empty() || s.find_first_of(" \t*?") != std::string_view::npos) return false;
    if (!StartsWith(s, "arn:")) return s.find(':') == std::string_view::npos;
    const std::optional<ArnParts> arn = SplitArn(s);
    return arn && arn->service == "iam" && IsAccountId(arn->account) &&
           (StartsWith(arn->resource, "saml-provider/") ||
            StartsWith(arn->resource, "oidc-provider/")) &&
           arn->resource.find('/') + 1 < arn->resource.size();
  }

  // A service prefix ("s3"), or a web identity or OIDC provider ("accounts.google.com",
  // "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"), then ':' and the key's name
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
  static bool ValidConditionKey(std::string_view key) {
    const size_t colon = key.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == key.size()) return false;
    for (size_t i = 0; i < colon; ++i) {
      const char c = key[i];
      if (!absl::ascii_isalnum(c) && c != '-' && c != '.' && c != '/' && c != '_') return false;
    }
    // Key names are letters and digits; tag keys after a '/' may also hold Unicode letters,
    // spaces and _ . : / = + - @
    // (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
    for (char c : key.substr(colon + 1)) {
      const unsigned char u = static_cast<unsigned char>(c);
      const bool ok = u >= 0x80 || absl::ascii_isalnum(c) || c == ' ' || c == '_' || c == '.' ||
                      c == ':' || c == '/' || c == '=' || c == '+' || c == '-' || c == '@';
      if (!ok) return false;
    }
    return true;
  }

  // Whether the Condition `block` also requires each key of `keys` to be present:
  // "Null": {KEY: "false"}, the guard reference_policies_condition-single-vs-multi-valued-
  // context-keys.html recommends beside ForAllValues in an Allow. Key names are
  // case-insensitive.
  static bool EveryKeyHasNullGuard(const Value& block, const Value& keys) {
    for (const Member& k : keys.members) {
      bool guarded = false;
      for (const Member& opm : block.members) {
        const std::optional<ConditionOperator> op = ParseConditionOperator(opm.key, nullptr);
        if (!op || op->op != Operator::kNull || op->qualifier != SetQualifier::kNone ||
            op->if_exists || !opm.value.is_object()) {
          continue;
        }
        for (const Member& g : opm.value.members) {
          if (!EqualsIgnoreCase(g.key, k.key)) continue;
          // One operand, false: the key must be present.
          const Value& v =
              g.value.is_array() && g.value.elements.size() == 1 ? g.value.elements[0] : g.value;
          guarded |= (v.type == json::Type::kBool && !v.boolean) ||
                     (v.type == json::Type::kString && v.text == "false");
        }
      }
      if (!guarded) return false;
    }
    return true;
  }

  void ParseConditionBlock(const Value& block, const LazyPointer& pointer, bool allow,
                           Statement* st) {
    if (!block.is_object()) {
      Error(block.offset, "wrong-type",
            StrCat("Condition must be an object, not ", json::TypeName(block.type)), pointer);
      return;
    }
    CheckDuplicateKeys(block, pointer);
    for (const Member& opm : block.members) {
      const LazyPointer op_pointer(pointer, opm.key);
      bool canonical = true;
      const std::optional<ConditionOperator> op = ParseConditionOperator(opm.key, &canonical);
      if (!op) {
        Error(opm.key_offset, "unknown-operator",
              StrCat("unknown condition operator \"", opm.key, "\""), op_pointer);
        continue;
      }
      if (!canonical) {
        Warning(opm.key_offset, "operator-case",
                StrCat("condition operators are case-insensitive, but AWS spells this one \"",
                       FormatConditionOperator(*op), "\""),
                op_pointer);
      }
      // Keys are case-insensitive, so two spellings of one key in a block contradict each
      // other (IAM Access Analyzer: "Duplicate keys with different case", an error).
      // (A key repeated exactly is reported once, as any duplicate JSON key.)
      if (opm.value.is_object()) {
        std::map<std::string, std::string_view> seen;  // lower-cased -> first spelling
        for (const Member& k : opm.value.members) {
          const auto [it, added] = seen.try_emplace(AsciiStrToLower(k.key), k.key);
          if (!added && it->second != k.key) {
            Error(k.key_offset, "duplicate-key",
                  StrCat("condition key \"", k.key,
                         "\" is given twice in this operator (keys are case-insensitive)"),
                  LazyPointer(op_pointer, k.key));
          }
        }
      }
      // (A block that is not an object is reported below as wrong-type.)
      if (allow && op->qualifier == SetQualifier::kForAllValues && opm.value.is_object() &&
          !EveryKeyHasNullGuard(block, opm.value)) {
        Warning(opm.key_offset, "forallvalues-allow",
                "ForAllValues in an Allow is also true when the key is missing or empty; add a "
                "Null check or use ForAnyValue",
                op_pointer);
      }
      if (!opm.value.is_object()) {
        Error(opm.value.offset, "wrong-type",
              StrCat("the block of ", opm.key, " must be an object, not ",
                     json::TypeName(opm.value.type)),
              op_pointer);
        continue;
      }
      CheckDuplicateKeys(opm.value, op_pointer);
      for (const Member& km : opm.value.members) {
        const LazyPointer key_pointer(op_pointer, km.key);
        if (StrContains(km.key, "${")) {
          Warning(km.key_offset, "variable-in-key",
                  "policy variables are not substituted in condition keys: this key is the "
                  "literal text, which requests do not give",
                  key_pointer);
        } else if (!ValidConditionKey(km.key)) {
          Error(km.key_offset, "bad-condition-key",
                StrCat("\"", km.key, "\" is not a condition key; expected \"prefix:name\""),
                key_pointer);
          continue;
        }
        Condition c;
        c.op = *op;
        c.key = km.key;
        std::vector<std::pair<const Value*, LazyPointer>> values;
        if (km.value.is_array()) {
          if (km.value.elements.empty()) {
            Error(km.value.offset, "empty-element", "a condition needs at least one value",
                  key_pointer);
          }
          for (size_t i = 0; i < km.value.elements.size(); ++i) {
            values.push_back({&km.value.elements[i], LazyPointer(key_pointer, i)});
          }
        } else {
          values.push_back({&km.value, key_pointer});
        }
        for (auto& [v, vp] : values) {
          std::string text;
          if ((v->type == Type::kString || v->type == Type::kNumber) && !CheckLength(*v, vp)) {
            continue;
          }
          if (v->type == Type::kString || v->type == Type::kNumber) {
            text = v->text;
          } else if (v->type == Type::kBool) {
            text = v->boolean ? "true" : "false";
          } else {
            Error(v->offset, "wrong-type",
                  StrCat("a condition value must be a string, number or boolean, not ",
                         json::TypeName(v->type)),
                  vp);
            continue;
          }
          const bool variable = v->type == Type::kString && ContainsVariable(text);
          if (variable && !OperatorTakesVariables(op->op)) {
            // "Policy variables can only be used with String and ARN operators" (IAM Access
            // Analyzer). IAM itself stores such a policy and the text matches nothing, as
            // golden 06 documents; a warning says so without refusing the world.
            Warning(v->offset, "variable-not-supported",
                    StrCat("policy variables are not supported with ", Info(op->op).name,
                           " (only String and ARN operators take them): \"${\" is plain "
                           "text here, so the value matches nothing and a Deny holding it "
                           "never applies"),
                    vp);
          } else {
            if (v->type == Type::kString) CheckVariableText(*v, vp);
            if (!(variable && version_ == PolicyVersion::k2012_10_17)) {
              CheckOperand(op->op, text, v->offset, vp);
            }
          }
          c.values.push_back(std::move(text));
        }
        st->conditions.push_back(std::move(c));
      }
    }
  }

  void CheckOperand(Operator op, const std::string& text, size_t offset,
                    const LazyPointer& pointer) {
    const OperatorInfo& info = Info(op);
    auto bad = [&](std::string code, std::string_view what) {
      Error(offset, std::move(code),
            StrCat("\"", text.substr(0, 80), "\" is not ", what, " for ", info.name), pointer);
    };
    switch (info.type) {
      case OperandType::kNumber:
        if (!ParseNumber(text)) bad("bad-number", "a number");
        break;
      case OperandType::kDate:
        if (!ParseDateMillis(text)) bad("bad-date", "an ISO 8601 date or epoch seconds");
        break;
      case OperandType::kBool:
      case OperandType::kNull:
        if (!ParseBool(text)) bad("bad-bool", "true or false");
        break;
      case OperandType::kBinary:
        if (!DecodeBase64(text)) bad("bad-binary", "base64");
        break;
      case OperandType::kIp:
        if (!ParseCidr(text)) bad("bad-cidr", "an IPv4 or IPv6 address or CIDR");
        break;
      case OperandType::kArn:
        // A truncated pattern ("arn:aws:sns:*") reads as it does in Resource: its final '*'
        // covers the fields not written. The operand then matches as one pattern.
        if (text != "*" && !SplitArn(text) && !IsTruncatedArnPattern(text)) {
          bad("bad-arn-operand", "an ARN");
        }
        break;
      case OperandType::kString:
        break;
    }
  }

  PolicyKind kind_;
  std::vector<Finding>* findings_;
  PolicyVersion version_ = PolicyVersion::k2008_10_17;
  std::set<std::string> sids_;
};

}  // namespace

std::string CheckVariables(std::string_view s) {
  size_t i = 0;
  while ((i = s.find("${", i)) != std::string_view::npos) {
    const size_t start = i;
    i += 2;
    const size_t name_start = i;
    while (i < s.size() && s[i] != '}' && s[i] != ',') ++i;
    if (i >= s.size()) {
      return StrCat("policy variable at character ", start + 1, " has no closing '}'");
    }
    const std::string_view name = StripAsciiWhitespace(s.substr(name_start, i - name_start));
    if (name.empty()) return StrCat("empty policy variable at character ", start + 1);
    const bool special = name == "*" || name == "?" || name == "$";
    for (char c : special ? std::string_view() : name) {
      if (c == '$' || c == '{' || c == '\'' || static_cast<unsigned char>(c) < 0x20) {
        return StrCat("invalid character in policy variable name \"", name, "\"");
      }
    }
    if (s[i] == ',') {
      ++i;
      while (i < s.size() && s[i] == ' ') ++i;
      if (i >= s.size() || s[i] != '\'') {
        return StrCat("the default value of ${", name, "} must be in single quotes");
      }
      const size_t close_quote = s.find('\'', i + 1);
      if (close_quote == std::string_view::npos) {
        return StrCat("the default value of ${", name, "} has no closing quote");
      }
      i = close_quote + 1;
      while (i < s.size() && s[i] == ' ') ++i;
      if (i >= s.size() || s[i] != '}') {
        return StrCat("policy variable ${", name, "} has no closing '}'");
      }
    }
    ++i;  // the '}'
  }
  return "";
}

std::optional<Policy> ParsePolicy(const json::Value& doc, PolicyKind kind, std::string_view pointer,
                                  std::vector<Finding>* findings) {
  return Parser(kind, findings).Run(doc, pointer);
}

Finding JsonErrorFinding(const json::Error& error) {
  return Finding{Severity::kError, error.offset, error.code, error.message, error.pointer};
}

std::optional<Policy> ParsePolicyText(std::string_view text, PolicyKind kind,
                                      std::vector<Finding>* findings) {
  json::Value doc;
  json::Error error;
  json::Limits limits;
  limits.max_bytes = kMaxPolicyBytes;
  if (!json::Parse(text, &doc, &error, limits)) {
    findings->push_back(JsonErrorFinding(error));
    return std::nullopt;
  }
  return ParsePolicy(doc, kind, "", findings);
}

}  // namespace arbiter
