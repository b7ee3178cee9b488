// Glob against the naive dynamic-programming matcher: the first byte picks the mode, the
// rest is "pattern\0text". Aborts on any difference.
#include <cstdint>
#include <string_view>

#include "core/glob.h"
#include "core/glob_naive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  const auto mode = static_cast<arbiter::GlobMode>(data[0] % 3);
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t sep = rest.find('\0');
  if (sep == std::string_view::npos) return 0;
  const std::string_view pattern = rest.substr(0, sep), text = rest.substr(sep + 1);
  if (arbiter::Glob(pattern, mode).Matches(text) != arbiter::NaiveGlobMatch(pattern, text, mode)) {
    __builtin_trap();
  }
  return 0;
}
