#include "compiler/compile.h"

#include <algorithm>
#include <mutex>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "core/heap.h"
#include "core/strings.h"
#include "tbb/parallel_for.h"

namespace arbiter {
namespace {

// Identical patterns recur across policies ("arn:aws:ec2:*:*:instance/*"); copies of a
// Glob share its automaton, so each distinct pattern is compiled once.
// Thread-safe: policies are lowered in parallel. A glob is built outside the lock; when two
// threads build the same one, the first stored is kept and the other freed.
class GlobCache {
 public:
  GlobRef Get(std::string_view pattern, GlobMode mode) {
    auto& globs = globs_[static_cast<int>(mode)];
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = globs.find(ToAbsl(pattern)); it != globs.end()) return it->second;
    }
    GlobRef glob = std::make_shared<const Glob>(pattern, mode);
    std::lock_guard<std::mutex> lock(mu_);
    return globs.try_emplace(std::string(pattern), std::move(glob)).first->second;
  }

 private:
  std::mutex mu_;
  absl::flat_hash_map<std::string, GlobRef> globs_[3];
};

// Splits a string holding policy variables into pieces (the parser validated the syntax).
std::vector<VariablePiece> SplitVariables(std::string_view s) {
  std::vector<VariablePiece> pieces;
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = s.find("${", i);
    if (start == std::string_view::npos) {
      pieces.push_back({VariablePiece::Kind::kPattern, std::string(s.substr(i)), {}, {}});
      break;
    }
    if (start > i) {
      pieces.push_back(
          {VariablePiece::Kind::kPattern, std::string(s.substr(i, start - i)), {}, {}});
    }
    const std::optional<VariableToken> token = ScanVariable(s, start);
    if (!token) {  // not a variable: the rest is plain text
      pieces.push_back({VariablePiece::Kind::kPattern, std::string(s.substr(start)), {}, {}});
      break;
    }
    const std::string_view name = token->name;
    std::optional<std::string> fallback;
    if (token->fallback) fallback = std::string(*token->fallback);
    i = token->end;
    if (name == "*" || name == "?" || name == "$") {
      pieces.push_back({VariablePiece::Kind::kLiteral, std::string(name), {}, {}});
    } else {
      pieces.push_back({VariablePiece::Kind::kVariable,
                        {},
                        ResolveKey(AsciiStrToLower(name)),
                        std::move(fallback)});
    }
  }
  return pieces;
}

bool HoldsVariables(std::string_view s, PolicyVersion version) {
  return version == PolicyVersion::k2012_10_17 && StrContains(s, "${");
}

CompiledPattern CompileResource(const std::string& r, PolicyVersion version, GlobCache& globs) {
  CompiledPattern p;
  if (HoldsVariables(r, version)) {
    p.kind = CompiledPattern::Kind::kVariable;
    auto v = std::make_unique<CompiledPattern::Variables>();
    v->pieces = SplitVariables(r);
    if (!v->pieces.empty() && v->pieces[0].kind == VariablePiece::Kind::kPattern) {
      const std::string& t = v->pieces[0].text;
      v->static_prefix = t.substr(0, std::min(FindWildcard(t), t.size()));
    }
    p.variables = std::move(v);
  } else if (r.find_first_not_of('*') == std::string::npos && !r.empty()) {
    p.kind = CompiledPattern::Kind::kAny;
  } else if (!HasWildcard(r)) {
    p.kind = CompiledPattern::Kind::kLiteral;
    p.text = r;
  } else if (r.back() == '*' && !HasWildcard(std::string_view(r).substr(0, r.size() - 1))) {
    // A final '*' ends its segment, so it may match anything (colons included).
    p.kind = CompiledPattern::Kind::kPrefix;
    p.text = r.substr(0, r.size() - 1);
  } else {
    p.kind = CompiledPattern::Kind::kGlob;
    p.glob = globs.Get(r, GlobMode::kArn);
  }
  return p;
}

CompiledOperand CompileOperand(const std::string& v, Operator op, PolicyVersion version,
                               GlobCache& globs) {
  CompiledOperand o;
  o.text = v;
  if (OperatorTakesVariables(op) && HoldsVariables(v, version)) {
    o.has_variables = true;
    auto extra = std::make_unique<CompiledOperand::Extra>();
    extra->pieces = SplitVariables(v);
    o.extra = std::move(extra);
    return o;
  }
  switch (Info(op).type) {
    case OperandType::kString:
      if (op == Operator::kStringLike || op == Operator::kStringNotLike) {
        o.glob = globs.Get(v, GlobMode::kString);
      }
      break;
    case OperandType::kNumber:
      if (auto n = ParseNumber(v))
        o.number = *n;
      else
        o.valid = false;
      break;
    case OperandType::kDate:
      if (auto d = ParseDateMillis(v))
        o.millis = *d;
      else
        o.valid = false;
      break;
    case OperandType::kBool:
    case OperandType::kNull:
      if (auto b = ParseBool(v))
        o.boolean = *b;
      else
        o.valid = false;
      break;
    case OperandType::kIp:
      if (auto n = ParseCidr(v)) {
        auto extra = std::make_unique<CompiledOperand::Extra>();
        extra->network = *n;
        o.extra = std::move(extra);
      } else {
        o.valid = false;
      }
      break;
    case OperandType::kArn:
      if (auto parts = SplitArn(v)) {
        auto extra = std::make_unique<CompiledOperand::Extra>();
        for (std::string_view part :
             {parts->partition, parts->service, parts->region, parts->account, parts->resource}) {
          extra->arn_parts.push_back(globs.Get(part, GlobMode::kString));
        }
        o.extra = std::move(extra);
      } else {
        o.glob = globs.Get(v, GlobMode::kString);
      }
      break;
    case OperandType::kBinary:
      break;
  }
  return o;
}

std::vector<CompiledPrincipalRef> CompilePrincipals(const PrincipalSpec& spec) {
  using K = CompiledPrincipalRef::Kind;
  std::vector<CompiledPrincipalRef> refs;
  if (spec.wildcard) refs.push_back({K::kEveryone, "*", "*"});
  for (const std::string& a : spec.aws) {
    if (a == "*") {
      refs.push_back({K::kEveryone, a, a});
    } else if (IsAccountId(a)) {
      refs.push_back({K::kAccount, a, a});
    } else if (auto arn = SplitArn(a); arn && arn->service == "iam" && arn->resource == "root") {
      refs.push_back({K::kAccount, std::string(arn->account), a});
    } else {
      refs.push_back({K::kArn, a, a});
    }
  }
  for (const std::string& s : spec.service) refs.push_back({K::kService, s, ""});
  for (const std::string& f : spec.federated) refs.push_back({K::kFederated, f, ""});
  return refs;
}

absl::flat_hash_map<std::string, std::string> LowerTags(const Tags& tags) {
  absl::flat_hash_map<std::string, std::string> out;
  for (const auto& [k, v] : tags) out.try_emplace(AsciiStrToLower(k), v);
  return out;
}

// Interned actions, grouped by service for wildcard expansion.
class ActionTable {
 public:
  uint32_t Intern(std::string_view action) {
    lower_.resize(action.size());
    AsciiLowerCopy(action, lower_.data());
    return ids_.Add(lower_);
  }

  // Sorts each service's actions so that prefix patterns can binary-search them.
  void Seal() {
    for (uint32_t id = 0; id < ids_.size(); ++id) {
      const std::string_view n = ids_.Name(id);
      by_service_[ToAbsl(n.substr(0, n.find(':')))].push_back(id);
    }
    for (auto& [service, ids] : by_service_) {
      std::sort(ids.begin(), ids.end(),
                [&](uint32_t a, uint32_t b) { return ids_.Name(a) < ids_.Name(b); });
    }
  }

  // Calls `f(id)` for every interned action that `pattern` (a wildcard Action) matches.
  // `pattern` is lower-cased.
  template <typename F>
  void ForEachMatch(const std::string& lower, F f) const {
    const size_t colon = lower.find(':');
    const std::string_view service = std::string_view(lower).substr(0, colon);
    if (colon == std::string::npos || HasWildcard(service)) {
      const Glob glob(lower, GlobMode::kAction);
      for (uint32_t id = 0; id < ids_.size(); ++id) {
        if (glob.Matches(ids_.Name(id))) f(id);
      }
      return;
    }
    auto it = by_service_.find(ToAbsl(service));
    if (it == by_service_.end()) return;
    const std::vector<uint32_t>& ids = it->second;
    const std::string_view body = std::string_view(lower).substr(0, lower.size() - 1);
    if (lower.back() == '*' && !HasWildcard(body)) {
      // "svc:Prefix*": the matches are one sorted run.
      auto first =
          std::lower_bound(ids.begin(), ids.end(), body,
                           [&](uint32_t id, std::string_view b) { return ids_.Name(id) < b; });
      for (; first != ids.end() && StartsWith(ids_.Name(*first), body); ++first) f(*first);
      return;
    }
    const Glob glob(lower, GlobMode::kAction);
    for (uint32_t id : ids) {
      if (glob.Matches(ids_.Name(id))) f(id);
    }
  }

  size_t size() const { return ids_.size(); }
  std::string_view Name(uint32_t id) const { return ids_.Name(id); }
  NameIndex TakeIds() {
    ids_.Shrink();
    return std::move(ids_);
  }

 private:
  NameIndex ids_;
  std::string lower_;  // scratch
  absl::flat_hash_map<std::string, std::vector<uint32_t>> by_service_;
};

// Packs (action id, statement) pairs into the sorted (id << 32 | statement) index.
void BuildIndex(std::vector<std::pair<uint32_t, uint32_t>>* pairs, std::vector<uint64_t>* index) {
  index->reserve(pairs->size());
  for (const auto& [id, statement] : *pairs) index->push_back(uint64_t{id} << 32 | statement);
  std::sort(index->begin(), index->end());
  index->erase(std::unique(index->begin(), index->end()), index->end());
  index->shrink_to_fit();
}

// The ref of statement `sid` filling `slot`, with its flags (see ActionPlan). Plans hold
// principal policies, whose statements have no Principal element.
uint32_t PlanRef(const CompiledWorld& w, uint32_t sid, uint32_t slot) {
  const CompiledStatement& st = w.statements[sid];
  const bool every_resource =
      !st.has_resource ||
      (!st.not_resource &&
       std::any_of(st.resources.begin(), st.resources.end(),
                   [](const CompiledPattern& r) { return r.kind == CompiledPattern::Kind::kAny; }));
  uint32_t flags = st.effect == Effect::kDeny ? ActionPlan::kDeny : 0;
  if (every_resource && st.conditions.empty()) flags |= ActionPlan::kUnconditional;
  return ActionPlan::Ref(sid, slot, flags);
}

// Orders `refs` for the engine's early exits and drops those that cannot change the outcome:
// an Allow is useless when its slot has an unconditional Allow in `covered` (a bit per slot)
// or, when the refs apply together (those of one action, or of every action), here; and
// then an unconditional Deny decides alone. NotAction refs do not apply together: each
// skips the actions its statement lists.
void Simplify(std::vector<uint32_t>* refs, uint32_t covered, bool together) {
  auto rank = [](uint32_t ref) {  // unconditional Denies, Denies, unconditional Allows, Allows
    return (ref & ActionPlan::kDeny ? 0 : 2) + (ref & ActionPlan::kUnconditional ? 0 : 1);
  };
  std::stable_sort(refs->begin(), refs->end(),
                   [&](uint32_t a, uint32_t b) { return rank(a) < rank(b); });
  if (together && !refs->empty() && rank(refs->front()) == 0) {
    refs->resize(1);
    return;
  }
  std::vector<uint32_t> kept;
  for (uint32_t ref : *refs) {
    const uint32_t bit = uint32_t{1} << ActionPlan::Slot(ref);
    if (ref & ActionPlan::kDeny) {
      kept.push_back(ref);
    } else if (!(covered & bit)) {
      kept.push_back(ref);
      if (together && (ref & ActionPlan::kUnconditional)) covered |= bit;
    }
  }
  refs->swap(kept);
}

// Merges the action indexes of `slots` ((policy, slot) pairs).
std::optional<ActionPlan> BuildPlan(const CompiledWorld& w,
                                    const std::vector<std::pair<uint32_t, uint32_t>>& slots) {
  ActionPlan plan;
  std::vector<std::pair<uint32_t, uint32_t>> entries;  // (action id, ref)
  for (const auto& [pid, slot] : slots) {
    const CompiledPolicy& p = w.policies[pid];
    for (uint64_t e : p.action_index) {
      entries.emplace_back(static_cast<uint32_t>(e >> 32),
                           PlanRef(w, static_cast<uint32_t>(e), slot));
    }
    for (uint32_t i = 0; i + 1 < p.statement_starts.size(); ++i) {
      const uint32_t ref = PlanRef(w, p.first_statement + i, slot);
      for (uint32_t k = p.statement_starts[i]; k < p.statement_starts[i + 1]; ++k) {
        entries.emplace_back(p.statement_actions[k], ref);
      }
    }
    for (uint32_t sid : p.every_action) plan.every.push_back(PlanRef(w, sid, slot));
    for (uint32_t sid : p.not_action) plan.not_action.push_back(PlanRef(w, sid, slot));
  }
  Simplify(&plan.every, 0, /*together=*/true);
  uint32_t every_covered = 0;  // slots with an unconditional Allow for every action
  for (uint32_t ref : plan.every) {
    if ((ref & (ActionPlan::kDeny | ActionPlan::kUnconditional)) == ActionPlan::kUnconditional) {
      every_covered |= uint32_t{1} << ActionPlan::Slot(ref);
    }
  }
  Simplify(&plan.not_action, every_covered, /*together=*/false);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<uint32_t> refs;
  // Groups are interned by their refs' bytes; consecutive actions often share one.
  absl::flat_hash_map<std::string, uint16_t> group_ids;
  std::string key;
  plan.group_starts.push_back(0);
  for (size_t i = 0, j; i < entries.size(); i = j) {
    for (j = i + 1; j < entries.size() && entries[j].first == entries[i].first;) ++j;
    refs.clear();
    for (size_t k = i; k < j; ++k) refs.push_back(entries[k].second);
    Simplify(&refs, every_covered, /*together=*/true);
    if (refs.empty()) continue;  // every Allow here is already covered by `every`
    plan.AddAction(entries[i].first);
    key.assign(reinterpret_cast<const char*>(refs.data()), refs.size() * sizeof(uint32_t));
    const auto [it, added] =
        group_ids.try_emplace(key, static_cast<uint16_t>(plan.group_starts.size() - 1));
    if (added) {
      if (group_ids.size() > ActionPlan::kMaxGroups) return std::nullopt;
      plan.refs.insert(plan.refs.end(), refs.begin(), refs.end());
      plan.group_starts.push_back(static_cast<uint32_t>(plan.refs.size()));
    }
    plan.groups.push_back(it->second);
  }
  plan.RankActions();
  plan.groups.shrink_to_fit();
  plan.group_starts.shrink_to_fit();
  plan.refs.shrink_to_fit();
  plan.every.shrink_to_fit();
  plan.not_action.shrink_to_fit();
  return plan;
}

}  // namespace

KeyRef ResolveKey(std::string_view lower_key) {
  KeyRef k;
  k.key = std::string(lower_key);
  struct Fixed {
    std::string_view name;
    DerivedKey derived;
  };
  static constexpr Fixed kFixed[] = {
      {"aws:principalarn", DerivedKey::kPrincipalArn},
      {"aws:principalaccount", DerivedKey::kPrincipalAccount},
      {"aws:principaltype", DerivedKey::kPrincipalType},
      {"aws:userid", DerivedKey::kUserId},
      {"aws:username", DerivedKey::kUsername},
      {"aws:principalorgid", DerivedKey::kPrincipalOrgId},
      {"aws:resourceaccount", DerivedKey::kResourceAccount},
      {"aws:resourceorgid", DerivedKey::kResourceOrgId},
  };
  for (const Fixed& f : kFixed) {
    if (lower_key == f.name) k.derived = f.derived;
  }
  std::string_view rest = lower_key;
  if (ConsumePrefix(&rest, "aws:principaltag/")) {
    k.derived = DerivedKey::kPrincipalTag;
    k.tag_offset = static_cast<uint8_t>(lower_key.size() - rest.size());
  } else if (ConsumePrefix(&rest, "aws:resourcetag/")) {
    k.derived = DerivedKey::kResourceTag;
    k.tag_offset = static_cast<uint8_t>(lower_key.size() - rest.size());
  }
  return k;
}

CompiledWorld Compile(const World& world, const CompileOptions& options) {
  CompiledWorld out;
  absl::flat_hash_map<std::string, uint32_t> policy_index;
  GlobCache globs;

  // One serial pass over the policies: intern every literal action first, so that wildcard
  // patterns can be expanded (the ids are kept in traversal order for the lowering); number
  // the policies and their statements and note where each policy's literal ids start; and
  // collect the services wildcard Action patterns name. Then the policies can be lowered in
  // parallel, each into its own slots of the statement and policy arrays, only reading what
  // they share (the glob cache locks).
  struct Place {
    const std::string* name;
    const Policy* policy;
    uint32_t first_statement;
    size_t first_literal;
  };
  std::vector<Place> places;
  places.reserve(world.policies.size());
  ActionTable actions;
  std::vector<uint32_t> literal_ids;
  std::vector<std::string_view> pattern_services;
  uint32_t statement_total = 0;
  for (const auto& [name, policy] : world.policies) {
    policy_index.emplace(name, static_cast<uint32_t>(places.size()));
    places.push_back({&name, &policy, statement_total, literal_ids.size()});
    statement_total += static_cast<uint32_t>(policy.statements.size());
    for (const Statement& st : policy.statements) {
      for (const std::string& a : st.actions) {
        if (!HasWildcard(a)) {
          literal_ids.push_back(actions.Intern(a));
        } else if (!st.not_action) {
          const size_t colon = a.find(':');
          const std::string_view service = std::string_view(a).substr(0, colon);
          if (colon != std::string::npos && !HasWildcard(service)) {
            pattern_services.push_back(service);
          }
        }
      }
    }
  }
  for (const std::string& a : options.extra_actions) {
    if (!HasWildcard(a)) actions.Intern(a);
  }
  actions.Seal();

  // Services, numbered; every interned action's service is one.
  NameIndex services;
  std::vector<uint32_t> action_service;
  for (uint32_t id = 0; id < actions.size(); ++id) {
    const std::string_view n = actions.Name(id);
    action_service.push_back(services.Add(n.substr(0, n.find(':'))));
  }
  // Policies the engine searches one by one on its hot path: resource policies and RCPs.
  absl::flat_hash_set<std::string> searched_alone;
  for (const ResourceEntry& r : world.resources) {
    if (r.policy) searched_alone.insert(*r.policy);
  }
  for (const auto& [account, oa] : world.org_accounts) {
    for (const auto& level : oa.rcps) searched_alone.insert(level.begin(), level.end());
  }
  // Numbered after the interned actions' services, as the lowering finds them.
  for (std::string_view service : pattern_services) services.Add(AsciiStrToLower(service));
  out.statements.resize(statement_total);
  out.policies.resize(places.size());
  // Each statement's parts, lowered in parallel, then moved into the world's flat arrays.
  struct Parts {
    std::vector<CompiledPattern> resources;
    std::vector<CompiledPrincipalRef> principals;
    std::vector<std::string> action_patterns;
    std::vector<CompiledCondition> conditions;
    std::vector<std::vector<CompiledOperand>> operands;  // per condition
  };
  std::vector<Parts> parts(statement_total);
  tbb::parallel_for(size_t{0}, places.size(), [&](size_t pid) {
    const Place& place = places[pid];
    const std::string& name = *place.name;
    const Policy& policy = *place.policy;
    size_t next_literal = place.first_literal;
    std::string lower;              // scratch
    std::vector<uint32_t> literal;  // the current statement's literal action ids
    std::vector<std::pair<uint32_t, uint32_t>> matches;  // (action id, statement)
    std::vector<std::pair<uint32_t, uint32_t>> listed;   // the same for NotAction lists
    CompiledPolicy& cp = out.policies[pid];
    cp.name = name;
    cp.version = policy.version;
    cp.first_statement = place.first_statement;
    cp.statement_count = static_cast<uint32_t>(policy.statements.size());
    auto mark_service = [&](uint32_t id) {
      if (cp.services.size() <= id / 64) cp.services.resize(id / 64 + 1);
      cp.services[id / 64] |= uint64_t{1} << (id % 64);
    };
    // A wildcard pattern's service: its literal text before ':' (or any service).
    auto mark_pattern_service = [&](const std::string& lower_pattern) {
      const size_t colon = lower_pattern.find(':');
      const std::string_view service = std::string_view(lower_pattern).substr(0, colon);
      if (colon == std::string::npos || HasWildcard(service)) {
        cp.any_service = true;
      } else {
        mark_service(services.Find(service));  // numbered by the serial pass
      }
    };
    for (size_t i = 0; i < policy.statements.size(); ++i) {
      const Statement& st = policy.statements[i];
      const uint32_t sid = cp.first_statement + static_cast<uint32_t>(i);
      CompiledStatement& cs = out.statements[sid];
      Parts& lowered = parts[sid];
      cs.effect = st.effect;
      cs.policy = pid;
      cs.index = static_cast<uint32_t>(i);
      cs.not_action = st.not_action;
      cs.has_resource = st.has_resource;
      cs.not_resource = st.not_resource;
      lowered.resources.reserve(st.resources.size());
      lowered.conditions.reserve(st.conditions.size());
      for (const std::string& r : st.resources) {
        lowered.resources.push_back(CompileResource(r, policy.version, globs));
      }
      if (st.principal) {
        cs.has_principal = true;
        cs.not_principal = st.not_principal;
        lowered.principals = CompilePrincipals(*st.principal);
      }
      literal.clear();
      for (const std::string& a : st.actions) {
        if (!HasWildcard(a)) {
          literal.push_back(literal_ids[next_literal++]);
        } else {
          lower.resize(a.size());
          AsciiLowerCopy(a, lower.data());
          lowered.action_patterns.push_back(lower);
        }
      }
      for (const Condition& c : st.conditions) {
        CompiledCondition cc;
        cc.op = c.op;
        cc.info = &Info(c.op.op);
        cc.key = ResolveKey(AsciiStrToLower(c.key));
        std::vector<CompiledOperand>& operands = lowered.operands.emplace_back();
        operands.reserve(c.values.size());
        for (const std::string& v : c.values) {
          operands.push_back(CompileOperand(v, c.op.op, policy.version, globs));
        }
        lowered.conditions.push_back(std::move(cc));
      }
      // Action index.
      if (st.not_action) {
        cp.any_service = true;
        cp.not_action.push_back(sid);
        for (uint32_t id : literal) listed.emplace_back(id, sid);
        for (const std::string& p : lowered.action_patterns) {
          actions.ForEachMatch(p, [&](uint32_t id) { listed.emplace_back(id, sid); });
        }
      } else {
        bool every = false;
        for (const std::string& p : lowered.action_patterns) {
          every |= p.find_first_not_of('*') == std::string::npos;
        }
        if (every) {
          cp.any_service = true;
          cp.every_action.push_back(sid);  // no need to index it per action
        } else {
          for (uint32_t id : literal) {
            mark_service(action_service[id]);
            matches.emplace_back(id, sid);
          }
          for (const std::string& p : lowered.action_patterns) {
            mark_pattern_service(p);
            actions.ForEachMatch(p, [&](uint32_t id) { matches.emplace_back(id, sid); });
          }
          if (!lowered.action_patterns.empty()) cp.wildcard_action.push_back(sid);
        }
      }
      cp.sid_offsets.push_back(static_cast<uint32_t>(cp.sid_text.size()));
      cp.has_sid.push_back(st.sid.has_value());
      if (st.sid) cp.sid_text += *st.sid;
    }
    cp.sid_offsets.push_back(static_cast<uint32_t>(cp.sid_text.size()));
    cp.indexed = searched_alone.contains(name);
    if (cp.indexed) {
      BuildIndex(&matches, &cp.action_index);
    } else {
      std::sort(matches.begin(), matches.end(), [](const auto& a, const auto& b) {
        return std::tie(a.second, a.first) < std::tie(b.second, b.first);
      });
      matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
      size_t k = 0;
      for (uint32_t i = 0; i < cp.statement_count; ++i) {
        cp.statement_starts.push_back(static_cast<uint32_t>(cp.statement_actions.size()));
        for (; k < matches.size() && matches[k].second == cp.first_statement + i; ++k) {
          cp.statement_actions.push_back(matches[k].first);
        }
      }
      cp.statement_starts.push_back(static_cast<uint32_t>(cp.statement_actions.size()));
      cp.statement_actions.shrink_to_fit();
    }
    BuildIndex(&listed, &cp.listed_index);
    if (!cp.listed_index.empty()) {  // sorted by action id
      const uint32_t lo = static_cast<uint32_t>(cp.listed_index.front() >> 32);
      const uint32_t hi = static_cast<uint32_t>(cp.listed_index.back() >> 32);
      cp.listed_base = lo / 64 * 64;
      cp.listed_bits.assign((hi - cp.listed_base) / 64 + 1, 0);
      for (uint64_t e : cp.listed_index) {
        const uint32_t id = static_cast<uint32_t>(e >> 32) - cp.listed_base;
        cp.listed_bits[id / 64] |= uint64_t{1} << id % 64;
      }
    }
    for (auto* v : {&cp.sid_offsets, &cp.every_action, &cp.not_action, &cp.wildcard_action}) {
      v->shrink_to_fit();
    }
    cp.sid_text.shrink_to_fit();
  });
  // The flat arrays, sized exactly, then each statement's (and condition's) spans over them.
  size_t counts[5] = {0, 0, 0, 0, 0};
  for (const Parts& l : parts) {
    counts[0] += l.resources.size();
    counts[1] += l.principals.size();
    counts[2] += l.action_patterns.size();
    counts[3] += l.conditions.size();
    for (const auto& operands : l.operands) counts[4] += operands.size();
  }
  out.patterns.reserve(counts[0]);
  out.principal_refs.reserve(counts[1]);
  out.action_patterns.reserve(counts[2]);
  out.conditions.reserve(counts[3]);
  out.operands.reserve(counts[4]);
  auto move_into = [](auto& from, auto& to) {
    const size_t first = to.size();
    for (auto& x : from) to.push_back(std::move(x));
    return std::span(to.data() + first, from.size());  // `to` never grows past its reserve
  };
  for (size_t sid = 0; sid < parts.size(); ++sid) {
    Parts& l = parts[sid];
    CompiledStatement& cs = out.statements[sid];
    cs.resources = move_into(l.resources, out.patterns);
    cs.principals = move_into(l.principals, out.principal_refs);
    cs.action_patterns = move_into(l.action_patterns, out.action_patterns);
    for (size_t k = 0; k < l.conditions.size(); ++k) {
      l.conditions[k].operands = move_into(l.operands[k], out.operands);
    }
    cs.conditions = move_into(l.conditions, out.conditions);
    l = Parts{};
  }
  out.statements.shrink_to_fit();
  out.policies.shrink_to_fit();
  action_service.shrink_to_fit();
  out.action_service = std::move(action_service);
  for (uint32_t id = 0; id < actions.size(); ++id) {
    out.action_rcp.push_back(RcpGovernsAction(actions.Name(id)));
  }
  services.Shrink();
  out.service_ids = std::move(services);
  out.action_ids = actions.TakeIds();

  auto ids = [&](const std::vector<std::string>& names) {
    std::vector<uint32_t> v;
    for (const std::string& n : names) v.push_back(policy_index.at(n));
    return v;
  };
  out.principals.reserve(world.principals.size());
  out.resources.reserve(world.resources.size());
  out.accounts.reserve(world.org_accounts.size());
  for (const PrincipalEntry& p : world.principals) {
    CompiledPrincipal cp;
    cp.principal_arn = p.principal_arn;
    cp.account_id = p.account;
    cp.user_id = p.user_id;
    cp.username = p.username;
    cp.type = p.type;
    cp.service_linked_role =
        p.type == PrincipalType::kAssumedRole && IsServiceLinkedRoleArn(p.principal_arn);
    cp.tags = LowerTags(p.tags);
    if (p.type == PrincipalType::kAnonymous) {
      cp.derived_userid = "anonymous";
    } else if (p.type == PrincipalType::kFederatedUser) {
      if (const auto arn = SplitArn(p.arn); arn && StartsWith(arn->resource, "federated-user/")) {
        cp.derived_userid = StrCat(p.account, ":", arn->resource.substr(15));
      }
    }
    cp.identity = ids(p.identity_policies);
    if (p.permissions_boundary) cp.boundary = policy_index.at(*p.permissions_boundary);
    cp.session = ids(p.session_policies);
    // World validation rejects two principals with one ARN.
    if (out.principal_ids.Add(p.arn) == out.principals.size())
      out.principals.push_back(std::move(cp));
  }
  for (const ResourceEntry& r : world.resources) {
    CompiledResource cr;
    cr.account = r.account;
    if (r.policy) cr.policy = policy_index.at(*r.policy);
    cr.tags = LowerTags(r.tags);
    // Two entries with the same ARN: the first wins, as in World::FindResource.
    if (out.resource_ids.Add(r.arn) != out.resources.size()) continue;
    if (out.resource_lengths.size() <= r.arn.size() / 64) {
      out.resource_lengths.resize(r.arn.size() / 64 + 1);
    }
    out.resource_lengths[r.arn.size() / 64] |= uint64_t{1} << r.arn.size() % 64;
    out.resources.push_back(std::move(cr));
  }
  out.org_id = world.org_id;
  for (const auto& [account, oa] : world.org_accounts) {
    CompiledAccount ca;
    for (const auto& level : oa.scps) ca.scps.push_back(ids(level));
    for (const auto& level : oa.rcps) ca.rcps.push_back(ids(level));
    if (out.account_ids.Add(account) == out.accounts.size()) out.accounts.push_back(std::move(ca));
  }
  out.principal_ids.Shrink();
  out.resource_ids.Shrink();
  out.account_ids.Shrink();
  // The vector is complete (and moving the world keeps its buffer): point principals at theirs.
  for (CompiledPrincipal& p : out.principals) p.account = out.FindAccount(p.account_id);
  // Plans: each merges (policy, slot) pairs; BuildPlan orders the refs itself. Principals
  // (and accounts) whose pairs are the same share one plan: sessions of one role, accounts
  // under one OU. The pairs are a set (an action is allowed or denied whatever order the
  // policies come in), so they are sorted first.
  using Slots = std::vector<std::pair<uint32_t, uint32_t>>;
  std::vector<Slots> plan_slots;  // per distinct plan
  absl::flat_hash_map<Slots, uint32_t> plan_of;
  auto plan_for = [&](Slots slots) {
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    const auto [it, added] = plan_of.try_emplace(slots, static_cast<uint32_t>(plan_slots.size()));
    if (added) plan_slots.push_back(std::move(slots));
    return it->second;
  };
  constexpr uint32_t kNoPlan = UINT32_MAX;
  std::vector<uint32_t> principal_plan(out.principals.size(), kNoPlan);
  std::vector<uint32_t> account_plan(out.accounts.size(), kNoPlan);
  if (out.statements.size() < ActionPlan::kMaxStatements) {  // refs can be packed
    for (size_t i = 0; i < out.principals.size(); ++i) {
      const CompiledPrincipal& p = out.principals[i];
      Slots slots;
      for (uint32_t pid : p.identity) slots.emplace_back(pid, ActionPlan::kIdentitySlot);
      if (p.boundary) slots.emplace_back(*p.boundary, ActionPlan::kBoundarySlot);
      for (uint32_t pid : p.session) slots.emplace_back(pid, ActionPlan::kSessionSlot);
      principal_plan[i] = plan_for(std::move(slots));
    }
    for (size_t i = 0; i < out.accounts.size(); ++i) {
      const CompiledAccount& account = out.accounts[i];
      if (account.scps.size() > ActionPlan::kMaxScpLevels) continue;
      Slots slots;
      for (uint32_t level = 0; level < account.scps.size(); ++level) {
        for (uint32_t pid : account.scps[level]) {
          slots.emplace_back(pid, ActionPlan::kFirstScpSlot + level);
        }
      }
      account_plan[i] = plan_for(std::move(slots));
    }
  }
  // Plans read only the policies, so they are built in parallel.
  out.plans.resize(plan_slots.size());
  std::vector<uint8_t> built(plan_slots.size(), 0);
  tbb::parallel_for(size_t{0}, plan_slots.size(), [&](size_t i) {
    if (std::optional<ActionPlan> plan = BuildPlan(out, plan_slots[i])) {
      out.plans[i] = *std::move(plan);
      built[i] = 1;
    }
  });
  // The vector is complete: point principals and accounts at theirs.
  auto plan_at = [&](uint32_t i) -> const ActionPlan* {
    return i != kNoPlan && built[i] ? &out.plans[i] : nullptr;
  };
  for (size_t i = 0; i < out.principals.size(); ++i) {
    out.principals[i].plan = plan_at(principal_plan[i]);
  }
  for (size_t i = 0; i < out.accounts.size(); ++i) {
    out.accounts[i].scp_plan = plan_at(account_plan[i]);
  }
  return out;
}

namespace {

size_t PiecesBytes(const std::vector<VariablePiece>& pieces) {
  size_t n = HeapBytes(pieces);
  for (const VariablePiece& p : pieces) {
    n += HeapBytes(p.text) + HeapBytes(p.key.key) + HeapBytes(p.fallback);
  }
  return n;
}

size_t PlanBytes(const ActionPlan& p) {
  return HeapBytes(p.bits) + HeapBytes(p.ranks) + HeapBytes(p.groups) + HeapBytes(p.group_starts) +
         HeapBytes(p.refs) + HeapBytes(p.every) + HeapBytes(p.not_action);
}

// An absl::flat_hash_map<std::string, std::string>: one block of control bytes (a byte per
// slot and a group's width more) and slots, then the strings too long to sit in a slot.
template <typename Map>
size_t MapBytes(const Map& m) {
  if (m.capacity() == 0) return 0;
  size_t n = HeapBlock(m.capacity() * (sizeof(typename Map::value_type) + 1) + 16);
  for (const auto& [key, value] : m) n += HeapBytes(key) + HeapBytes(value);
  return n;
}

}  // namespace

const std::vector<VariablePiece>& NoPieces() {
  static const std::vector<VariablePiece> none;
  return none;
}

const IpNetwork& CompiledOperand::network() const {
  static const IpNetwork none;
  return extra ? extra->network : none;
}

const std::vector<GlobRef>& CompiledOperand::arn_parts() const {
  static const std::vector<GlobRef> none;
  return extra ? extra->arn_parts : none;
}

size_t CompiledWorld::MemoryBytes() const {
  size_t n = sizeof(*this) + HeapBytes(org_id);
  absl::flat_hash_set<const void*> shared;  // interned globs: count each once
  auto glob_bytes = [&](const GlobRef& g) -> size_t {
    if (!g || !shared.insert(g.get()).second) return 0;
    return HeapBlock(sizeof(Glob) + 16) + g->HeapBytes();  // std::make_shared: one block
  };
  n += HeapBytes(policies);
  for (const CompiledPolicy& p : policies) {
    n += HeapBytes(p.name) + HeapBytes(p.sid_text) + HeapBytes(p.sid_offsets) +
         HeapBlock(p.has_sid.capacity() / 8) + HeapBytes(p.action_index) +
         HeapBytes(p.statement_actions) + HeapBytes(p.statement_starts) +
         HeapBytes(p.listed_index) + HeapBytes(p.listed_bits) + HeapBytes(p.every_action) +
         HeapBytes(p.not_action) + HeapBytes(p.wildcard_action) + HeapBytes(p.services);
  }
  n += HeapBytes(statements) + HeapBytes(patterns) + HeapBytes(principal_refs) +
       HeapBytes(action_patterns) + HeapBytes(conditions) + HeapBytes(operands);
  for (const CompiledPattern& r : patterns) {
    n += HeapBytes(r.text) + glob_bytes(r.glob);
    if (r.variables) {
      n += HeapBlock(sizeof(*r.variables)) + PiecesBytes(r.variables->pieces) +
           HeapBytes(r.variables->static_prefix);
    }
  }
  for (const CompiledPrincipalRef& p : principal_refs) {
    n += HeapBytes(p.value) + HeapBytes(p.aws);
  }
  for (const std::string& a : action_patterns) n += HeapBytes(a);
  for (const CompiledCondition& c : conditions) n += HeapBytes(c.key.key);
  for (const CompiledOperand& o : operands) {
    n += HeapBytes(o.text) + glob_bytes(o.glob);
    if (o.extra) {
      n += HeapBlock(sizeof(*o.extra)) + PiecesBytes(o.extra->pieces) +
           HeapBytes(o.extra->arn_parts);
      for (const GlobRef& g : o.extra->arn_parts) n += glob_bytes(g);
    }
  }
  n += action_ids.MemoryBytes() + service_ids.MemoryBytes() + HeapBytes(action_service) +
       HeapBytes(action_rcp);
  n += HeapBytes(principals) + principal_ids.MemoryBytes();
  for (const CompiledPrincipal& p : principals) {
    n += HeapBytes(p.principal_arn) + HeapBytes(p.account_id) + HeapBytes(p.user_id) +
         HeapBytes(p.username) + HeapBytes(p.derived_userid) + MapBytes(p.tags) +
         HeapBytes(p.identity) + HeapBytes(p.session);
  }
  n += HeapBytes(resources) + resource_ids.MemoryBytes() + HeapBytes(resource_lengths);
  for (const CompiledResource& r : resources) {
    n += HeapBytes(r.account) + MapBytes(r.tags);
  }
  n += HeapBytes(accounts) + account_ids.MemoryBytes();
  for (const CompiledAccount& a : accounts) {
    for (const auto& level : a.scps) n += HeapBytes(level);
    for (const auto& level : a.rcps) n += HeapBytes(level);
    n += HeapBytes(a.scps) + HeapBytes(a.rcps);
  }
  n += HeapBytes(plans);
  for (const ActionPlan& p : plans) n += PlanBytes(p);
  return n;
}

}  // namespace arbiter
