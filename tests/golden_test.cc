// Golden decision cases (tests/golden/*.json, format in tests/CONVENTIONS.md): each case
// is a world, a request and the decision AWS's documentation gives, with the doc page.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/world.h"
#include "core/file.h"
#include "core/strings.h"
#include "json/json.h"
#include "reference/evaluator.h"

namespace arbiter {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> GoldenFiles() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator("tests/golden")) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class GoldenTest : public testing::TestWithParam<fs::path> {};

TEST_P(GoldenTest, ReferenceGivesDocumentedDecision) {
  const std::string text = Slurp(GetParam());
  json::Value root;
  json::Error error;
  ASSERT_TRUE(json::Parse(text, &root, &error)) << error.message;
  const json::Value* world_json = root.Find("world");
  const json::Value* cases = root.Find("cases");
  ASSERT_NE(world_json, nullptr);
  ASSERT_NE(cases, nullptr);
  const std::string world_text = json::Serialize(*world_json);
  std::vector<Finding> findings;
  std::optional<World> world = LoadWorld(world_text, &findings);
  for (const Finding& f : findings) {
    EXPECT_NE(f.severity, Severity::kError) << FormatFinding("world", world_text, f);
  }
  ASSERT_TRUE(world.has_value());
  const json::Value* file_doc = root.Find("doc");
  int checked = 0;
  for (const json::Value& c : cases->elements) {
    const json::Value* name = c.Find("name");
    const json::Value* request = c.Find("request");
    const json::Value* expect = c.Find("expect");
    ASSERT_TRUE(name && request && expect);
    const json::Value* doc = c.Find("doc") ? c.Find("doc") : file_doc;
    Request req;
    std::string problem;
    ASSERT_TRUE(ParseRequest(json::Serialize(*request), &req, &problem))
        << name->text << ": " << problem;
    const EvalResult r = ReferenceEvaluate(*world, req);
    EXPECT_EQ(DecisionName(r.decision), expect->text)
        << GetParam().filename() << " case " << name->text << " (" << (doc ? doc->text : "") << ")"
        << (c.Find("note") ? "\n  note: " + c.Find("note")->text : "");
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Docs, GoldenTest, testing::ValuesIn(GoldenFiles()),
                         [](const testing::TestParamInfo<fs::path>& info) {
                           std::string n = info.param.stem().string();
                           for (char& ch : n) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

TEST(GoldenCorpus, HasAtLeast200Cases) {
  size_t total = 0;
  for (const fs::path& p : GoldenFiles()) {
    json::Value root;
    json::Error error;
    ASSERT_TRUE(json::Parse(Slurp(p), &root, &error));
    total += root.Find("cases")->elements.size();
  }
  EXPECT_GE(total, 200u);
}

}  // namespace
}  // namespace arbiter
