// Generates requests against a world for differential testing (engine vs reference) and
// fuzzing: principals, actions, resources and context values are drawn from what the
// world's policies mention (instantiating wildcards and variables, nudging condition
// operands across their boundaries) mixed with random noise, so that every decision path
// is exercised. Deterministic for a given seed. Test-only code.
#ifndef ARBITER_ENGINE_TESTING_REQUEST_GENERATOR_H_
#define ARBITER_ENGINE_TESTING_REQUEST_GENERATOR_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "compiler/world.h"

namespace arbiter {

class RequestGenerator {
 public:
  RequestGenerator(const World& world, uint64_t seed);

  Request Next();

  // Every action name the generator may produce (for CompileOptions::extra_actions).
  const std::vector<std::string>& actions() const { return actions_; }

 private:
  struct KeySample {
    std::string key;
    std::vector<std::string> values;
  };
  struct Target {  // a statement a request can aim at
    const Statement* statement;
    PolicyVersion version;
  };

  size_t Pick(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }
  bool Chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }
  std::string Noise();
  std::string Instantiate(const std::string& pattern, bool arn);
  std::string Recase(const std::string& s);
  std::string Mutate(const std::string& value);
  void AddContext(Request* r, const std::string& key, const std::vector<std::string>& pool);

  std::mt19937_64 rng_;
  std::vector<std::string> principals_, actions_, resources_, accounts_, variable_values_;
  std::vector<KeySample> keys_;
  std::vector<Target> targets_;
};

}  // namespace arbiter

#endif  // ARBITER_ENGINE_TESTING_REQUEST_GENERATOR_H_
