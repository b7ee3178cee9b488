// Positioned JSON: a small document tree whose every value and key remembers the byte
// offset it came from, so that validation findings can name FILE:LINE:COL and a JSON
// pointer.
//
// `Validate` is a strict RFC 8259 scanner (UTF-8, escapes, surrogate pairs, number
// grammar, nesting depth) that reports the *first* error with the exact offset of the
// offending byte (simdjson reports what went wrong but not where). `Parse` builds the tree
// in that same scan for small documents, and with simdjson, after the scan, for big ones.
//
// This is load-time code: it allocates freely. Complexity is linear in the input.
#ifndef ARBITER_JSON_JSON_H_
#define ARBITER_JSON_JSON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arbiter::json {

enum class Type : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };

// "null", "boolean", "number", "string", "array" or "object".
std::string_view TypeName(Type type);

struct Member;

struct Value {
  Type type = Type::kNull;
  uint32_t offset = 0;  // byte offset of the value's first character
  bool boolean = false;
  // kString: the unescaped string. kNumber: the number exactly as written.
  std::string text;
  std::vector<Value> elements;  // kArray
  std::vector<Member> members;  // kObject, in document order (duplicates kept)

  bool is_string() const { return type == Type::kString; }
  bool is_array() const { return type == Type::kArray; }
  bool is_object() const { return type == Type::kObject; }
  // First member named `key` (exact, case-sensitive), or null.
  const Value* Find(std::string_view key) const;
};

struct Member;

// The members of object `v` whose key an earlier member already used, in order.
// O(n) expected (pairwise for small objects, hashing for large ones).
std::vector<const Member*> DuplicateMembers(const Value& v);

// The first member, at any depth (an object's own duplicates before its children's), whose
// key an earlier member of the same object used, or null. When `pointer` is given it must
// hold v's JSON pointer, and on a find it is set to the pointer of that member's object.
const Member* FirstDuplicate(const Value& v, std::string* pointer = nullptr);

struct Member {
  std::string key;
  uint32_t key_offset = 0;  // offset of the key's opening quote
  Value value;
};

struct Error {
  size_t offset = 0;
  std::string code;  // finding code: json-syntax, json-utf8, json-depth, json-number, json-size
  std::string message;
  // Where the scanner was: the value being read, or the enclosing container when the
  // error is between members ("" is the root).
  std::string pointer;
};

struct Limits {
  size_t max_bytes = 64u << 20;
  int max_depth = 64;  // the root container is depth 1
  // Documents up to this size are built by the validating scan in the same pass; larger
  // ones by simdjson after it. Both give the same tree (json_test checks it); tests set 0
  // or SIZE_MAX to pick one.
  size_t direct_max_bytes = 64u << 10;
};

// Returns the first error in `text`, or nullopt when it is one valid JSON value.
std::optional<Error> Validate(std::string_view text, const Limits& limits = {});

// Validates, then parses. On failure returns false and fills `error`.
bool Parse(std::string_view text, Value* out, Error* error, const Limits& limits = {});

struct LineCol {
  int line = 1;
  int column = 1;  // counts Unicode code points, 1-based
};
LineCol Locate(std::string_view text, size_t offset);
// The position of `to`, given that `from` (<= to) is at `at`: for walking a text once.
LineCol Advance(std::string_view text, size_t from, size_t to, LineCol at);

// Appends `token` to a JSON pointer, escaping '~' and '/' (RFC 6901).
std::string PointerAppend(std::string_view pointer, std::string_view token);
std::string PointerAppend(std::string_view pointer, size_t index);

// Writes `v` as minified JSON.
std::string Serialize(const Value& v);

// Writes `s` as a JSON string literal (with quotes) onto `out`.
void AppendQuoted(std::string* out, std::string_view s);

}  // namespace arbiter::json

#endif  // ARBITER_JSON_JSON_H_
