#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "arbiter/arbiter.h"
#include "core/file.h"

namespace arbiter {
namespace {

std::vector<Request> ExampleRequests() {
  std::vector<Request> out;
  std::istringstream lines(Slurp("corpus/example/requests.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    absl::StatusOr<Request> r = Engine::ParseRequest(line);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) out.push_back(*r);
  }
  return out;
}

std::vector<std::string> ExpectedDecisions() {
  std::vector<std::string> out;
  std::istringstream lines(Slurp("corpus/example/expected.jsonl"));
  std::string line;
  while (std::getline(lines, line)) {
    const size_t a = line.find(": \"") + 3;
    out.push_back(line.substr(a, line.find('"', a) - a));
  }
  return out;
}

TEST(EngineApi, DecidesTheExampleWorldOneByOneAndInABatch) {
  Engine engine;
  ASSERT_TRUE(engine.LoadWorldFile("corpus/example/world.json").ok());
  const std::vector<Request> requests = ExampleRequests();
  const std::vector<std::string> expected = ExpectedDecisions();
  ASSERT_EQ(requests.size(), expected.size());
  ASSERT_GT(requests.size(), 50u);
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(DecisionName(engine.Decide(requests[i])), expected[i]) << i;
    EXPECT_EQ(DecisionName(engine.Explain(requests[i]).decision), expected[i]) << i;
  }
  std::vector<Decision> batch(requests.size());
  engine.DecideBatch(requests, batch);
  for (size_t i = 0; i < requests.size(); ++i) EXPECT_EQ(DecisionName(batch[i]), expected[i]);
  EXPECT_GT(engine.cache_stats().hits, 0u);
  EXPECT_GT(engine.memory_bytes(), 0u);
}

TEST(EngineApi, AFailedLoadKeepsTheWorldAndNamesFileLineAndPointer) {
  Engine engine;
  EXPECT_EQ(engine.generation(), 0u);
  ASSERT_TRUE(engine.LoadWorldFile("corpus/example/world.json").ok());
  const uint64_t g = engine.generation();
  absl::Status bad = engine.LoadWorld(
      "{\"policies\": {\"P\": {\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": "
      "\"Maybe\", \"Action\": \"*\", \"Resource\": \"*\"}]}}}",
      "broken.json");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("broken.json:2:"), absl::string_view::npos) << bad.message();
  EXPECT_NE(bad.message().find("(/policies/P/Statement/0/Effect)"), absl::string_view::npos)
      << bad.message();
  EXPECT_EQ(engine.generation(), g);
  const std::vector<Request> requests = ExampleRequests();
  const std::vector<std::string> expected = ExpectedDecisions();
  EXPECT_EQ(DecisionName(engine.Decide(requests[0])), expected[0]);
  EXPECT_EQ(engine.LoadWorldFile("/nonexistent/world.json").code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(Engine::ParseRequest("{\"principal\": 1}").ok());
}

TEST(EngineApi, ConcurrentDecisionsDuringReloads) {
  Engine engine;
  ASSERT_TRUE(engine.LoadWorldFile("corpus/example/world.json").ok());
  const std::string world = Slurp("corpus/example/world.json");
  const std::vector<Request> requests = ExampleRequests();
  const std::vector<std::string> expected = ExpectedDecisions();
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < requests.size(); ++i) {
          if (DecisionName(engine.Decide(requests[i])) != expected[i]) ++wrong;
        }
      }
    });
  }
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(engine.LoadWorld(world).ok());
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace arbiter
