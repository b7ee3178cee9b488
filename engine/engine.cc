#include "engine/engine.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <type_traits>

#include "compiler/credentials.h"
#include "core/strings.h"

namespace arbiter {

EvalScratch::EvalScratch() {
  action_.reserve(256);
  principal_arn_.reserve(256);
  text_.resize(8);
  literal_.resize(8);
  resolved_.resize(8);
  for (std::string& s : text_) s.reserve(256);
  for (std::string& s : literal_) s.reserve(256);
}

RequestBatch::Span RequestBatch::Put(std::string_view s) {
  Span span{text_.size(), s.size()};
  text_.append(s);
  return span;
}

void RequestBatch::Add(const Request& r) {
  Packed p;
  p.principal = Put(r.principal);
  p.action = Put(r.action);
  p.resource = Put(r.resource);
  if (r.resource_account) {
    p.has_resource_account = true;
    p.resource_account = Put(*r.resource_account);
  }
  p.first_entry = packed_entries_.size();
  p.entries = r.context.size();
  for (const auto& [key, value] : r.context) {
    PackedEntry e;
    e.key = Put(key);
    e.first_value = packed_values_.size();
    e.values = value.values.size();
    e.multi = value.multi;
    for (const std::string& v : value.values) packed_values_.push_back(Put(v));
    packed_entries_.push_back(e);
  }
  packed_.push_back(p);
}

void RequestBatch::Seal() {
  static_assert(std::is_trivially_copyable_v<ContextEntry> && alignof(ContextEntry) <= 8 &&
                alignof(std::string_view) <= 8);
  if (packed_.empty()) return;  // sealed already, or empty
  // Request i's values are packed_values_[first, first + count); its text is the run of
  // text_ from its principal to the next request's.
  struct Extent {
    size_t first_value = 0, values = 0, text_begin = 0, text_size = 0;
    size_t entries_at = 0;  // the text's size in whole words, where the entries start
    size_t bytes = 0;       // the whole region
  };
  std::vector<Extent> extents(packed_.size());
  size_t words = 0;
  for (size_t i = 0; i < packed_.size(); ++i) {
    const Packed& p = packed_[i];
    Extent& x = extents[i];
    if (p.entries > 0) {
      const PackedEntry& last = packed_entries_[p.first_entry + p.entries - 1];
      x.first_value = packed_entries_[p.first_entry].first_value;
      x.values = last.first_value + last.values - x.first_value;
    }
    x.text_begin = p.principal.offset;
    x.text_size =
        (i + 1 < packed_.size() ? packed_[i + 1].principal.offset : text_.size()) - x.text_begin;
    // The region: the text (read first: principal, action, resource), then the entries and
    // the values' views, in whole words.
    x.entries_at = (x.text_size + 7) / 8 * 8;
    x.bytes = x.entries_at + p.entries * sizeof(ContextEntry) + x.values * sizeof(std::string_view);
    words += x.bytes / 8;
  }
  arena_.assign(words, 0);
  views_.clear();
  views_.reserve(packed_.size());
  char* out = reinterpret_cast<char*>(arena_.data());
  for (size_t i = 0; i < packed_.size(); ++i) {
    const Packed& p = packed_[i];
    const Extent& x = extents[i];
    char* text = out;
    auto* entries = reinterpret_cast<ContextEntry*>(out + x.entries_at);
    auto* values = reinterpret_cast<std::string_view*>(entries + p.entries);
    if (x.text_size > 0) std::memcpy(text, text_.data() + x.text_begin, x.text_size);
    auto view = [&](Span s) { return std::string_view(text + (s.offset - x.text_begin), s.size); };
    for (size_t v = 0; v < x.values; ++v) {
      new (&values[v]) std::string_view(view(packed_values_[x.first_value + v]));
    }
    for (size_t e = 0; e < p.entries; ++e) {
      const PackedEntry& pe = packed_entries_[p.first_entry + e];
      new (&entries[e]) ContextEntry{view(pe.key), values + (pe.first_value - x.first_value),
                                     static_cast<uint32_t>(pe.values), pe.multi};
    }
    RequestView v;
    v.principal = view(p.principal);
    v.action = view(p.action);
    v.resource = view(p.resource);
    v.has_resource_account = p.has_resource_account;
    if (p.has_resource_account) v.resource_account = view(p.resource_account);
    v.context = entries;
    v.context_size = p.entries;
    views_.push_back(v);
    out += x.bytes;
  }
  // Only the arena and the views are read from now on.
  std::string().swap(text_);
  std::vector<Packed>().swap(packed_);
  std::vector<PackedEntry>().swap(packed_entries_);
  std::vector<Span>().swap(packed_values_);
}

struct EngineAccess {
  static std::string& action(EvalScratch& s) { return s.action_; }
  static std::string& principal_arn(EvalScratch& s) { return s.principal_arn_; }
  static void Reserve(EvalScratch& s, size_t i) {
    if (s.text_.size() <= i) {
      s.text_.resize(i + 1), s.literal_.resize(i + 1), s.resolved_.resize(i + 1);
    }
  }
  static std::string& text(EvalScratch& s, size_t i) {
    Reserve(s, i);
    return s.text_[i];
  }
  static uint8_t& resolved(EvalScratch& s, size_t i) {
    Reserve(s, i);
    return s.resolved_[i];
  }
  static std::vector<ContextEntry>& entries(EvalScratch& s) { return s.entries_; }
  static std::vector<std::string_view>& values(EvalScratch& s) { return s.values_; }
  static std::string& literal(EvalScratch& s, size_t i) {
    Reserve(s, i);
    return s.literal_[i];
  }
};

namespace {

using Tags = absl::flat_hash_map<std::string, std::string>;

// The caller, from the world or (for a principal the world does not list) from its ARN,
// exactly as DerivePrincipal in compiler/world.cc derives it.
struct PrincipalView {
  std::string_view arn, principal_arn, account;
  PrincipalType type = PrincipalType::kUser;
  const std::optional<std::string>* user_id = nullptr;
  std::string_view username;
  bool has_username = false;
  const Tags* tags = nullptr;
  const CompiledPrincipal* compiled = nullptr;
  bool service_linked_role = false;
  const CompiledAccount* org_account = nullptr;  // the principal's account in the organization
  std::string_view derived_userid;  // aws:userid when the world gives none (see compile)
  bool has_derived_userid = false;
};

// `hash` is w.principal_ids.Locate(arn).
PrincipalView ViewPrincipal(const CompiledWorld& w, std::string_view arn, uint64_t hash,
                            std::string& scratch) {
  PrincipalView v;
  if (const uint32_t id = w.principal_ids.Find(arn, hash); id != NameIndex::kNotFound) {
    const CompiledPrincipal& p = w.principals[id];
    v.arn = arn;  // the name it was found by, byte for byte
    v.principal_arn = p.principal_arn;
    v.account = p.account_id;
    v.type = p.type;
    v.user_id = &p.user_id;
    if (p.username) v.username = *p.username, v.has_username = true;
    v.tags = &p.tags;
    v.compiled = &p;
    v.service_linked_role = p.service_linked_role;
    v.org_account = p.account;
    if (p.derived_userid) v.derived_userid = *p.derived_userid, v.has_derived_userid = true;
    return v;
  }
  v.arn = arn;
  v.principal_arn = arn;
  if (arn == "*") {
    v.type = PrincipalType::kAnonymous;
    v.derived_userid = "anonymous";
    v.has_derived_userid = true;
    return v;
  }
  if (IsAccountId(arn)) {
    v.type = PrincipalType::kAccount;
    v.account = arn;
    scratch.assign("arn:aws:iam::").append(arn).append(":root");
    v.principal_arn = scratch;
    return v;
  }
  const std::optional<ArnParts> parts = SplitArn(arn);
  if (!parts) {
    v.type = PrincipalType::kAWSService;
    return v;
  }
  v.account = parts->account;
  const std::string_view res = parts->resource;
  if (parts->service == "iam" && res == "root") {
    v.type = PrincipalType::kAccount;
  } else if (parts->service == "iam" && StartsWith(res, "user/")) {
    v.type = PrincipalType::kUser;
    v.username = res.substr(res.rfind('/') + 1);
    v.has_username = true;
  } else if (parts->service == "sts" && StartsWith(res, "assumed-role/")) {
    v.type = PrincipalType::kAssumedRole;
    const std::string_view rest = res.substr(13);
    scratch.assign("arn:")
        .append(parts->partition)
        .append(":iam::")
        .append(parts->account)
        .append(":role/")
        .append(rest.substr(0, rest.find('/')));
    v.principal_arn = scratch;
  } else if (parts->service == "sts" && StartsWith(res, "federated-user/")) {
    v.type = PrincipalType::kFederatedUser;
    scratch.assign(parts->account).append(":").append(res.substr(15));
    v.derived_userid = scratch;
    v.has_derived_userid = true;
  } else if (parts->service == "iam" && StartsWith(res, "role/")) {
    v.type = PrincipalType::kAssumedRole;
  } else {
    v.type = PrincipalType::kUser;
  }
  v.service_linked_role =
      v.type == PrincipalType::kAssumedRole && IsServiceLinkedRoleArn(v.principal_arn);
  return v;
}

// The values of a context key: the request's, or one derived from the world.
struct Values {
  const std::string_view* list = nullptr;
  size_t count = 0;
  std::string_view one;
  bool has_one = false;
  bool multi = false;
  size_t size() const { return has_one ? 1 : count; }
  std::string_view operator[](size_t i) const { return has_one ? one : list[i]; }
};

enum class PrincipalMatch { kNone, kAccount, kRole, kDirect };
enum class Match { kFalse, kTrue };

struct Ctx {
  Ctx(const CompiledWorld& world, const RequestView& request, EvalScratch& s,
      PrincipalView principal)
      : w(world), req(request), scratch(s), p(principal) {}
  const CompiledWorld& w;
  const RequestView& req;
  EvalScratch& scratch;
  PrincipalView p;
  const CompiledResource* resource = nullptr;
  std::string_view resource_account;
  bool iam = false;
  std::string_view action;  // lower-cased
  bool has_action_id = false;
  uint32_t action_id = 0;
  bool has_service = false;  // the action's service is one the world's policies name
  uint32_t service = 0;
  const CompiledAccount* resource_org_account = nullptr;  // the resource's, if in the org
  bool explain = false;
};

Values Single(std::string_view s) {
  Values v;
  v.one = s;
  v.has_one = true;
  return v;
}

Values Lookup(const KeyRef& k, const Ctx& c) {
  for (size_t i = 0; i < c.req.context_size; ++i) {
    const ContextEntry& e = c.req.context[i];
    if (!SameText(e.key, k.key)) continue;
    Values v;
    v.list = e.values;
    v.count = e.count;
    v.multi = e.multi;
    return v;
  }
  const PrincipalView& p = c.p;
  switch (k.derived) {
    case DerivedKey::kNone:
      break;
    case DerivedKey::kPrincipalArn:
      if (c.iam) return Single(p.principal_arn);
      break;
    case DerivedKey::kPrincipalAccount:
      if (c.iam && !p.account.empty()) return Single(p.account);
      break;
    case DerivedKey::kPrincipalType:
      if (p.type != PrincipalType::kAWSService) return Single(PrincipalTypeName(p.type));
      break;
    case DerivedKey::kUserId:
      if (p.user_id && *p.user_id) return Single(**p.user_id);
      if (p.type == PrincipalType::kAccount) return Single(p.account);
      if (p.has_derived_userid) return Single(p.derived_userid);
      break;
    case DerivedKey::kUsername:
      if (p.type == PrincipalType::kUser && p.has_username) return Single(p.username);
      break;
    case DerivedKey::kPrincipalTag:
      if (p.tags) {
        auto t = p.tags->find(ToAbsl(k.tag()));
        if (t != p.tags->end()) return Single(t->second);
      }
      break;
    case DerivedKey::kPrincipalOrgId:
      if (c.w.org_id && c.iam && p.org_account != nullptr) return Single(*c.w.org_id);
      break;
    case DerivedKey::kResourceAccount:
      if (!c.resource_account.empty()) return Single(c.resource_account);
      break;
    case DerivedKey::kResourceOrgId:
      if (!c.resource_account.empty() && c.w.org_id && c.resource_org_account != nullptr) {
        return Single(*c.w.org_id);
      }
      break;
    case DerivedKey::kResourceTag:
      if (c.resource) {
        auto t = c.resource->tags.find(ToAbsl(k.tag()));
        if (t != c.resource->tags.end()) return Single(t->second);
      }
      break;
  }
  return Values{};
}

// Substitutes policy variables into scratch slot `slot`; false when one has no value, or
// when the text holds more than `longest` literal bytes: each literal byte matches a byte of
// the value, so such a text matches no value of at most `longest` bytes, exactly as a text
// with a valueless variable matches none. That bounds the work and the scratch memory by
// the values compared, however many variables a hostile policy repeats.
bool Substitute(const std::vector<VariablePiece>& pieces, Ctx& c, size_t slot, size_t longest) {
  std::string& text = EngineAccess::text(c.scratch, slot);
  std::string& lit = EngineAccess::literal(c.scratch, slot);
  text.clear();
  lit.clear();
  size_t literal_bytes = 0;
  for (const VariablePiece& piece : pieces) {
    std::string_view add;
    char literal = 1;
    switch (piece.kind) {
      case VariablePiece::Kind::kPattern:
        add = piece.text;
        literal = 0;
        break;
      case VariablePiece::Kind::kLiteral:
        add = piece.text;
        break;
      case VariablePiece::Kind::kVariable: {
        const Values v = Lookup(piece.key, c);
        if (v.size() == 1 && !v.multi) {
          add = v[0];
        } else if (piece.fallback && v.size() == 0) {
          add = *piece.fallback;
        } else {
          return false;
        }
        break;
      }
    }
    literal_bytes += literal ? add.size()
                             : add.size() - static_cast<size_t>(std::count_if(
                                                add.begin(), add.end(),
                                                [](char ch) { return ch == '*' || ch == '?'; }));
    if (literal_bytes > longest) return false;
    text.append(add);
    lit.append(add.size(), literal);
  }
  return true;
}

bool ArnMatches(const CompiledOperand& o, std::string_view value, std::string_view text,
                const char* lit) {
  const std::optional<ArnParts> v = SplitArn(value);
  if (!v) return false;
  const std::string_view vp[] = {v->partition, v->service, v->region, v->account, v->resource};
  if (!o.has_variables) {
    const std::vector<GlobRef>& parts = o.arn_parts();
    if (parts.empty()) return o.glob->Matches(value);
    for (int k = 0; k < 5; ++k) {
      if (!parts[k]->Matches(vp[k])) return false;
    }
    return true;
  }
  const std::optional<ArnParts> p = SplitArn(text);
  if (!p) return GlobMatchDynamic(text, lit, value, GlobMode::kString);
  const std::string_view pp[] = {p->partition, p->service, p->region, p->account, p->resource};
  for (int k = 0; k < 5; ++k) {
    const size_t offset = static_cast<size_t>(pp[k].data() - text.data());
    if (!GlobMatchDynamic(pp[k], lit + offset, vp[k], GlobMode::kString)) return false;
  }
  return true;
}

// One request value against one operand, for a positive operator. `text`/`lit` hold the
// substituted operand when it has variables.
bool MatchOne(Operator op, std::string_view value, const CompiledOperand& o, std::string_view text,
              const char* lit) {
  const bool dyn = o.has_variables;
  if (!dyn) text = o.text;
  switch (op) {
    case Operator::kStringEquals:
      return SameText(value, text);
    case Operator::kStringEqualsIgnoreCase:
      return EqualsIgnoreCase(value, text);
    case Operator::kStringLike:
      return dyn ? GlobMatchDynamic(text, lit, value, GlobMode::kString) : o.glob->Matches(value);
    case Operator::kBinaryEquals:
      return SameText(value, text);
    case Operator::kNumericEquals:
    case Operator::kNumericLessThan:
    case Operator::kNumericLessThanEquals:
    case Operator::kNumericGreaterThan:
    case Operator::kNumericGreaterThanEquals: {
      const std::optional<double> a = ParseNumber(value);
      const std::optional<double> b =
          dyn ? ParseNumber(text) : (o.valid ? std::optional<double>(o.number) : std::nullopt);
      return a && b && OrderedCompare(op, *a, *b);
    }
    case Operator::kDateEquals:
    case Operator::kDateLessThan:
    case Operator::kDateLessThanEquals:
    case Operator::kDateGreaterThan:
    case Operator::kDateGreaterThanEquals: {
      const std::optional<int64_t> a = ParseDateMillis(value);
      const std::optional<int64_t> b =
          dyn ? ParseDateMillis(text) : (o.valid ? std::optional<int64_t>(o.millis) : std::nullopt);
      return a && b && OrderedCompare(op, *a, *b);
    }
    case Operator::kBool: {
      const std::optional<bool> a = ParseBool(value);
      const std::optional<bool> b =
          dyn ? ParseBool(text) : (o.valid ? std::optional<bool>(o.boolean) : std::nullopt);
      return a && b && *a == *b;
    }
    case Operator::kIpAddress: {
      const std::optional<IpNetwork> net =
          dyn ? ParseCidr(text) : (o.valid ? std::optional<IpNetwork>(o.network()) : std::nullopt);
      const std::optional<IpNetwork> addr = ParseCidr(value);  // an address, not a network
      return net && addr && addr->prefix == (addr->v6 ? 128 : 32) && net->Contains(*addr);
    }
    case Operator::kArnEquals:
    case Operator::kArnLike:
      return ArnMatches(o, value, text, lit);
    default:
      return false;
  }
}

// One condition entry; the rules are documented at ReferenceConditionMatches.
Match EvalCondition(const CompiledCondition& c, Ctx& ctx) {
  const OperatorInfo& info = *c.info;
  const Values values = Lookup(c.key, ctx);
  const bool present = values.size() > 0;
  const bool null_dataset = !present || (values.size() == 1 && values[0].empty());
  auto result = [](bool b) { return b ? Match::kTrue : Match::kFalse; };
  if (c.op.op == Operator::kNull) {
    // Null's operands are the literals true/false (a variable there is never a boolean).
    for (const CompiledOperand& o : c.operands) {
      if (o.valid && !o.has_variables && o.boolean == null_dataset) return Match::kTrue;
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
  // Substitute every operand with variables first. One holding a variable with no value
  // matches no value (see Substitute in reference/evaluator.cc).
  size_t longest = 0;
  for (size_t i = 0; i < values.size(); ++i) longest = std::max(longest, values[i].size());
  size_t slots = 0;
  for (const CompiledOperand& o : c.operands) {
    if (!o.has_variables) continue;
    EngineAccess::resolved(ctx.scratch, slots) = Substitute(o.pieces(), ctx, slots, longest);
    ++slots;
  }
  auto matches = [&](std::string_view value) {
    size_t slot = 0;
    for (const CompiledOperand& o : c.operands) {
      std::string_view text;
      const char* lit = nullptr;
      if (o.has_variables) {
        const size_t i = slot++;
        if (!EngineAccess::resolved(ctx.scratch, i)) continue;
        text = EngineAccess::text(ctx.scratch, i);
        lit = EngineAccess::literal(ctx.scratch, i).data();
      }
      if (MatchOne(info.positive, value, o, text, lit)) return true;
    }
    return false;
  };
  const size_t n = values.size();
  switch (c.op.qualifier) {
    case SetQualifier::kNone: {
      bool any = false;
      for (size_t i = 0; i < n && !any; ++i) any = matches(values[i]);
      return result(info.negated != any);
    }
    case SetQualifier::kForAnyValue:
      for (size_t i = 0; i < n; ++i) {
        if (info.negated != matches(values[i])) return Match::kTrue;
      }
      return Match::kFalse;
    case SetQualifier::kForAllValues:
      for (size_t i = 0; i < n; ++i) {
        if (info.negated == matches(values[i])) return Match::kFalse;
      }
      return Match::kTrue;
  }
  return Match::kFalse;
}

PrincipalMatch MatchPrincipal(std::span<const CompiledPrincipalRef> refs, const PrincipalView& p) {
  using K = CompiledPrincipalRef::Kind;
  const bool iam = p.type != PrincipalType::kAnonymous && p.type != PrincipalType::kAWSService;
  PrincipalMatch best = PrincipalMatch::kNone;
  for (const CompiledPrincipalRef& r : refs) {
    switch (r.kind) {
      case K::kEveryone:
        return PrincipalMatch::kDirect;
      case K::kAccount:
        if (iam && r.value == p.account && SamePartition(r.aws, p.principal_arn)) {
          best = std::max(best, PrincipalMatch::kAccount);
        }
        break;
      case K::kArn:
        if (!iam) break;
        if (SameText(r.value, p.arn)) return PrincipalMatch::kDirect;
        if (SameText(r.value, p.principal_arn)) best = std::max(best, PrincipalMatch::kRole);
        break;
      case K::kService:
        if (p.type == PrincipalType::kAWSService && (r.value == p.arn || r.value == "*")) {
          return PrincipalMatch::kDirect;
        }
        break;
      case K::kFederated:
        if (r.value == p.arn || r.value == p.principal_arn) return PrincipalMatch::kDirect;
        break;
      case K::kNever:
        break;
    }
  }
  return best;
}

// NotPrincipal with Deny: excluded only when every layer of the caller is listed.
bool ExcludedByNotPrincipal(std::span<const CompiledPrincipalRef> refs, const PrincipalView& p) {
  using K = CompiledPrincipalRef::Kind;
  auto listed = [&](std::string_view arn) {  // an "AWS" entry written exactly so
    for (const CompiledPrincipalRef& r : refs) {
      if (!r.aws.empty() && r.aws == arn) return true;
    }
    return false;
  };
  for (const CompiledPrincipalRef& r : refs) {
    if (r.kind == K::kEveryone) return true;
  }
  if (p.type == PrincipalType::kAnonymous) return false;
  if (p.type == PrincipalType::kAWSService) {
    for (const CompiledPrincipalRef& r : refs) {
      if (r.kind == K::kService && r.value == p.arn) return true;
    }
    return false;
  }
  bool account_listed = false;
  for (const CompiledPrincipalRef& r : refs) {
    if (r.kind == K::kAccount && r.value == p.account) account_listed = true;
  }
  if (!account_listed) return false;
  if (p.type == PrincipalType::kAccount) return true;
  if (p.type == PrincipalType::kAssumedRole && p.principal_arn != p.arn &&
      !listed(p.principal_arn)) {
    return false;
  }
  return listed(p.arn);
}

bool ResourceMatches(const CompiledStatement& st, Ctx& c) {
  if (!st.has_resource) return true;
  const std::string_view resource = c.req.resource;
  bool any = false;
  for (const CompiledPattern& r : st.resources) {
    bool m = false;
    switch (r.kind) {
      case CompiledPattern::Kind::kAny:
        m = true;
        break;
      case CompiledPattern::Kind::kLiteral:
        m = SameText(resource, r.text);
        break;
      case CompiledPattern::Kind::kPrefix:
        m = SameText(resource.substr(0, r.text.size()), r.text);
        break;
      case CompiledPattern::Kind::kGlob:
        m = r.glob->Matches(resource);
        break;
      case CompiledPattern::Kind::kVariable:
        // A variable with no value: the entry matches no resource (see Substitute).
        m = StartsWith(resource, r.variables->static_prefix) &&
            Substitute(r.variables->pieces, c, 0, resource.size()) &&
            GlobMatchDynamic(EngineAccess::text(c.scratch, 0),
                             EngineAccess::literal(c.scratch, 0).data(), resource, GlobMode::kArn);
        break;
    }
    if (m) {
      any = true;
      break;
    }
  }
  return any != st.not_resource;
}

// Wildcard patterns against an action that is not interned (`action` lower-cased):
// patterns of another service are skipped by their literal service prefix.
bool ActionMatchesSlow(const CompiledStatement& st, std::string_view action) {
  const std::string_view service = action.substr(0, action.find(':') + 1);
  for (const std::string& p : st.action_patterns) {
    const size_t wild = FindWildcard(p);
    if (wild >= service.size() && !StartsWith(p, service)) continue;
    if (GlobMatchDynamic(p, nullptr, action, GlobMode::kAction)) return true;
  }
  return false;
}

// Calls f(statement id) for each statement of `policy` whose Action/NotAction covers the
// request's action.
// The run of (id << 32 | statement) entries of a sorted index that name `id`.
struct Range {
  const uint64_t* first = nullptr;
  const uint64_t* last = nullptr;
};
Range FindIn(const std::vector<uint64_t>& index, uint32_t id) {
  const uint64_t key = uint64_t{id} << 32;
  const uint64_t* first = std::lower_bound(index.data(), index.data() + index.size(), key);
  const uint64_t* last = first;
  const uint64_t* end = index.data() + index.size();
  while (last != end && (*last >> 32) == id) ++last;
  return {first, last};
}

// Whether NotAction statement `sid` of `policy` lists the interned action `action_id` (and
// so does not apply to it).
bool NotActionLists(const CompiledPolicy& policy, uint32_t sid, uint32_t action_id) {
  if (!policy.MayBeListed(action_id)) return false;
  const Range listed = FindIn(policy.listed_index, action_id);
  return std::find(listed.first, listed.last, uint64_t{action_id} << 32 | sid) != listed.last;
}

// `C` has the request's lower-cased `action` and, when it is interned, `action_id`.
template <typename C, typename F>
void ForEachCandidate(const CompiledWorld& w, const CompiledPolicy& policy, const C& c, F f) {
  if (c.has_action_id && policy.indexed) {
    const Range r = FindIn(policy.action_index, c.action_id);
    for (const uint64_t* s = r.first; s != r.last; ++s) f(static_cast<uint32_t>(*s));
  } else if (c.has_action_id) {
    const std::vector<uint32_t>& ids = policy.statement_actions;
    for (uint32_t i = 0; i + 1 < policy.statement_starts.size(); ++i) {
      if (std::binary_search(ids.begin() + policy.statement_starts[i],
                             ids.begin() + policy.statement_starts[i + 1], c.action_id)) {
        f(policy.first_statement + i);
      }
    }
  } else {
    for (uint32_t sid : policy.wildcard_action) {
      if (ActionMatchesSlow(w.statements[sid], c.action)) f(sid);
    }
  }
  for (uint32_t sid : policy.every_action) f(sid);
  if (policy.not_action.empty()) return;
  if (c.has_action_id) {
    for (uint32_t sid : policy.not_action) {
      if (!NotActionLists(policy, sid, c.action_id)) f(sid);
    }
  } else {
    for (uint32_t sid : policy.not_action) {
      if (!ActionMatchesSlow(w.statements[sid], c.action)) f(sid);
    }
  }
}

struct PolicyOutcome {
  bool deny = false;
  bool allow = false;
  PrincipalMatch match = PrincipalMatch::kNone;  // strongest among applying Allows
};

void AddReason(std::vector<Reason>* out, const CompiledPolicy& policy, PolicyRole role,
               const CompiledStatement& st) {
  out->push_back(Reason{policy.name, role, policy.Sid(st.index), st.index, st.effect});
}

// Whether statement `st` (whose Action already covers the request's) applies: its
// Principal (in a resource policy or RCP), Resource and Condition all match. For an applying
// Allow in a principal policy, *match says how the Principal named the caller.
bool Applies(const CompiledStatement& st, Ctx& c, bool principal_policy, PrincipalMatch* match) {
  const bool deny = st.effect == Effect::kDeny;
  if (principal_policy) {
    if (!st.has_principal) return false;
    if (st.not_principal) {
      const bool boundary_gotcha =
          deny && c.p.compiled != nullptr && c.p.compiled->boundary.has_value();
      if (boundary_gotcha) {
        // "NotPrincipal with Deny will always deny any IAM principal that has a
        // permissions boundary policy attached."
      } else if (deny) {
        if (ExcludedByNotPrincipal(st.principals, c.p)) return false;
      } else if (MatchPrincipal(st.principals, c.p) != PrincipalMatch::kNone) {
        return false;
      }
    } else {
      *match = MatchPrincipal(st.principals, c.p);
      if (*match == PrincipalMatch::kNone) return false;
    }
  }
  if (!ResourceMatches(st, c)) return false;
  for (const CompiledCondition& cond : st.conditions) {
    if (EvalCondition(cond, c) != Match::kTrue) return false;
  }
  return true;
}

// Evaluates one policy playing `role`. Reasons (explain only) are appended in statement
// order, as the reference evaluator lists them.
PolicyOutcome EvalPolicy(Ctx& c, uint32_t pid, PolicyRole role, std::vector<Reason>* denies,
                         std::vector<Reason>* allows) {
  PolicyOutcome out;
  const CompiledPolicy& policy = c.w.policies[pid];
  if (!policy.any_service && !(c.has_service && policy.MayMatchService(c.service))) return out;
  const bool principal_policy = role == PolicyRole::kResource || role == PolicyRole::kRcp;
  const size_t deny_mark = denies ? denies->size() : 0;
  const size_t allow_mark = allows ? allows->size() : 0;
  ForEachCandidate(c.w, policy, c, [&](uint32_t sid) {
    const CompiledStatement& st = c.w.statements[sid];
    const bool deny = st.effect == Effect::kDeny;
    PrincipalMatch m = PrincipalMatch::kDirect;
    if (!Applies(st, c, principal_policy, &m)) return;
    if (deny) {
      out.deny = true;
      if (denies) AddReason(denies, policy, role, st);
    } else {
      out.allow = true;
      out.match = std::max(out.match, m);
      if (allows) AddReason(allows, policy, role, st);
    }
  });
  auto by_statement = [](const Reason& a, const Reason& b) { return a.statement < b.statement; };
  if (denies) std::sort(denies->begin() + deny_mark, denies->end(), by_statement);
  if (allows) std::sort(allows->begin() + allow_mark, allows->end(), by_statement);
  return out;
}

// What the policies merged in one or more ActionPlans say about an interned action.
struct PlanOutcome {
  bool deny = false;
  uint32_t allowed = 0;  // bit per slot: some Allow statement of that slot applies
};

// Runs `plan` for the request's interned action, adding to `out`. Stops at the first applying Deny
// (nothing overrides it), and skips Allow statements of a slot that already has one (they cannot
// change the outcome). Not for explanations, which list every applying statement.
PlanOutcome RunPlan(const ActionPlan& plan, Ctx& c, PlanOutcome out) {
  auto visit = [&](uint32_t ref) {
    const uint32_t slot = ActionPlan::Slot(ref);
    const bool deny = ref & ActionPlan::kDeny;
    if (!deny && (out.allowed >> slot & 1)) return false;
    if (!(ref & ActionPlan::kUnconditional)) {
      PrincipalMatch unused;
      const CompiledStatement& st = c.w.statements[ActionPlan::Statement(ref)];
      if (!Applies(st, c, /*principal_policy=*/false, &unused)) return false;
    }
    if (deny) return out.deny = true;
    out.allowed |= uint32_t{1} << slot;
    return false;
  };
  if (const uint32_t i = plan.Find(c.action_id); i != ActionPlan::kAbsent) {
    const auto [first, last] = plan.Group(i);
    // Start loading every statement to check at once rather than one miss after another.
    for (const uint32_t* ref = first; ref != last; ++ref) {
      if (!(*ref & ActionPlan::kUnconditional)) {
        const char* st =
            reinterpret_cast<const char*>(&c.w.statements[ActionPlan::Statement(*ref)]);
        __builtin_prefetch(st);
        __builtin_prefetch(st + sizeof(CompiledStatement) - 1);
      }
    }
    for (const uint32_t* ref = first; ref != last; ++ref) {
      if (visit(*ref)) return out;
    }
  }
  for (uint32_t ref : plan.every) {
    if (visit(ref)) return out;
  }
  for (uint32_t ref : plan.not_action) {
    const uint32_t sid = ActionPlan::Statement(ref);
    if (NotActionLists(c.w.policies[c.w.statements[sid].policy], sid, c.action_id)) continue;
    if (visit(ref)) return out;
  }
  return out;
}

const CompiledResource* FindResource(const CompiledWorld& w, std::string_view arn) {
  const std::vector<uint64_t>& lengths = w.resource_lengths;
  if (arn == "*" || lengths.empty()) return nullptr;
  // Longest first: the whole ARN, then each prefix that ends before a '/' or ':', among the
  // lengths some resource ARN has (a bit each, so 64 lengths no ARN has are skipped at once).
  for (size_t word = std::min(arn.size() / 64, lengths.size() - 1) + 1; word-- > 0;) {
    uint64_t bits = lengths[word];
    if (word == arn.size() / 64) bits &= ~uint64_t{0} >> (63 - arn.size() % 64);
    while (bits != 0) {
      const int top = 63 - std::countl_zero(bits);
      bits &= ~(uint64_t{1} << top);
      const size_t len = word * 64 + static_cast<size_t>(top);
      if (len != arn.size() && arn[len] != '/' && arn[len] != ':') continue;
      const uint32_t id = w.resource_ids.Find(arn.substr(0, len));
      if (id != NameIndex::kNotFound) return &w.resources[id];
    }
  }
  return nullptr;
}

void Append(std::vector<Reason>* to, std::vector<Reason>* from) {
  if (to && from) to->insert(to->end(), from->begin(), from->end());
}

}  // namespace

RequestView ViewOf(const Request& request, EvalScratch& scratch) {
  std::vector<ContextEntry>& entries = EngineAccess::entries(scratch);
  std::vector<std::string_view>& values = EngineAccess::values(scratch);
  entries.clear();
  values.clear();
  size_t total = 0;
  for (const auto& [key, value] : request.context) total += value.values.size();
  if (values.capacity() < total) values.reserve(total);  // no reallocation below
  for (const auto& [key, value] : request.context) {
    const size_t first = values.size();
    for (const std::string& v : value.values) values.push_back(v);
    entries.push_back(
        {key, values.data() + first, static_cast<uint32_t>(value.values.size()), value.multi});
  }
  RequestView view;
  view.principal = request.principal;
  view.action = request.action;
  view.resource = request.resource;
  view.has_resource_account = request.resource_account.has_value();
  if (request.resource_account) view.resource_account = *request.resource_account;
  view.context = entries.data();
  view.context_size = entries.size();
  return view;
}

EvalResult Evaluate(const CompiledWorld& w, const Request& request, EvalScratch& scratch,
                    bool explain) {
  return Evaluate(w, ViewOf(request, scratch), scratch, explain);
}

namespace {

// `action` is the request's action lower-cased, and `action_hash` w.action_ids.Locate(action).
EvalResult EvaluatePolicies(const CompiledWorld& w, const RequestView& req, EvalScratch& scratch,
                            bool explain, const PrincipalView& principal, std::string_view action,
                            uint64_t action_hash) {
  EvalResult result;
  Ctx c(w, req, scratch, principal);
  c.explain = explain;
  c.iam = c.p.type != PrincipalType::kAnonymous && c.p.type != PrincipalType::kAWSService;
  c.action = action;
  if (const uint32_t id = w.action_ids.Find(action, action_hash); id != NameIndex::kNotFound) {
    c.has_action_id = true;
    c.action_id = id;
    c.has_service = true;
    c.service = w.action_service[c.action_id];
  } else if (const uint32_t s =
                 w.service_ids.Find(std::string_view(action).substr(0, action.find(':')));
             s != NameIndex::kNotFound) {
    c.has_service = true;
    c.service = s;
  }
  // The plans the request may run (a known principal's and its account's SCP plan): start
  // loading their entries for the action while the resource is looked up.
  const ActionPlan* plans[2] = {nullptr, nullptr};
  if (c.has_action_id && !explain && c.p.compiled) {
    plans[0] = c.p.compiled->plan;
    if (c.p.org_account) plans[1] = c.p.org_account->scp_plan;
  }
  for (const ActionPlan* plan : plans) {
    if (plan) plan->Prefetch(c.action_id);
  }
  c.resource = FindResource(w, req.resource);
  // By now the plans' bitmap words have arrived: rank the action and start loading its
  // group entry, the next link of each plan's chain.
  for (const ActionPlan* plan : plans) {
    if (plan) plan->PrefetchGroup(c.action_id);
  }
  if (c.p.compiled == nullptr && !c.p.account.empty()) {
    c.p.org_account = w.FindAccount(c.p.account);
  }
  const std::optional<ArnParts> resource_arn = SplitArn(req.resource);
  if (req.has_resource_account) {
    c.resource_account = req.resource_account;
  } else if (c.resource && c.resource->account) {
    c.resource_account = *c.resource->account;
  } else if (resource_arn && NamesOwner(resource_arn->account)) {
    c.resource_account = resource_arn->account;  // see ReferenceEvaluate
  }
  if (!c.resource_account.empty()) {
    // Most requests stay in the caller's account, whose organization entry is found already.
    c.resource_org_account =
        c.resource_account == c.p.account ? c.p.org_account : w.FindAccount(c.resource_account);
  }
  const std::string_view service = req.action.substr(0, req.action.find(':'));

  const CompiledAccount* scp_account =
      c.iam && !c.p.service_linked_role ? c.p.org_account : nullptr;
  const bool rcp_service =
      c.has_action_id ? w.action_rcp[c.action_id] != 0 : RcpGovernsAction(req.action);
  // An unnamed owner (and an action on no resource) is the caller's account, for RCPs too
  // (see ReferenceEvaluate).
  const CompiledAccount* rcp_owner =
      !c.resource_account.empty() ? c.resource_org_account : c.p.org_account;
  const CompiledAccount* rcp_account =
      rcp_service && !c.p.service_linked_role ? rcp_owner : nullptr;
  const bool role_resource = IsRoleArn(resource_arn);  // see ReferenceEvaluate
  const bool sts_action = EqualsIgnoreCase(service, "sts");
  const bool has_resource_policy =
      c.resource != nullptr && c.resource->policy.has_value() && (!role_resource || sts_action);
  const uint32_t resource_policy = has_resource_policy ? *c.resource->policy : 0;
  const CompiledPrincipal* known = c.p.compiled;

  // Reasons are gathered per policy type only when explaining.
  std::vector<Reason> deny_reasons, scp_allows, rp_allows, id_allows, boundary_allows,
      session_allows;
  auto r = [&](std::vector<Reason>& v) { return explain ? &v : nullptr; };

  bool deny = false;
  bool identity_allows = false, boundary_allow = false, session_allow = false;
  bool scp_ok = true;
  // The merged plan serves the common case; explanations and actions that are not interned
  // take the per-policy path.
  const bool use_plan = known && known->plan && c.has_action_id && !explain &&
                        (!scp_account || scp_account->scp_plan);
  if (use_plan) {
    PlanOutcome o = RunPlan(*known->plan, c, PlanOutcome{});
    if (scp_account && !o.deny) o = RunPlan(*scp_account->scp_plan, c, o);
    if (o.deny) {
      result.decision = Decision::kExplicitDeny;
      return result;
    }
    identity_allows = o.allowed >> ActionPlan::kIdentitySlot & 1;
    boundary_allow = o.allowed >> ActionPlan::kBoundarySlot & 1;
    session_allow = o.allowed >> ActionPlan::kSessionSlot & 1;
    if (scp_account) {
      const uint32_t levels = (uint32_t{1} << scp_account->scps.size()) - 1;
      scp_ok = (o.allowed >> ActionPlan::kFirstScpSlot & levels) == levels;
    }
  } else if (known) {
    for (uint32_t pid : known->identity) {
      const PolicyOutcome o =
          EvalPolicy(c, pid, PolicyRole::kIdentity, r(deny_reasons), r(id_allows));
      deny |= o.deny;
      identity_allows |= o.allow;
    }
    if (known->boundary) {
      const PolicyOutcome o = EvalPolicy(c, *known->boundary, PolicyRole::kBoundary,
                                         r(deny_reasons), r(boundary_allows));
      deny |= o.deny;
      boundary_allow = o.allow;
    }
    for (uint32_t pid : known->session) {
      const PolicyOutcome o =
          EvalPolicy(c, pid, PolicyRole::kSession, r(deny_reasons), r(session_allows));
      deny |= o.deny;
      session_allow |= o.allow;
    }
  }
  if (scp_account && !use_plan) {
    for (const auto& level : scp_account->scps) {
      bool level_allow = false;
      std::vector<Reason> level_allows;
      for (uint32_t pid : level) {
        const PolicyOutcome o =
            EvalPolicy(c, pid, PolicyRole::kScp, r(deny_reasons), r(level_allows));
        deny |= o.deny;
        level_allow |= o.allow;
      }
      if (!level_allow) scp_ok = false;
      if (scp_ok) Append(r(scp_allows), r(level_allows));
    }
  }
  if (rcp_account) {
    for (const auto& level : rcp_account->rcps) {
      for (uint32_t pid : level) {
        deny |= EvalPolicy(c, pid, PolicyRole::kRcp, r(deny_reasons), nullptr).deny;
      }
    }
  }
  PrincipalMatch rp = PrincipalMatch::kNone;
  if (has_resource_policy) {
    const PolicyOutcome o =
        EvalPolicy(c, resource_policy, PolicyRole::kResource, r(deny_reasons), r(rp_allows));
    deny |= o.deny;
    rp = o.allow ? o.match : PrincipalMatch::kNone;
  }
  if (deny) {
    result.decision = Decision::kExplicitDeny;
    result.reasons = std::move(deny_reasons);
    return result;
  }
  if (!scp_ok) return result;

  std::vector<Reason> allows = std::move(scp_allows);
  auto grant = [&](std::initializer_list<std::vector<Reason>*> parts) {
    result.decision = Decision::kAllow;
    if (explain) {
      for (std::vector<Reason>* part : parts) Append(&allows, part);
      result.reasons = std::move(allows);
    }
  };
  if (!c.iam) {
    if (rp != PrincipalMatch::kNone) grant({&rp_allows});
    return result;
  }
  identity_allows = identity_allows || c.p.type == PrincipalType::kAccount;
  const bool boundary_ok = !(known && known->boundary) || boundary_allow;
  const bool session_ok = !(known && !known->session.empty())
                              ? c.p.type != PrincipalType::kFederatedUser
                              : session_allow;
  const bool identity_side = identity_allows && boundary_ok && session_ok;
  const bool same_account = c.resource_account.empty() || c.resource_account == c.p.account;
  if (same_account) {
    bool identity_counts = identity_side;
    const auto& arn = resource_arn;  // see ReferenceEvaluate
    const bool kms_key = arn && arn->service == "kms" && StartsWith(arn->resource, "key/");
    const bool assumed_role = has_resource_policy && role_resource && sts_action;
    if ((kms_key || assumed_role) && rp == PrincipalMatch::kNone) identity_counts = false;
    if (rp == PrincipalMatch::kDirect) {
      grant({&rp_allows});
    } else if (rp == PrincipalMatch::kRole && boundary_ok && session_ok) {
      grant({&rp_allows, &boundary_allows, &session_allows});
    } else if (identity_counts) {
      if (rp != PrincipalMatch::kNone) {
        grant({&id_allows, &boundary_allows, &session_allows, &rp_allows});
      } else {
        grant({&id_allows, &boundary_allows, &session_allows});
      }
    }
  } else if (rp != PrincipalMatch::kNone && identity_side) {
    grant({&id_allows, &boundary_allows, &session_allows, &rp_allows});
  }
  return result;
}

}  // namespace

EvalResult Evaluate(const CompiledWorld& w, const RequestView& req, EvalScratch& scratch,
                    bool explain) {
  // What the caller's kind of credentials allows whatever the policies say
  // (compiler/credentials.h; see ReferenceEvaluate).
  // The principal's and the action's lookups are started together, so that their cache
  // misses overlap.
  const uint64_t principal_hash = w.principal_ids.Locate(req.principal);
  std::string& action = EngineAccess::action(scratch);
  action.resize(req.action.size());
  AsciiLowerCopy(req.action, action.data());
  const uint64_t action_hash = w.action_ids.Locate(action);
  const PrincipalView principal =
      ViewPrincipal(w, req.principal, principal_hash, EngineAccess::principal_arn(scratch));
  return WithCredentialLimits(principal.type, req.action, [&] {
    return EvaluatePolicies(w, req, scratch, explain, principal, action, action_hash);
  });
}

void ForEachCandidateStatement(const CompiledWorld& w, uint32_t policy,
                               std::string_view lower_action,
                               const std::function<void(uint32_t)>& f) {
  struct {
    std::string_view action;
    bool has_action_id = false;
    uint32_t action_id = 0;
  } c;
  c.action = lower_action;
  if (const uint32_t id = w.action_ids.Find(lower_action); id != NameIndex::kNotFound) {
    c.has_action_id = true;
    c.action_id = id;
  }
  ForEachCandidate(w, w.policies[policy], c, f);
}

}  // namespace arbiter
