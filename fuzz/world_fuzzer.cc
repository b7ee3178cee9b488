// Any bytes as a world file: loading must never crash; an accepted world must evaluate a
// request for each of its principals on each of its resources.
#include <cstdint>
#include <string_view>

#include "compiler/world.h"
#include "reference/evaluator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace arbiter;
  std::vector<Finding> findings;
  std::optional<World> world =
      LoadWorld(std::string_view(reinterpret_cast<const char*>(data), size), &findings);
  if (!world) {
    if (!HasError(findings)) __builtin_trap();
    return 0;
  }
  for (size_t p = 0; p < world->principals.size() && p < 8; ++p) {
    for (size_t r = 0; r <= world->resources.size() && r < 8; ++r) {
      Request req;
      req.principal = world->principals[p].arn;
      req.action = "s3:GetObject";
      req.resource = r < world->resources.size() ? world->resources[r].arn + "/k" : "*";
      ReferenceEvaluate(*world, req);
    }
  }
  return 0;
}
