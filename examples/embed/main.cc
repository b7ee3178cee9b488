// embed WORLD.json REQUESTS.jsonl: decides every request with an embedded arbiter::Engine
// (one batch, all cores), prints one SPEC decision line per request, then explains the
// first one and reports the cache after deciding the batch a second time.
#include <arbiter/arbiter.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: embed WORLD.json REQUESTS.jsonl\n";
    return 2;
  }
  arbiter::Engine engine;
  if (absl::Status s = engine.LoadWorldFile(argv[1]); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 1;
  }
  std::ifstream in(argv[2]);
  std::vector<arbiter::Request> requests;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    absl::StatusOr<arbiter::Request> r = arbiter::Engine::ParseRequest(line);
    if (!r.ok()) {
      std::cerr << "bad request: " << r.status().message() << "\n";
      return 1;
    }
    requests.push_back(*std::move(r));
  }
  std::vector<arbiter::Decision> decisions(requests.size());
  engine.DecideBatch(requests, decisions);
  for (arbiter::Decision d : decisions) {
    std::cout << "{\"decision\": \"" << arbiter::DecisionName(d) << "\"}\n";
  }
  engine.DecideBatch(requests, decisions);  // the second time from the cache
  if (!requests.empty()) {
    arbiter::EvalResult why = engine.Explain(requests[0]);
    std::cerr << "first request: " << arbiter::DecisionName(why.decision) << " by "
              << why.reasons.size() << " statement(s)\n";
  }
  const arbiter::CacheStats stats = engine.cache_stats();
  std::cerr << "cache: " << stats.hits << " hits, " << stats.misses << " misses\n";
  return 0;
}
