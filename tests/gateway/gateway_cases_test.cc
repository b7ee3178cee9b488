// End-to-end cases of `arbiter authorize` (SPEC section 6), made with real clients (see
// tests/gateway/README.md): every folder under tests/gateway/ that holds a gateway.json is
// one case; its requests.jsonl is run through the CLI in-process and each response line is
// compared with the same line of expected.jsonl.
//
// Comparison, per expected line (a JSON object):
//   - "case" and "note" are labels, never compared;
//   - "message_one_of": [..] — the response's "message" must equal one of them (where the
//     AWS documentation and live responses disagree on the wording);
//   - "message_prefix": "..." — the response's "message" must start with it (where AWS
//     appends request-specific text, e.g. the canonical request);
//   - every other member must be in the response with the same value; objects compare
//     member by member, only the members the expected object gives (so `"context":
//     {"user": "alice"}` ignores other context keys); arrays compare element by element;
//     numbers by value; `null` matches only null.
// The working directory must be the repository root (CTest sets it).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "gtest/gtest.h"
#include "json/json.h"

namespace arbiter {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCasesDir = "tests/gateway";
// The folders this suite was written with; fewer found means a wrong working directory or a
// lost folder, which must fail rather than pass on nothing.
constexpr size_t kMinCases = 10;

std::vector<std::string> CaseFolders() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(std::string(kCasesDir), ec)) {
    if (e.is_directory() && fs::exists(e.path() / "gateway.json")) {
      out.push_back(e.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool ReadText(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

std::vector<std::string> NonEmptyLines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) out.push_back(line);
  }
  return out;
}

std::string Show(const json::Value* v) { return v == nullptr ? "(absent)" : json::Serialize(*v); }

// Empty when `actual` satisfies `expected` (see the file comment); else what differs, with
// the JSON pointer of the first difference.
std::string Compare(const json::Value& expected, const json::Value* actual,
                    const std::string& pointer) {
  auto differ = [&]() {
    return "at " + (pointer.empty() ? std::string("/") : pointer) + ": expected " +
           json::Serialize(expected) + ", got " + Show(actual);
  };
  if (actual == nullptr || actual->type != expected.type) return differ();
  switch (expected.type) {
    case json::Type::kNull:
      return "";
    case json::Type::kBool:
      return actual->boolean == expected.boolean ? "" : differ();
    case json::Type::kString:
      return actual->text == expected.text ? "" : differ();
    case json::Type::kNumber:
      return std::strtod(actual->text.c_str(), nullptr) ==
                     std::strtod(expected.text.c_str(), nullptr)
                 ? ""
                 : differ();
    case json::Type::kArray: {
      if (actual->elements.size() != expected.elements.size()) return differ();
      for (size_t i = 0; i < expected.elements.size(); ++i) {
        std::string d =
            Compare(expected.elements[i], &actual->elements[i], json::PointerAppend(pointer, i));
        if (!d.empty()) return d;
      }
      return "";
    }
    case json::Type::kObject: {
      for (const json::Member& m : expected.members) {
        std::string d = Compare(m.value, actual->Find(m.key), json::PointerAppend(pointer, m.key));
        if (!d.empty()) return d;
      }
      return "";
    }
  }
  return differ();
}

// Compares one response line with its expected line; empty when they agree.
std::string CompareLine(const json::Value& expected, const json::Value& actual) {
  for (const json::Member& m : expected.members) {
    if (m.key == "case" || m.key == "note") continue;
    const json::Value* message = actual.Find("message");
    if (m.key == "message_one_of") {
      if (!m.value.is_array()) return "expected.jsonl: message_one_of must be an array";
      bool any = false;
      for (const json::Value& e : m.value.elements) {
        any = any || (message != nullptr && message->is_string() && e.is_string() &&
                      message->text == e.text);
      }
      if (!any) {
        return "at /message: expected one of " + json::Serialize(m.value) + ", got " +
               Show(message);
      }
      continue;
    }
    if (m.key == "message_prefix") {
      if (!m.value.is_string()) return "expected.jsonl: message_prefix must be a string";
      if (message == nullptr || !message->is_string() ||
          message->text.compare(0, m.value.text.size(), m.value.text) != 0) {
        return "at /message: expected a message starting " + json::Serialize(m.value) + ", got " +
               Show(message);
      }
      continue;
    }
    std::string d = Compare(m.value, actual.Find(m.key), "/" + m.key);
    if (!d.empty()) return d;
  }
  return "";
}

class GatewayCase : public ::testing::TestWithParam<std::string> {};

TEST_P(GatewayCase, ResponsesMatchExpected) {
  const fs::path dir = fs::path(std::string(kCasesDir)) / GetParam();
  const std::string gateway = (dir / "gateway.json").string();
  const std::string requests = (dir / "requests.jsonl").string();
  std::string expected_text, requests_text;
  ASSERT_TRUE(ReadText(dir / "expected.jsonl", &expected_text)) << dir << "/expected.jsonl";
  ASSERT_TRUE(ReadText(requests, &requests_text)) << requests;
  const std::vector<std::string> expected = NonEmptyLines(expected_text);
  const std::vector<std::string> sent = NonEmptyLines(requests_text);
  ASSERT_EQ(expected.size(), sent.size())
      << dir << ": expected.jsonl and requests.jsonl must have one line per request";

  std::istringstream in;
  std::ostringstream out, err;
  const int status =
      RunCli({"authorize", "--gateway", gateway, "--requests", requests}, in, out, err);
  ASSERT_EQ(status, 0) << GetParam() << ": arbiter authorize failed:\n" << err.str() << out.str();
  const std::vector<std::string> got = NonEmptyLines(out.str());
  ASSERT_EQ(got.size(), expected.size()) << GetParam() << ": one response per request";

  for (size_t i = 0; i < expected.size(); ++i) {
    json::Value want, have;
    json::Error error;
    ASSERT_TRUE(json::Parse(expected[i], &want, &error) && want.is_object())
        << dir << "/expected.jsonl line " << i + 1 << ": " << error.message;
    ASSERT_TRUE(json::Parse(got[i], &have, &error) && have.is_object())
        << GetParam() << " response " << i + 1 << " is not a JSON object: " << got[i];
    const json::Value* name = want.Find("case");
    const std::string label = GetParam() + " line " + std::to_string(i + 1) + " (" +
                              (name != nullptr && name->is_string() ? name->text : "?") + ")";
    const std::string diff = CompareLine(want, have);
    EXPECT_TRUE(diff.empty()) << label << ": " << diff << "\n  expected: " << expected[i]
                              << "\n  actual:   " << got[i];
  }
}

std::string CaseName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Folders, GatewayCase, ::testing::ValuesIn(CaseFolders()), CaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GatewayCase);

TEST(GatewayCases, AllFoldersFound) {
  EXPECT_GE(CaseFolders().size(), kMinCases)
      << "run from the repository root; found " << CaseFolders().size() << " case folders in "
      << kCasesDir;
}

TEST(GatewayCases, CompareLineSemantics) {
  // The comparison must be able to fail: check it on hand-made lines.
  auto cmp = [](std::string_view want, std::string_view have) {
    json::Value w, h;
    json::Error e;
    EXPECT_TRUE(json::Parse(want, &w, &e));
    EXPECT_TRUE(json::Parse(have, &h, &e));
    return CompareLine(w, h);
  };
  EXPECT_EQ(cmp(R"({"case":"x","status":200})", R"({"status":200,"principal":"p"})"), "");
  EXPECT_NE(cmp(R"({"status":403})", R"({"status":401,"message":"Unauthorized"})"), "");
  EXPECT_NE(cmp(R"({"message":null})", R"({"status":500,"message":"null"})"), "");
  EXPECT_EQ(cmp(R"({"message":null})", R"({"status":500,"message":null})"), "");
  EXPECT_NE(cmp(R"({"principal":"a"})", R"({"status":200})"), "");
  EXPECT_EQ(cmp(R"({"context":{"u":"a"}})", R"({"context":{"u":"a","v":"b"}})"), "");
  EXPECT_NE(cmp(R"({"context":{"u":"a"}})", R"({"context":{"u":"b"}})"), "");
  EXPECT_EQ(cmp(R"({"message_one_of":["A","B"]})", R"({"message":"B"})"), "");
  EXPECT_NE(cmp(R"({"message_one_of":["A","B"]})", R"({"message":"C"})"), "");
  EXPECT_EQ(cmp(R"({"message_prefix":"The req"})", R"({"message":"The request"})"), "");
  EXPECT_NE(cmp(R"({"message_prefix":"The req"})", R"({"message":"Th"})"), "");
}

}  // namespace
}  // namespace arbiter
