// The compiled decision structure: what the compiler (compile.h) produces from a validated
// World and the engine (engine/engine.h) evaluates. Immutable once built; share it freely
// across threads.
//
// Design. A request names one principal, one action and one resource, and only the
// policies that principal, that resource and their accounts carry can decide it: a
// handful out of a world of thousands. So the structure is organized per policy:
//
// - Actions are interned (lower-cased) into dense ids: every literal action of the world,
//   plus any extra action names the caller knows in advance (the distinct actions of a
//   request batch, or a service catalogue). A known principal's identity, boundary and
//   session policies are merged into one ActionPlan, and so are an account's SCP levels:
//   one bitmap probe finds every statement that can apply to the action, whatever the size
//   of the world. Principals (and accounts) with the same policies share one plan.
//   Resource policies and RCPs keep a per-policy index (one binary search).
//   Statements whose Action is "*" match every action; NotAction statements and actions
//   not interned are matched with compiled globs.
// - Resource patterns are classified once (any, literal, literal prefix, glob, or holding
//   policy variables) so that most checks are a comparison.
// - Condition operands are parsed once: numbers, dates (epoch milliseconds), CIDRs,
//   booleans, case-folded strings, compiled globs, ARN segments.
// - Principals, resources and organization accounts are hash-indexed by ARN or id
//   (NameIndex: an inline hash and one arena, so a lookup touches about two cache lines).
//
// Statements' parts (resource patterns, principal refs, conditions and their operands) lie
// in flat arrays, statement after statement, with no heap block per statement.
//
// Memory is dominated by the action names, the plans (2 bytes per matched action, a bit per
// action id in range), the per-statement action lists and the compiled patterns and globs;
// MemoryBytes() reports it, counting each heap block as the allocator lays it out.
#ifndef ARBITER_COMPILER_COMPILED_WORLD_H_
#define ARBITER_COMPILER_COMPILED_WORLD_H_

#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "compiler/policy.h"
#include "compiler/world.h"
#include "core/glob.h"
#include "core/name_index.h"
#include "core/values.h"

namespace arbiter {

// Compiled globs are interned by the compiler and shared: each distinct pattern is built
// once, and patterns that need no automaton carry none.
using GlobRef = std::shared_ptr<const Glob>;

// Where a condition key's value comes from when the request does not give it
// (SPEC section 3, derived keys).
enum class DerivedKey : uint8_t {
  kNone,
  kPrincipalArn,
  kPrincipalAccount,
  kPrincipalType,
  kUserId,
  kUsername,
  kPrincipalTag,
  kPrincipalOrgId,
  kResourceAccount,
  kResourceOrgId,
  kResourceTag,
};

// A context key, resolved at compile time: the request's map is probed with `key`, and
// when the request does not give it, `derived` says where the world supplies it.
struct KeyRef {
  std::string key;  // lower-cased
  DerivedKey derived = DerivedKey::kNone;
  uint8_t tag_offset = 0;  // the *Tag keys: the tag key is key.substr(tag_offset)
  std::string_view tag() const { return std::string_view(key).substr(tag_offset); }
};

// A string holding policy variables, split at compile time. Under Version 2012-10-17,
// "${key}" and "${key, 'default'}" take the key's value; ${*} ${?} ${$} the character.
// Substituted text is literal (never a wildcard).
struct VariablePiece {
  enum class Kind : uint8_t { kPattern, kLiteral, kVariable };
  Kind kind = Kind::kPattern;
  std::string text;  // kPattern: policy text; kLiteral: the special character
  KeyRef key;        // kVariable
  std::optional<std::string> fallback;
};

const std::vector<VariablePiece>& NoPieces();

// A Resource/NotResource pattern, classified for fast matching. The rare parts (policy
// variables) live behind a pointer, so that the common pattern takes one cache line.
struct CompiledPattern {
  enum class Kind : uint8_t {
    kAny,       // "*": matches everything
    kLiteral,   // no wildcard: equality
    kPrefix,    // literal text then one final '*' that may match anything
    kGlob,      // general wildcards
    kVariable,  // holds ${...}: substituted per request, then matched
  };
  struct Variables {
    std::vector<VariablePiece> pieces;
    // The literal text before the first wildcard or variable; any match starts with it, so
    // most resources are rejected without running the matcher.
    std::string static_prefix;
  };
  Kind kind = Kind::kLiteral;
  std::string text;                            // kLiteral: the ARN; kPrefix: the prefix
  GlobRef glob;                                // kGlob
  std::unique_ptr<const Variables> variables;  // kVariable
  const std::vector<VariablePiece>& pieces() const {
    return variables ? variables->pieces : NoPieces();
  }
};

// A condition operand, parsed once as its operator's type. Rare parts (policy variables, IP
// networks, ARN segments) live behind a pointer.
struct CompiledOperand {
  struct Extra {
    std::vector<VariablePiece> pieces;  // has_variables
    IpNetwork network;                  // IpAddress operators
    std::vector<GlobRef> arn_parts;     // Arn*: partition, service, region, account, resource
  };
  std::string text;  // as written
  GlobRef glob;      // StringLike, and Arn* operands that are not ARNs
  union {
    double number = 0;  // Numeric*
    int64_t millis;     // Date*
  };
  bool has_variables = false;  // substituted per request (Version 2012-10-17 only)
  bool valid = true;           // parsed as the operator's type (else it matches nothing)
  bool boolean = false;        // Bool, Null
  std::unique_ptr<const Extra> extra;

  const std::vector<VariablePiece>& pieces() const { return extra ? extra->pieces : NoPieces(); }
  const IpNetwork& network() const;
  const std::vector<GlobRef>& arn_parts() const;
};

struct CompiledCondition {
  ConditionOperator op;
  const OperatorInfo* info = nullptr;
  KeyRef key;
  std::span<const CompiledOperand> operands;  // in CompiledWorld::operands
};

// One entry of Principal/NotPrincipal.
struct CompiledPrincipalRef {
  enum class Kind : uint8_t { kEveryone, kAccount, kArn, kService, kFederated, kNever };
  Kind kind = Kind::kNever;
  std::string value;  // account id, ARN, service or provider
  std::string aws;    // an "AWS" entry exactly as written ("" for other keys)
};

struct CompiledStatement {
  // The small fields first, together. The parts are spans over the world's flat arrays
  // (CompiledWorld::patterns and so on), so that a statement is 80 bytes and its parts lie
  // beside those of the statements around it, with no heap block of their own.
  uint32_t policy = 0;  // index into CompiledWorld::policies
  uint32_t index = 0;   // position in its policy
  Effect effect = Effect::kAllow;
  bool has_resource = false;
  bool not_resource = false;
  bool has_principal = false;
  bool not_principal = false;
  bool not_action = false;
  std::span<const CompiledPattern> resources;
  std::span<const CompiledPrincipalRef> principals;
  // Wildcard Action/NotAction patterns, lower-cased, for actions that are not interned
  // (literal patterns are interned, so such an action cannot equal them). Kept as text:
  // compiled automata for the thousands of patterns of the big managed policies would
  // cost more memory than they save time on this rare path.
  std::span<const std::string> action_patterns;
  std::span<const CompiledCondition> conditions;
};

struct CompiledPolicy {
  std::string name;
  // Services its Action patterns name (bit per service id); a policy that cannot match the
  // request's service is skipped before any search. any_service: some pattern has a
  // wildcard service, or the policy has Action "*" or NotAction statements.
  std::vector<uint64_t> services;
  bool any_service = false;
  bool MayMatchService(uint32_t service) const {
    return any_service ||
           (service / 64 < services.size() && (services[service / 64] >> (service % 64)) & 1);
  }
  PolicyVersion version = PolicyVersion::k2008_10_17;
  // Sids, for explanations: statement i's is sid_text[sid_offsets[i], sid_offsets[i + 1])
  // when has_sid[i].
  std::string sid_text;
  std::vector<uint32_t> sid_offsets;
  std::vector<bool> has_sid;
  std::optional<std::string> Sid(uint32_t i) const {
    if (!has_sid[i]) return std::nullopt;
    return sid_text.substr(sid_offsets[i], sid_offsets[i + 1] - sid_offsets[i]);
  }
  uint32_t first_statement = 0;  // its statements are [first, first + count)
  uint32_t statement_count = 0;
  // The interned actions its statements' positive Action patterns match, in one of two
  // forms. `indexed` (resource policies and RCPs, which the engine searches one by one on its
  // hot path): action_index holds (action id << 32 | statement id), sorted, so the
  // statements of one action are a run found by binary search. Otherwise (policies that
  // ActionPlans merge; searched one by one only to explain) each statement lists its
  // actions, sorted: statement first + i's are statement_actions[statement_starts[i],
  // statement_starts[i + 1]). That costs 4 bytes per pair instead of 8.
  bool indexed = false;
  std::vector<uint64_t> action_index;
  std::vector<uint32_t> statement_actions;
  std::vector<uint32_t> statement_starts;
  std::vector<uint32_t> every_action;  // statements with Action "*": any action matches
  std::vector<uint32_t> not_action;    // NotAction statements, matched with their globs
  // The same layout for NotAction: the statements whose NotAction lists an action (and so
  // do not apply to it).
  std::vector<uint64_t> listed_index;
  // A bit per action id from listed_base: set when some NotAction statement of the policy
  // lists the action, so that most actions are cleared with one word instead of a search of
  // listed_index. Empty when nothing is listed.
  uint32_t listed_base = 0;  // a multiple of 64
  std::vector<uint64_t> listed_bits;
  bool MayBeListed(uint32_t action) const {
    if (action < listed_base) return false;
    const size_t w = (action - listed_base) / 64;
    return w < listed_bits.size() && (listed_bits[w] >> (action - listed_base) % 64) & 1;
  }
  std::vector<uint32_t> wildcard_action;  // statements with wildcard Action patterns
};

// Set bits of `x`. std::popcount is a library call unless the build targets a CPU with a
// popcount instruction; this is the inline bit-parallel count then.
inline uint32_t PopCount64(uint64_t x) {
#if defined(__POPCNT__)
  return static_cast<uint32_t>(std::popcount(x));
#else
  x -= (x >> 1) & 0x5555555555555555ULL;
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<uint32_t>((x * 0x0101010101010101ULL) >> 56);
#endif
}

// Several policies merged into one action index, so that a request finds every statement
// that can apply to its action with one lookup instead of one search per policy: a known
// principal's identity, boundary and session policies (CompiledPrincipal::plan), or an
// account's SCP levels (CompiledAccount::scp_plan). Each entry names a statement and the
// slot it fills: kIdentitySlot, kBoundarySlot, kSessionSlot, or kFirstScpSlot + SCP level.
// The engine uses plans for interned actions when it need not explain; the per-policy
// indexes stay for the rest.
//
// A ref also carries the statement's effect and whether it is unconditional (no Condition,
// and a Resource that matches every resource), so that most refs are decided without
// reading the statement. Within one action the compiler orders refs Denies first and drops
// the Allows that cannot change the outcome: those of a slot that already has an
// unconditional Allow for the action.
struct ActionPlan {
  static constexpr uint32_t kSlotBits = 5;
  static constexpr uint32_t kIdentitySlot = 0, kBoundarySlot = 1, kSessionSlot = 2,
                            kFirstScpSlot = 3;
  static constexpr uint32_t kMaxScpLevels = (1u << kSlotBits) - kFirstScpSlot;
  // Bits 30 and 29 of a ref are the flags.
  static constexpr uint32_t kStatementBits = 29 - kSlotBits;
  static constexpr size_t kMaxStatements = size_t{1} << kStatementBits;
  static constexpr uint32_t kDeny = 1u << 30;
  static constexpr uint32_t kUnconditional = 1u << 29;
  static uint32_t Ref(uint32_t statement, uint32_t slot, uint32_t flags) {
    return flags | statement << kSlotBits | slot;
  }
  static uint32_t Statement(uint32_t ref) {
    return ref >> kSlotBits & ((1u << kStatementBits) - 1);
  }
  static uint32_t Slot(uint32_t ref) { return ref & ((1u << kSlotBits) - 1); }

  // The actions with refs form a bitmap over action ids from `base`: bit i of bits[w] is
  // action base + 64w + i. Counting set bits ranks an action among them (ranks[g] counts
  // those before word 4g), so finding an action costs one or two cache lines, and the set
  // costs a bit per action id in the plan's range rather than 4 bytes per action with refs.
  static constexpr uint32_t kAbsent = UINT32_MAX;
  uint32_t base = 0;  // a multiple of 64
  std::vector<uint64_t> bits;
  std::vector<uint32_t> ranks;
  // The position of `action` among the actions with refs, or kAbsent. O(1).
  uint32_t Find(uint32_t action) const {
    if (action < base) return kAbsent;
    const size_t w = (action - base) / 64;
    if (w >= bits.size()) return kAbsent;
    const uint64_t below = (uint64_t{1} << (action - base) % 64) - 1;
    if (!((bits[w] >> (action - base) % 64) & 1)) return kAbsent;
    uint32_t rank = ranks[w / 4] + PopCount64(bits[w] & below);
    for (size_t k = w & ~size_t{3}; k < w; ++k) rank += PopCount64(bits[k]);
    return rank;
  }
  // Starts loading what Find(action) reads, so that several plans' misses overlap.
  void Prefetch(uint32_t action) const {
    if (action < base) return;
    const size_t w = (action - base) / 64;
    if (w >= bits.size()) return;
    __builtin_prefetch(&bits[w]);
    __builtin_prefetch(&ranks[w / 4]);
  }
  // The next step once Prefetch's words have arrived: starts loading the action's group.
  void PrefetchGroup(uint32_t action) const {
    if (const uint32_t i = Find(action); i != kAbsent) __builtin_prefetch(&groups[i]);
  }
  // Building: AddAction for each action with refs, in increasing order, then RankActions.
  void AddAction(uint32_t action) {
    if (bits.empty()) base = action / 64 * 64;
    const size_t w = (action - base) / 64;
    if (w >= bits.size()) bits.resize(w + 1);
    bits[w] |= uint64_t{1} << (action - base) % 64;
  }
  void RankActions() {
    ranks.clear();
    uint32_t rank = 0;
    for (size_t w = 0; w < bits.size(); ++w) {
      if (w % 4 == 0) ranks.push_back(rank);
      rank += PopCount64(bits[w]);
    }
    bits.shrink_to_fit();
    ranks.shrink_to_fit();
  }
  // The statements whose Action patterns match the action ranked i are group groups[i]:
  // refs[group_starts[g], group_starts[g + 1]). Many actions share their statements (every
  // action a "svc:*" or "svc:Get*" pattern matches), so a group is stored once and an action
  // costs 2 bytes; a plan with more than kMaxGroups groups is not built.
  static constexpr size_t kMaxGroups = UINT16_MAX;
  std::vector<uint16_t> groups;
  std::vector<uint32_t> group_starts;
  std::vector<uint32_t> refs;
  std::pair<const uint32_t*, const uint32_t*> Group(uint32_t ranked) const {
    const uint16_t g = groups[ranked];
    return {refs.data() + group_starts[g], refs.data() + group_starts[g + 1]};
  }
  std::vector<uint32_t> every;       // statements with Action "*"
  std::vector<uint32_t> not_action;  // NotAction statements (their policy's listed_index decides)
};

struct CompiledAccount;

// A world principal as the engine reads it; its ARN is the name CompiledWorld::principal_ids
// finds it by.
struct CompiledPrincipal {
  std::string principal_arn;  // aws:PrincipalArn (a session's role ARN)
  std::string account_id;     // "" for anonymous and service principals
  std::optional<std::string> user_id;
  std::optional<std::string> username;
  PrincipalType type = PrincipalType::kUser;
  const CompiledAccount* account = nullptr;  // its organization account, if any
  // aws:userid when the world gives none: "anonymous", or "account:name" for a
  // federated user (reference_policies_variables.html, "Principal key values").
  std::optional<std::string> derived_userid;
  bool service_linked_role = false;
  absl::flat_hash_map<std::string, std::string> tags;  // lower-cased keys
  std::vector<uint32_t> identity;                      // policy indices
  std::optional<uint32_t> boundary;
  std::vector<uint32_t> session;
  // Its identity, boundary and session policies merged (in CompiledWorld::plans, shared
  // with every principal that has the same ones); null when they could not be packed.
  const ActionPlan* plan = nullptr;
};

// A world resource entry; its ARN is the name CompiledWorld::resource_ids finds it by.
struct CompiledResource {
  std::optional<std::string> account;  // the owner, when the entry names one
  std::optional<uint32_t> policy;
  absl::flat_hash_map<std::string, std::string> tags;  // lower-cased keys
};

struct CompiledAccount {
  std::vector<std::vector<uint32_t>> scps;  // levels of policy indices
  std::vector<std::vector<uint32_t>> rcps;
  // Its SCP levels merged (in CompiledWorld::plans, shared with every account that has the
  // same levels); null when there are too many levels to pack.
  const ActionPlan* scp_plan = nullptr;
};

struct CompiledWorld {
  CompiledWorld() = default;
  // Move-only: principals and accounts point into its vectors, whose buffers a move keeps
  // and a copy would not.
  CompiledWorld(CompiledWorld&&) = default;
  CompiledWorld& operator=(CompiledWorld&&) = default;
  CompiledWorld(const CompiledWorld&) = delete;
  CompiledWorld& operator=(const CompiledWorld&) = delete;

  std::vector<CompiledPolicy> policies;
  std::vector<CompiledStatement> statements;
  // The statements' parts, statement after statement (CompiledStatement's spans, and each
  // condition's operands, point into them).
  std::vector<CompiledPattern> patterns;
  std::vector<CompiledPrincipalRef> principal_refs;
  std::vector<std::string> action_patterns;
  std::vector<CompiledCondition> conditions;
  std::vector<CompiledOperand> operands;
  NameIndex action_ids;                  // lower-cased action -> id
  NameIndex service_ids;                 // lower-cased service -> id
  std::vector<uint32_t> action_service;  // per action id: its service id
  std::vector<uint8_t> action_rcp;       // per action id: RCPs govern its service
  std::vector<CompiledPrincipal> principals;
  NameIndex principal_ids;                  // ARN -> index into principals
  std::vector<CompiledResource> resources;  // one per distinct ARN (the world's first)
  NameIndex resource_ids;                   // ARN -> index into resources
  // Bit n % 64 of word n / 64 is set when some resource ARN has length n.
  std::vector<uint64_t> resource_lengths;
  std::optional<std::string> org_id;
  std::vector<CompiledAccount> accounts;  // the organization's accounts
  NameIndex account_ids;                  // account id -> index into accounts
  // The distinct merged plans CompiledPrincipal::plan and CompiledAccount::scp_plan point at.
  std::vector<ActionPlan> plans;

  // Lookups by exact name; nullptr when absent. O(|name|) expected, no allocation.
  const CompiledPrincipal* FindPrincipal(std::string_view arn) const {
    const uint32_t i = principal_ids.Find(arn);
    return i == NameIndex::kNotFound ? nullptr : &principals[i];
  }
  const CompiledAccount* FindAccount(std::string_view id) const {
    const uint32_t i = account_ids.Find(id);
    return i == NameIndex::kNotFound ? nullptr : &accounts[i];
  }

  // Bytes held by the structure: sizeof(*this) and every heap block it owns, each sized as
  // glibc's malloc lays it out (core/heap.h); within a few percent of the heap it takes.
  size_t MemoryBytes() const;
};

}  // namespace arbiter

#endif  // ARBITER_COMPILER_COMPILED_WORLD_H_
