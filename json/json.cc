#include "json/json.h"

#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "core/strings.h"

namespace arbiter::json {
namespace {

// Length of the well-formed UTF-8 sequence that starts `s`, or 0 when it is not one
// (overlong forms, UTF-16 surrogates and code points past U+10FFFF are rejected).
size_t Utf8Length(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len;
  uint32_t min;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[k] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::string Describe(char c) {
  if (c >= 0x21 && c < 0x7F) return StrCat("'", std::string_view(&c, 1), "'");
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", static_cast<unsigned char>(c));
  return buf;
}

// Strict recursive-descent scanner; records the first error and stops. With an output
// Value it also builds the tree in the same pass (the "direct" builder, for small
// documents): strings unescaped, numbers as written, offsets as the simdjson builder
// records them.
class Scanner {
 public:
  Scanner(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  std::optional<Error> Run(Value* out = nullptr) {
    SkipSpace();
    if (pos_ == s_.size()) return Fail(pos_, "json-syntax", "empty document");
    if (!ScanValue(0, out)) return error_;
    SkipSpace();
    if (pos_ != s_.size()) {
      return Fail(pos_, "json-syntax",
                  StrCat("unexpected ", Describe(s_[pos_]), " after the JSON value"));
    }
    return std::nullopt;
  }

 private:
  Error Fail(size_t at, std::string code, std::string message) {
    // The pointer is spelled out only now: the scan itself keeps raw spans and indexes.
    std::string pointer;
    for (const PathItem& item : path_) {
      if (item.is_index) {
        pointer = PointerAppend(pointer, item.index);
      } else {
        std::string key;
        UnescapeKey(s_.substr(item.key_begin, item.key_size), &key);
        pointer = PointerAppend(pointer, key);
      }
    }
    error_ = Error{at, std::move(code), std::move(message), std::move(pointer)};
    return error_;
  }
  bool FailB(size_t at, std::string code, std::string message) {
    Fail(at, std::move(code), std::move(message));
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Unexpected(std::string_view expected) {
    if (pos_ < s_.size() && static_cast<unsigned char>(s_[pos_]) >= 0x80 &&
        Utf8Length(s_.substr(pos_)) == 0) {
      return FailB(pos_, "json-utf8", "invalid UTF-8");
    }
    if (pos_ >= s_.size()) {
      return FailB(pos_, "json-syntax", StrCat("unexpected end of input, expected ", expected));
    }
    return FailB(pos_, "json-syntax",
                 StrCat("unexpected ", Describe(s_[pos_]), ", expected ", expected));
  }

  bool ScanValue(int depth, Value* out) {
    if (pos_ >= s_.size()) return Unexpected("a value");
    const char c = s_[pos_];
    if (out != nullptr) out->offset = static_cast<uint32_t>(pos_);
    switch (c) {
      case '{':
      case '[':
        if (depth + 1 > max_depth_) {
          return FailB(pos_, "json-depth", StrCat("nesting deeper than ", max_depth_, " levels"));
        }
        return c == '{' ? ScanObject(depth + 1, out) : ScanArray(depth + 1, out);
      case '"':
        if (out != nullptr) out->type = Type::kString;
        return ScanString(out != nullptr ? &out->text : nullptr);
      case 't':
      case 'f':
        if (out != nullptr) {
          out->type = Type::kBool;
          out->boolean = c == 't';
        }
        return ScanLiteral(c == 't' ? "true" : "false");
      case 'n':
        if (out != nullptr) out->type = Type::kNull;
        return ScanLiteral("null");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          const size_t start = pos_;
          if (!ScanNumber()) return false;
          if (out != nullptr) {
            out->type = Type::kNumber;
            out->text.assign(s_.substr(start, pos_ - start));
          }
          return true;
        }
        return Unexpected("a value");
    }
  }

  bool ScanLiteral(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) {
      return FailB(pos_, "json-syntax", "invalid literal; expected true, false or null");
    }
    pos_ += word.size();
    return true;
  }

  bool ScanNumber() {
    const size_t start = pos_;
    auto digit = [&](size_t i) { return i < s_.size() && s_[i] >= '0' && s_[i] <= '9'; };
    auto bad = [&](size_t at) { return FailB(at, "json-number", "malformed number"); };
    if (s_[pos_] == '-') ++pos_;
    if (!digit(pos_)) return bad(start);
    if (s_[pos_] == '0') {
      ++pos_;
      if (digit(pos_)) return bad(start);  // leading zero
    } else {
      while (digit(pos_)) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digit(pos_)) return bad(start);
      while (digit(pos_)) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit(pos_)) return bad(start);
      while (digit(pos_)) ++pos_;
    }
    return true;
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  // Reads \uXXXX at pos_ (pointing at the backslash); returns the code unit or -1.
  int ReadU16(size_t at) {
    if (at + 6 > s_.size() || s_[at] != '\\' || s_[at + 1] != 'u') return -1;
    int v = 0;
    for (size_t k = 2; k < 6; ++k) {
      const int h = Hex(s_[at + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  // True when none of the eight bytes of `w` needs a closer look: each is printable ASCII
  // (0x20..0x7F) other than '"' and '\\'. Classic SWAR byte tests, no false negatives.
  static bool AllPlain(uint64_t w) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    auto has_zero = [](uint64_t x) { return ((x - kOnes) & ~x & kHighs) != 0; };
    const bool below_space = ((w - kOnes * 0x20) & ~w & kHighs) != 0;
    return (w & kHighs) == 0 && !below_space && !has_zero(w ^ (kOnes * '"')) &&
           !has_zero(w ^ (kOnes * '\\'));
  }

  // Appends code point `u` (a scalar value) to `out` as UTF-8.
  static void AppendUtf8(uint32_t u, std::string* out) {
    if (u < 0x80) {
      out->push_back(static_cast<char>(u));
    } else if (u < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (u >> 6)));
      out->push_back(static_cast<char>(0x80 | (u & 0x3F)));
    } else if (u < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (u >> 12)));
      out->push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (u & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (u >> 18)));
      out->push_back(static_cast<char>(0x80 | ((u >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (u & 0x3F)));
    }
  }

  // Scans a string at pos_ (its opening quote); with `out`, appends its unescaped text.
  bool ScanString(std::string* out = nullptr) {
    ++pos_;
    size_t run = pos_;  // start of the plain bytes not yet copied to `out`
    auto flush = [&](size_t end) {
      if (out != nullptr && end > run) out->append(s_.data() + run, end - run);
    };
    while (true) {
      // Runs of plain characters eight at a time; the rest one by one below.
      while (pos_ + 8 <= s_.size()) {
        uint64_t w;
        std::memcpy(&w, s_.data() + pos_, 8);
        if (!AllPlain(w)) break;
        pos_ += 8;
      }
      if (pos_ >= s_.size()) return FailB(pos_, "json-syntax", "unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        flush(pos_);
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        return FailB(
            pos_, "json-syntax",
            StrCat("unescaped control character ", Describe(static_cast<char>(c)), " in string"));
      }
      if (c >= 0x80) {
        const size_t len = Utf8Length(s_.substr(pos_));
        if (len == 0) return FailB(pos_, "json-utf8", "invalid UTF-8 in string");
        pos_ += len;
        continue;
      }
      if (c != '\\') {
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= s_.size()) return FailB(s_.size(), "json-syntax", "unterminated string");
      const char e = s_[pos_ + 1];
      if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
          e == 't') {
        if (out != nullptr) {
          flush(pos_);
          out->push_back(e == 'b'   ? '\b'
                         : e == 'f' ? '\f'
                         : e == 'n' ? '\n'
                         : e == 'r' ? '\r'
                         : e == 't' ? '\t'
                                    : e);
        }
        pos_ += 2;
        run = pos_;
        continue;
      }
      if (e != 'u') return FailB(pos_, "json-syntax", "invalid escape sequence in string");
      const int u = ReadU16(pos_);
      if (u < 0) return FailB(pos_, "json-syntax", "invalid \\u escape in string");
      if (u >= 0xDC00 && u <= 0xDFFF) {
        return FailB(pos_, "json-syntax", "unpaired UTF-16 low surrogate in string");
      }
      if (u >= 0xD800 && u <= 0xDBFF) {
        const int lo = ReadU16(pos_ + 6);
        if (lo < 0xDC00 || lo > 0xDFFF) {
          return FailB(pos_, "json-syntax", "unpaired UTF-16 high surrogate in string");
        }
        if (out != nullptr) {
          flush(pos_);
          AppendUtf8(0x10000 + ((static_cast<uint32_t>(u) - 0xD800) << 10) +
                         (static_cast<uint32_t>(lo) - 0xDC00),
                     out);
        }
        pos_ += 12;
      } else {
        if (out != nullptr) {
          flush(pos_);
          AppendUtf8(static_cast<uint32_t>(u), out);
        }
        pos_ += 6;
      }
      run = pos_;
    }
  }

  bool ScanArray(int depth, Value* out) {
    if (out != nullptr) out->type = Type::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (size_t index = 0;; ++index) {
      SkipSpace();
      path_.push_back(PathItem{true, index, 0, 0});
      Value* element = nullptr;
      if (out != nullptr) element = &out->elements.emplace_back();
      if (!ScanValue(depth, element)) return false;
      path_.pop_back();
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        if (pos_ < s_.size() && s_[pos_] == ']') {
          return FailB(pos_, "json-syntax", "trailing comma before ']'");
        }
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Unexpected("',' or ']'");
    }
  }

  bool ScanObject(int depth, Value* out) {
    if (out != nullptr) out->type = Type::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Unexpected("a string key");
      const size_t key_start = pos_;
      Member* member = nullptr;
      if (out != nullptr) {
        member = &out->members.emplace_back();
        member->key_offset = static_cast<uint32_t>(key_start);
      }
      if (!ScanString(member != nullptr ? &member->key : nullptr)) return false;
      const size_t key_size = pos_ - key_start - 2;
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Unexpected("':'");
      ++pos_;
      SkipSpace();
      path_.push_back(PathItem{false, 0, key_start + 1, key_size});
      if (!ScanValue(depth, member != nullptr ? &member->value : nullptr)) return false;
      path_.pop_back();
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        SkipSpace();
        if (pos_ < s_.size() && s_[pos_] == '}') {
          return FailB(pos_, "json-syntax", "trailing comma before '}'");
        }
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Unexpected("',' or '}'");
    }
  }

  // Keys are unescaped only for error pointers; the scan already checked the escapes.
  static void UnescapeKey(std::string_view raw, std::string* out) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\') {
        out->push_back(raw[i]);
        continue;
      }
      const char e = raw[++i];
      switch (e) {
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          // Pointers only need to be readable: keep the escape as written.
          out->append(raw.substr(i - 1, 6));
          i += 4;
          break;
        }
        default:
          out->push_back(e);
      }
    }
  }

  std::string_view s_;
  int max_depth_;
  size_t pos_ = 0;
  // Where the scan is, for error pointers: an array index, or a key as its raw span in s_.
  struct PathItem {
    bool is_index;
    size_t index;
    size_t key_begin;
    size_t key_size;
  };
  std::vector<PathItem> path_;
  Error error_;
};

// Builds the tree from simdjson's on-demand API over input already validated.
class Builder {
 public:
  explicit Builder(const char* base) : base_(base) {}

  simdjson::error_code Build(simdjson::ondemand::value v, Value* out) {
    using simdjson::ondemand::json_type;
    json_type t;
    if (auto e = v.type().get(t)) return e;
    std::string_view raw = v.raw_json_token();
    out->offset = static_cast<uint32_t>(raw.data() - base_);
    switch (t) {
      case json_type::object: {
        out->type = Type::kObject;
        simdjson::ondemand::object obj;
        if (auto e = v.get_object().get(obj)) return e;
        // Sized once (a count is a scan of the structural index, far cheaper than the
        // reallocations and moves of growing one member at a time).
        size_t fields = 0;
        if (auto e = obj.count_fields().get(fields)) return e;
        out->members.reserve(fields);
        for (auto field : obj) {
          Member m;
          simdjson::ondemand::raw_json_string rk;
          if (auto e = field.key().get(rk)) return e;
          m.key_offset = static_cast<uint32_t>(rk.raw() - base_ - 1);
          std::string_view key;
          if (auto e = field.unescaped_key().get(key)) return e;
          m.key.assign(key);
          simdjson::ondemand::value child;
          if (auto e = field.value().get(child)) return e;
          if (auto e = Build(child, &m.value)) return e;
          out->members.push_back(std::move(m));
        }
        return simdjson::SUCCESS;
      }
      case json_type::array: {
        out->type = Type::kArray;
        simdjson::ondemand::array arr;
        if (auto e = v.get_array().get(arr)) return e;
        size_t elements = 0;
        if (auto e = arr.count_elements().get(elements)) return e;
        out->elements.reserve(elements);
        for (auto element : arr) {
          simdjson::ondemand::value child;
          if (auto e = element.get(child)) return e;
          out->elements.emplace_back();
          if (auto e = Build(child, &out->elements.back())) return e;
        }
        return simdjson::SUCCESS;
      }
      case json_type::string: {
        out->type = Type::kString;
        std::string_view s;
        if (auto e = v.get_string().get(s)) return e;
        out->text.assign(s);
        return simdjson::SUCCESS;
      }
      case json_type::number:
        out->type = Type::kNumber;
        out->text.assign(TrimNumber(raw));
        return simdjson::SUCCESS;
      case json_type::boolean:
        out->type = Type::kBool;
        return v.get_bool().get(out->boolean);
      case json_type::null:
        out->type = Type::kNull;
        return simdjson::SUCCESS;
    }
    return simdjson::INCORRECT_TYPE;
  }

  static std::string_view TrimNumber(std::string_view raw) {
    size_t n = 0;
    while (n < raw.size()) {
      const char c = raw[n];
      if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
        ++n;
      } else {
        break;
      }
    }
    return raw.substr(0, n);
  }

 private:
  const char* base_;
};

}  // namespace

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "boolean";
    case Type::kNumber:
      return "number";
    case Type::kString:
      return "string";
    case Type::kArray:
      return "array";
    case Type::kObject:
      return "object";
  }
  return "?";
}

std::vector<const Member*> DuplicateMembers(const Value& v) {
  std::vector<const Member*> out;
  const std::vector<Member>& m = v.members;
  if (m.size() <= 16) {
    for (size_t i = 1; i < m.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (m[j].key == m[i].key) {
          out.push_back(&m[i]);
          break;
        }
      }
    }
    return out;
  }
  absl::flat_hash_set<absl::string_view> seen;
  seen.reserve(m.size());
  for (const Member& member : m) {
    if (!seen.insert(absl::string_view(member.key.data(), member.key.size())).second) {
      out.push_back(&member);
    }
  }
  return out;
}

const Member* FirstDuplicate(const Value& v, std::string* pointer) {
  auto inside = [&](const Value& child, auto token) -> const Member* {
    if (pointer == nullptr) return FirstDuplicate(child, nullptr);
    std::string inner = PointerAppend(*pointer, token);
    const Member* d = FirstDuplicate(child, &inner);
    if (d != nullptr) *pointer = std::move(inner);
    return d;
  };
  if (v.is_object()) {
    if (std::vector<const Member*> dups = DuplicateMembers(v); !dups.empty()) return dups.front();
    for (const Member& m : v.members) {
      if (const Member* d = inside(m.value, std::string_view(m.key))) return d;
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.elements.size(); ++i) {
      if (const Member* d = inside(v.elements[i], i)) return d;
    }
  }
  return nullptr;
}

const Value* Value::Find(std::string_view key) const {
  for (const Member& m : members) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

std::optional<Error> Validate(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error{
        0, "json-size",
        StrCat("document is ", text.size(), " bytes, over the limit of ", limits.max_bytes), ""};
  }
  return Scanner(text, limits.max_depth).Run();
}

bool Parse(std::string_view text, Value* out, Error* error, const Limits& limits) {
  *out = Value();
  // Small documents (request lines, tokens, authorizer answers, single policies) are built
  // by the validating scan itself: one pass, no second parser. Big ones (worlds) are
  // validated, then built by simdjson.
  if (text.size() <= limits.direct_max_bytes && text.size() <= limits.max_bytes) {
    if (auto e = Scanner(text, limits.max_depth).Run(out)) {
      *out = Value();
      *error = std::move(*e);
      return false;
    }
    return true;
  }
  if (auto e = Validate(text, limits)) {
    *error = std::move(*e);
    return false;
  }
  simdjson::padded_string padded(text);
  simdjson::ondemand::parser parser;
  // A scalar document cannot be walked as a value by simdjson's on-demand API; wrap it.
  size_t first = 0;
  while (first < text.size() && (text[first] == ' ' || text[first] == '\t' || text[first] == '\n' ||
                                 text[first] == '\r')) {
    ++first;
  }
  const bool scalar = first < text.size() && text[first] != '{' && text[first] != '[';
  if (scalar) {
    std::string wrapped = StrCat("[", text, "]");
    Value array;
    Error inner;
    if (!Parse(wrapped, &array, &inner, limits) || array.elements.size() != 1) {
      *error = Error{first, "json-syntax", "unparseable scalar document", ""};
      return false;
    }
    *out = std::move(array.elements[0]);
    // Offsets in `wrapped` are shifted by the '['.
    out->offset -= 1;
    return true;
  }
  simdjson::ondemand::document doc;
  auto fail = [&](simdjson::error_code e) {
    *error = Error{0, "json-syntax", StrCat("JSON parser: ", simdjson::error_message(e)), ""};
    return false;
  };
  if (auto e = parser.iterate(padded).get(doc)) return fail(e);
  simdjson::ondemand::value root;
  if (auto e = doc.get_value().get(root)) return fail(e);
  Builder builder(padded.data());
  if (auto e = builder.Build(root, out)) return fail(e);
  return true;
}

LineCol Advance(std::string_view text, size_t from, size_t to, LineCol lc) {
  if (to > text.size()) to = text.size();
  for (size_t i = from; i < to; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++lc.line;
      lc.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++lc.column;
    }
  }
  return lc;
}

LineCol Locate(std::string_view text, size_t offset) { return Advance(text, 0, offset, {}); }

std::string PointerAppend(std::string_view pointer, std::string_view token) {
  std::string out(pointer);
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PointerAppend(std::string_view pointer, size_t index) {
  return StrCat(pointer, "/", index);
}

namespace {
void SerializeTo(const Value& v, std::string* out) {
  switch (v.type) {
    case Type::kNull:
      out->append("null");
      break;
    case Type::kBool:
      out->append(v.boolean ? "true" : "false");
      break;
    case Type::kNumber:
      out->append(v.text);
      break;
    case Type::kString:
      AppendQuoted(out, v.text);
      break;
    case Type::kArray:
      out->push_back('[');
      for (size_t i = 0; i < v.elements.size(); ++i) {
        if (i) out->push_back(',');
        SerializeTo(v.elements[i], out);
      }
      out->push_back(']');
      break;
    case Type::kObject:
      out->push_back('{');
      for (size_t i = 0; i < v.members.size(); ++i) {
        if (i) out->push_back(',');
        AppendQuoted(out, v.members[i].key);
        out->push_back(':');
        SerializeTo(v.members[i].value, out);
      }
      out->push_back('}');
      break;
  }
}
}  // namespace

std::string Serialize(const Value& v) {
  std::string out;
  SerializeTo(v, &out);
  return out;
}

void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t run = 0;  // start of the pending run of characters that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out->append(buf);
      }
    }
  }
  out->append(s.substr(run));
  out->push_back('"');
}

}  // namespace arbiter::json
