// The worlds bundled with the repository and their own requests, for differential tests:
// every golden-case world (tests/golden), corpus/example and corpus/generated/tiny.
// Paths are relative to the repository root (the tests' working directory). Test-only.
#ifndef ARBITER_ENGINE_TESTING_BUNDLED_WORLDS_H_
#define ARBITER_ENGINE_TESTING_BUNDLED_WORLDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/world.h"

namespace arbiter {

struct NamedWorld {
  std::string name;
  World world;
  std::vector<Request> requests;  // the world's own requests
};

// Worlds that fail to load are reported on stderr and skipped (the tests that use them
// also check the count).
std::vector<NamedWorld> BundledWorlds();

// The lines of a JSON Lines request file that parse (SPEC section 3); the others, and a
// missing file, are skipped. At most `limit` requests.
std::vector<Request> LoadRequests(const std::string& path, size_t limit = SIZE_MAX);

// Compile options that intern every action `requests` name, so that they take the
// engine's fast path.
CompileOptions InternActions(const std::vector<Request>& requests);

}  // namespace arbiter

#endif  // ARBITER_ENGINE_TESTING_BUNDLED_WORLDS_H_
