// Lowers a validated World (world.h) into the CompiledWorld the engine evaluates
// (compiled_world.h). Cost: linear in the world plus, per wildcard Action pattern, the
// interned actions of its service (a binary search for "svc:Prefix*" patterns).
#ifndef ARBITER_COMPILER_COMPILE_H_
#define ARBITER_COMPILER_COMPILE_H_

#include <string>
#include <vector>

#include "compiler/compiled_world.h"
#include "compiler/world.h"

namespace arbiter {

struct CompileOptions {
  // Action names to intern besides the world's literal actions: the distinct actions of a
  // request batch, or a service catalogue. Interned actions take the fast path; others
  // are matched against each policy's patterns at evaluation time.
  std::vector<std::string> extra_actions;
};

CompiledWorld Compile(const World& world, const CompileOptions& options = {});

// Classifies a lower-cased context key (exposed for tests).
KeyRef ResolveKey(std::string_view lower_key);

}  // namespace arbiter

#endif  // ARBITER_COMPILER_COMPILE_H_
