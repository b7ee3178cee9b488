// Engine vs reference on fuzzed policies and worlds: aborts on any difference in decision
// or explanation. For half the seeds the decision cache joins in: a Decider with a tiny
// cache (so that eviction runs) decides each request, the same request again, its action in
// another case and the request with one more context key, and must give the engine's
// decision each time. Input: one mode byte, eight seed bytes, then either a policy document
// (mode even: injected into a fixed world as identity policy, boundary, SCP and resource
// policy) or a whole world file (mode odd).
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "compiler/compile.h"
#include "compiler/policy_parser.h"
#include "compiler/world.h"
#include "core/strings.h"
#include "engine/decider.h"
#include "engine/engine.h"
#include "engine/testing/request_generator.h"
#include "reference/evaluator.h"

namespace {

using namespace arbiter;

const World& BaseWorld() {
  static const World* world = [] {
    std::vector<Finding> findings;
    auto w = LoadWorld(R"({
      "policies": {
        "Allow": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        "Bucket": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}]}
      },
      "principals": [
        {"arn": "arn:aws:iam::111122223333:user/alice", "identity_policies": ["Allow"], "tags": {"team": "red"}},
        {"arn": "arn:aws:sts::111122223333:assumed-role/Deploy/ci", "principal_arn": "arn:aws:iam::111122223333:role/Deploy",
         "identity_policies": ["Allow"], "session_policies": ["Allow"]},
        {"arn": "arn:aws:iam::444455556666:user/bob", "identity_policies": ["Allow"]},
        {"arn": "arn:aws:sts::111122223333:federated-user/fed"}
      ],
      "resources": [{"arn": "arn:aws:s3:::shared", "account": "111122223333", "policy": "Bucket", "tags": {"stage": "prod"}}],
      "organization": {"id": "o-1", "accounts": {"111122223333": {"scps": [["FullAWSAccess"]]}}}
    })",
                       &findings);
    if (!w) __builtin_trap();
    return new World(std::move(*w));
  }();
  return *world;
}

void Compare(const World& world, uint64_t seed) {
  RequestGenerator gen(world, seed);
  CompileOptions options;
  if (seed & 1) options.extra_actions = gen.actions();
  const CompiledWorld compiled = Compile(world, options);
  std::unique_ptr<Decider> cached;
  if (seed & 2) {
    CacheOptions tiny;
    tiny.capacity = 16;
    tiny.shards = 2;
    cached = std::make_unique<Decider>(DeciderOptions{true, tiny});
    cached->Publish(world, options);
  }
  EvalScratch scratch;
  for (int i = 0; i < 40; ++i) {
    const Request r = gen.Next();
    const EvalResult want = ReferenceEvaluate(world, r);
    const EvalResult got = Evaluate(compiled, r, scratch, true);
    const EvalResult fast = Evaluate(compiled, r, scratch, false);
    if (want.decision != got.decision || want.reasons != got.reasons ||
        want.decision != fast.decision) {
      __builtin_trap();
    }
    if (!cached) continue;
    if (cached->Decide(r, scratch) != fast.decision) __builtin_trap();
    if (cached->Decide(r, scratch) != fast.decision) __builtin_trap();
    Request variant = r;
    for (char& c : variant.action) {
      const bool lower = c >= 'a' && c <= 'z';
      c = (i & 1) ? AsciiLower(c) : static_cast<char>(lower ? c - 32 : c);
    }
    if (cached->Decide(variant, scratch) != Evaluate(compiled, variant, scratch).decision) {
      __builtin_trap();
    }
    variant.context[StrCat("x:k", i % 3)] = ContextValue{{StrCat(i)}, false};
    if (cached->Decide(variant, scratch) != Evaluate(compiled, variant, scratch).decision) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9 || size > 64 * 1024) return 0;
  uint64_t seed;
  std::memcpy(&seed, data + 1, 8);
  const std::string_view text(reinterpret_cast<const char*>(data + 9), size - 9);
  std::vector<Finding> findings;
  if (data[0] & 1) {
    std::optional<World> world = LoadWorld(text, &findings);
    if (world && world->principals.size() <= 16 && world->policies.size() <= 32) {
      Compare(*world, seed);
    }
    return 0;
  }
  std::optional<Policy> policy = ParsePolicyText(text, PolicyKind::kStandalone, &findings);
  if (!policy) return 0;
  World world = BaseWorld();
  world.policies.emplace("F", *policy);
  const bool resource_policy =
      std::any_of(policy->statements.begin(), policy->statements.end(),
                  [](const Statement& s) { return s.principal.has_value(); });
  if (resource_policy) {
    world.resources.push_back({"arn:aws:s3:::fuzzed", "111122223333", "F", {{"team", "red"}}});
    world.org_accounts["111122223333"].rcps.push_back({"F"});
  } else {
    world.principals[0].identity_policies.push_back("F");
    world.principals[1].permissions_boundary = "F";
    world.principals[3].session_policies.push_back("F");
    world.org_accounts["111122223333"].scps.push_back({"F"});
  }
  Compare(world, seed);
  return 0;
}
