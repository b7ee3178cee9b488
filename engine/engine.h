// The fast evaluation engine: decides requests against a CompiledWorld with exactly the
// reference evaluator's semantics (reference/evaluator.h is its oracle; the differential
// tests in engine/ hold them equal).
//
// Hot path contract: Evaluate allocates nothing, takes no lock and throws nothing, once
// its EvalScratch is warm, unless `explain` is set (the reasons are allocated) or a
// pattern rebuilt from policy variables has more than 63 symbols.
//
// Cost per request: one hash probe each for the principal, the action and the resource
// (plus one per '/' or ':' of the resource ARN for the longest-prefix search), then one
// binary search per policy that the principal, its account and the resource carry, and
// only the statements that name the action are examined.
#ifndef ARBITER_ENGINE_ENGINE_H_
#define ARBITER_ENGINE_ENGINE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/compiled_world.h"
#include "compiler/decision.h"
#include "compiler/world.h"

namespace arbiter {

// A request as the engine reads it: views, and the context as a short array (requests
// carry a handful of keys, so a scan beats hashing). Keys are lower-case.
struct ContextEntry {
  std::string_view key;
  const std::string_view* values = nullptr;
  uint32_t count = 0;
  bool multi = false;
};
struct RequestView {
  std::string_view principal, action, resource;
  bool has_resource_account = false;
  std::string_view resource_account;
  const ContextEntry* context = nullptr;
  size_t context_size = 0;
};

// Requests packed into contiguous memory for batch evaluation: each request's text, context
// entries and values lie together, one request after another, so that evaluating
// them in order walks memory sequentially instead of chasing each Request's heap
// allocations. Immutable after Seal(); the views live as long as the batch (moving it keeps
// them valid; it cannot be copied).
class RequestBatch {
 public:
  RequestBatch() = default;
  RequestBatch(RequestBatch&&) = default;
  RequestBatch& operator=(RequestBatch&&) = default;
  RequestBatch(const RequestBatch&) = delete;
  RequestBatch& operator=(const RequestBatch&) = delete;

  void Add(const Request& request);  // only before Seal
  void Seal();  // after the last Add, before reading views; once (again: no effect)
  size_t size() const { return views_.size(); }
  const RequestView& operator[](size_t i) const { return views_[i]; }

 private:
  struct Span {
    size_t offset = 0, size = 0;
  };
  struct Packed {
    Span principal, action, resource, resource_account;
    bool has_resource_account = false;
    size_t first_entry = 0, entries = 0;
  };
  struct PackedEntry {
    Span key;
    size_t first_value = 0, values = 0;
    bool multi = false;
  };
  Span Put(std::string_view s);
  std::string text_;
  std::vector<Packed> packed_;
  std::vector<PackedEntry> packed_entries_;
  std::vector<Span> packed_values_;
  // After Seal: per request, its text, then its ContextEntry array and its values' views.
  std::vector<uint64_t> arena_;
  std::vector<RequestView> views_;
};

// Buffers reused across evaluations. Not thread-safe: give each thread its own.
class EvalScratch {
 public:
  EvalScratch();

 private:
  friend struct EngineAccess;
  std::string action_;                 // the lower-cased request action
  std::string principal_arn_;          // derived for principals the world does not list
  std::vector<std::string> text_;      // substituted operands / patterns
  std::vector<std::string> literal_;   // their literal masks
  std::vector<uint8_t> resolved_;      // whether their variables all had values
  std::vector<ContextEntry> entries_;  // a Request's context, as a view
  std::vector<std::string_view> values_;
};

// Thread-safe for concurrent calls on one world, each with its own scratch.
EvalResult Evaluate(const CompiledWorld& world, const RequestView& request, EvalScratch& scratch,
                    bool explain = false);
// `request` as a view whose context lives in `scratch` (valid until the scratch's next
// use for a Request). No allocation once warm.
RequestView ViewOf(const Request& request, EvalScratch& scratch);
// Convenience: views `request` through the scratch (no allocation once warm).
EvalResult Evaluate(const CompiledWorld& world, const Request& request, EvalScratch& scratch,
                    bool explain = false);

// Calls f(statement id) for each statement of policy `policy` whose Action/NotAction
// covers the lower-cased `lower_action`: exactly the statements Evaluate examines for it.
// For analyses off the hot path (the decision cache's key relevance).
void ForEachCandidateStatement(const CompiledWorld& world, uint32_t policy,
                               std::string_view lower_action,
                               const std::function<void(uint32_t)>& f);

}  // namespace arbiter

#endif  // ARBITER_ENGINE_ENGINE_H_
