// Malformed and lint-triggering documents (tests/malformed/, format in
// tests/CONVENTIONS.md): `arbiter check` must print each expected finding with its exact
// severity, line, column, code and JSON pointer, and exit 1 on errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "core/strings.h"

namespace arbiter {
namespace {

namespace fs = std::filesystem;

struct Expected {
  std::string file, severity, line, col, code, pointer;
};

std::vector<Expected> LoadExpected() {
  std::ifstream f("tests/malformed/expected.tsv");
  std::vector<Expected> out;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    while (cols.size() < 6) cols.push_back("");
    if (cols[5] == "\"\"") cols[5] = "";
    out.push_back({cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]});
  }
  return out;
}

int Check(const std::string& path, std::string* out) {
  std::istringstream in;
  std::ostringstream o, e;
  const int status = RunCli({"check", path}, in, o, e);
  *out = o.str();
  return status;
}

TEST(MalformedTest, EveryExpectedFindingIsReported) {
  const std::vector<Expected> expected = LoadExpected();
  ASSERT_GE(expected.size(), 50u);
  for (const Expected& x : expected) {
    const std::string path = "tests/malformed/" + x.file;
    std::string out;
    const int status = Check(path, &out);
    if (x.severity == "none") {
      EXPECT_EQ(status, 0) << x.file << "\n" << out;
      EXPECT_EQ(out, "") << x.file;
      continue;
    }
    const std::string want = StrCat(path, ":", x.line, ":", x.col, ": ", x.severity, ": ");
    const std::string tail = StrCat(" [", x.code, "] (", x.pointer, ")");
    bool found = false;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
      if (StartsWith(line, want) && EndsWith(line, tail)) found = true;
    }
    EXPECT_TRUE(found) << "missing " << want << "..." << tail << "\ngot:\n" << out;
    if (x.severity == "error") {
      EXPECT_EQ(status, 1) << x.file;
    }
  }
}

TEST(MalformedTest, OversizedDocumentIsRejected) {
  const fs::path dir = fs::temp_directory_path() / "arbiter_malformed_test";
  fs::create_directories(dir);
  const std::string path = (dir / "huge.json").string();
  {
    std::ofstream f(path);
    f << "{\"Version\": \"2012-10-17\", \"Statement\": [], \"Id\": \"";
    f << std::string(2u << 20, 'a') << "\"}";
  }
  std::string out;
  EXPECT_EQ(Check(path, &out), 1);
  EXPECT_TRUE(StartsWith(out, path + ":1:1: error: ")) << out.substr(0, 200);
  EXPECT_TRUE(StrContains(out, "[json-size] ()")) << out.substr(0, 200);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace arbiter
