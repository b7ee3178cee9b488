#include "json/json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "core/file.h"

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

TEST(JsonTest, FirstDuplicateAtAnyDepthWithItsPointer) {
  EXPECT_EQ(FirstDuplicate(MustParse(R"({"a": [{"b": 1}], "c": {"d": 2}})")), nullptr);
  Value v = MustParse(R"({"a": [1, {"x/y": {"k": 1, "k": 2}}], "z": 0, "z": 1})");
  std::string pointer;
  const Member* d = FirstDuplicate(v, &pointer);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->key, "z");  // the object's own duplicates come before its children's
  EXPECT_EQ(pointer, "");
  v = MustParse(R"({"a": [1, {"x/y": {"k": 1, "k": 2}}]})");
  pointer.clear();
  d = FirstDuplicate(v, &pointer);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->key, "k");
  EXPECT_EQ(d->key_offset, 27u);  // the second "k"
  EXPECT_EQ(pointer, "/a/1/x~1y");
  EXPECT_EQ(FirstDuplicate(v), d);  // without a pointer: the same member
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
  EXPECT_EQ(PointerAppend("/p", size_t{0}), "/p/0");
  EXPECT_EQ(PointerAppend("/p", size_t{1594}), "/p/1594");
  EXPECT_EQ(PointerAppend("/p", "plain"), "/p/plain");
  EXPECT_EQ(PointerAppend("", ""), "/");
  EXPECT_EQ(PointerAppend("", "~/"), "/~0~1");
}

TEST(JsonTest, AppendQuotedEscapes) {
  std::string out;
  AppendQuoted(&out, "a\"b\\\n\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\\\n\\u0001\"");
}

// The two builders (the validating scan for small documents, simdjson for big ones) must
// give the same tree: types, texts, offsets, keys and key offsets, duplicates kept.
void ExpectSameTree(const Value& a, const Value& b, const std::string& where) {
  ASSERT_EQ(a.type, b.type) << where;
  ASSERT_EQ(a.offset, b.offset) << where;
  ASSERT_EQ(a.text, b.text) << where;
  ASSERT_EQ(a.boolean, b.boolean) << where;
  ASSERT_EQ(a.elements.size(), b.elements.size()) << where;
  ASSERT_EQ(a.members.size(), b.members.size()) << where;
  for (size_t i = 0; i < a.elements.size(); ++i) {
    ExpectSameTree(a.elements[i], b.elements[i], where + "/" + std::to_string(i));
  }
  for (size_t i = 0; i < a.members.size(); ++i) {
    ASSERT_EQ(a.members[i].key, b.members[i].key) << where;
    ASSERT_EQ(a.members[i].key_offset, b.members[i].key_offset) << where;
    ExpectSameTree(a.members[i].value, b.members[i].value, where + "/" + a.members[i].key);
  }
}

void ExpectBuildersAgree(std::string_view text, const std::string& name) {
  Limits direct, simd;
  direct.direct_max_bytes = SIZE_MAX;
  simd.direct_max_bytes = 0;
  Value a, b;
  Error ea, eb;
  const bool ok_a = Parse(text, &a, &ea, direct);
  const bool ok_b = Parse(text, &b, &eb, simd);
  ASSERT_EQ(ok_a, ok_b) << name;
  if (!ok_a) {
    EXPECT_EQ(ea.offset, eb.offset) << name;
    EXPECT_EQ(ea.code, eb.code) << name;
    EXPECT_EQ(ea.pointer, eb.pointer) << name;
    return;
  }
  ExpectSameTree(a, b, name);
}

TEST(JsonTest, DirectAndSimdjsonBuildersAgreeOnHandWrittenDocuments) {
  const std::vector<std::string> docs = {
      R"({"a":1,"b":[true,false,null],"c":{"d":"e"}})",
      R"(  {"esc":"q\"b\\s\/b\bf\fn\nr\rt\t","u":"\u00e9\u20ac\ud83d\ude00\u0000x"} )",
      R"(["caf\u00e9", "caf)"
      "\xc3\xa9"
      R"(", "\ud83d\ude00", "", "a\"b"])",
      R"({"dup":1,"dup":2,"n":-0.5e+10,"m":0,"big":123456789012345678901234567890})",
      R"("just a string")",
      "42",
      "-1.5E-3",
      "true",
      "null",
      " [ ] ",
      "{}",
      R"({"k\u0041y":"v","\ud83d\ude00":[{"x":[[[]]]}]})",
      R"({"a":[1,2,)",
      R"({"a" 1})",
      R"(["\ud800"])",
      "[01]",
      R"({"a":"x)"
      "\x01"
      R"("})",
      "\xef\xbb\xbf{}",
      "[1,]",
      R"({"a":tru})",
  };
  for (size_t i = 0; i < docs.size(); ++i) ExpectBuildersAgree(docs[i], "doc " + std::to_string(i));
}

TEST(JsonTest, DirectAndSimdjsonBuildersAgreeOnTheCorpus) {
  for (const char* file : {"corpus/managed-policies.json", "corpus/example/world.json",
                           "corpus/generated/tiny/world.json", "tests/fixtures/jwt/tokens.json",
                           "tests/fixtures/jwt/jwks.json"}) {
    ExpectBuildersAgree(Slurp(std::string(file)), file);
  }
  for (const char* file :
       {"corpus/example/requests.jsonl", "corpus/generated/tiny/requests.jsonl"}) {
    std::istringstream lines(Slurp(std::string(file)));
    std::string line;
    for (int n = 1; std::getline(lines, line) && n <= 2000; ++n) {
      ExpectBuildersAgree(line, std::string(file) + ":" + std::to_string(n));
    }
  }
}

}  // namespace
}  // namespace arbiter::json
