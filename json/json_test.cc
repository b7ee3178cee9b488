#include "json/json.h"

#include <gtest/gtest.h>

namespace arbiter::json {
namespace {

Value MustParse(std::string_view text) {
  Value v;
  Error e;
  EXPECT_TRUE(Parse(text, &v, &e)) << e.message << " at " << e.offset;
  return v;
}

Error MustFail(std::string_view text, const Limits& limits = {}) {
  Value v;
  Error e;
  EXPECT_FALSE(Parse(text, &v, &e, limits)) << text;
  return e;
}

TEST(JsonTest, ParsesTreeWithOffsets) {
  const std::string text =
      "{\n  \"a\": [1, \"x\\u00e9\", true, null],\n  \"b\": {\"c\": -2.5e3}\n}";
  Value v = MustParse(text);
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.members.size(), 2u);
  EXPECT_EQ(v.members[0].key, "a");
  EXPECT_EQ(v.members[0].key_offset, 4u);
  const Value& a = v.members[0].value;
  ASSERT_EQ(a.elements.size(), 4u);
  EXPECT_EQ(a.offset, 9u);
  EXPECT_EQ(a.elements[0].text, "1");
  EXPECT_EQ(a.elements[1].text, "x\xc3\xa9");
  EXPECT_TRUE(a.elements[2].boolean);
  EXPECT_EQ(a.elements[3].type, Type::kNull);
  EXPECT_EQ(v.Find("b")->Find("c")->text, "-2.5e3");
  LineCol lc = Locate(text, v.Find("b")->offset);
  EXPECT_EQ(lc.line, 3);
  EXPECT_EQ(lc.column, 8);
}

TEST(JsonTest, KeepsDuplicateKeysInOrder) {
  Value v = MustParse(R"({"k": 1, "k": 2})");
  ASSERT_EQ(v.members.size(), 2u);
  EXPECT_EQ(v.members[1].value.text, "2");
  EXPECT_EQ(v.members[1].key_offset, 9u);
}

TEST(JsonTest, ScalarDocuments) {
  EXPECT_EQ(MustParse("  \"s\"").text, "s");
  EXPECT_EQ(MustParse("  \"s\"").offset, 2u);
  EXPECT_EQ(MustParse("12").text, "12");
}

TEST(JsonTest, SyntaxErrorsHavePositions) {
  struct Case {
    std::string text;
    size_t offset;
    std::string code;
  } cases[] = {
      {"", 0, "json-syntax"},
      {"{\"a\": 1,}", 8, "json-syntax"},
      {"{\"a\" 1}", 5, "json-syntax"},
      {"[1 2]", 3, "json-syntax"},
      {"{\"a\": \"unterminated}", 20, "json-syntax"},
      {"[\"bad \\x escape\"]", 6, "json-syntax"},
      {"[\"tab\there\"]", 5, "json-syntax"},
      {"{} x", 3, "json-syntax"},
      {"['single']", 1, "json-syntax"},
      {"[01]", 1, "json-number"},
      {"[1.]", 1, "json-number"},
      {"[-]", 1, "json-number"},
      {"[tru]", 1, "json-syntax"},
      {"[\"\\ud800\"]", 2, "json-syntax"},
      {"[\"a\xff\"]", 3, "json-utf8"},
      {"[\"\xc0\xaf\"]", 2, "json-utf8"},
  };
  for (const Case& c : cases) {
    Error e = MustFail(c.text);
    EXPECT_EQ(e.offset, c.offset) << c.text << ": " << e.message;
    EXPECT_EQ(e.code, c.code) << c.text;
  }
}

TEST(JsonTest, DepthLimit) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  Error e = MustFail(deep);
  EXPECT_EQ(e.code, "json-depth");
  EXPECT_EQ(e.offset, 64u);  // the 65th bracket
  std::string ok(64, '[');
  ok += std::string(64, ']');
  MustParse(ok);
}

TEST(JsonTest, SizeLimit) {
  Limits limits;
  limits.max_bytes = 4;
  EXPECT_EQ(MustFail("[1,2,3]", limits).code, "json-size");
}

TEST(JsonTest, HugeNumbersAreKeptAsWritten) {
  EXPECT_EQ(MustParse("[1e999999]").elements[0].text, "1e999999");
  std::string big(5000, '9');
  EXPECT_EQ(MustParse("[" + big + "]").elements[0].text, big);
}

TEST(JsonTest, LocateCountsCodePoints) {
  std::string text = "{\"\xc3\xa9\xc3\xa9\": x}";
  LineCol lc = Locate(text, text.find('x'));
  EXPECT_EQ(lc.line, 1);
  EXPECT_EQ(lc.column, 8);
}

TEST(JsonTest, PointerEscaping) {
  EXPECT_EQ(PointerAppend("/a", "b/c~d"), "/a/b~1c~0d");
  EXPECT_EQ(PointerAppend("", size_t{3}), "/3");
}

TEST(JsonTest, AppendQuotedEscapes) {
  std::string out;
  AppendQuoted(&out, "a\"b\\\n\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\\\n\\u0001\"");
}

}  // namespace
}  // namespace arbiter::json
