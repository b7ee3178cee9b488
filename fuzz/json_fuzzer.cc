// Any bytes as a JSON document, parsed by both builders (the validating scan that builds
// small documents itself, and simdjson after the scan for big ones): the same verdict,
// the same error position and pointer, and the same tree. Traps on any difference.
#include <cstdint>
#include <string_view>

#include "json/json.h"

namespace {

using arbiter::json::Value;

bool Same(const Value& a, const Value& b) {
  if (a.type != b.type || a.offset != b.offset || a.text != b.text || a.boolean != b.boolean ||
      a.elements.size() != b.elements.size() || a.members.size() != b.members.size()) {
    return false;
  }
  for (size_t i = 0; i < a.elements.size(); ++i) {
    if (!Same(a.elements[i], b.elements[i])) return false;
  }
  for (size_t i = 0; i < a.members.size(); ++i) {
    if (a.members[i].key != b.members[i].key ||
        a.members[i].key_offset != b.members[i].key_offset ||
        !Same(a.members[i].value, b.members[i].value)) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  arbiter::json::Limits direct, simd;
  direct.direct_max_bytes = SIZE_MAX;
  simd.direct_max_bytes = 0;
  Value a, b;
  arbiter::json::Error ea, eb;
  const bool ok_a = arbiter::json::Parse(text, &a, &ea, direct);
  const bool ok_b = arbiter::json::Parse(text, &b, &eb, simd);
  if (ok_a != ok_b) __builtin_trap();
  if (!ok_a && (ea.offset != eb.offset || ea.code != eb.code || ea.pointer != eb.pointer)) {
    __builtin_trap();
  }
  if (ok_a && !Same(a, b)) __builtin_trap();
  return 0;
}
