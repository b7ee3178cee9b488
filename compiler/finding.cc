#include "compiler/finding.h"

#include <algorithm>

#include "core/strings.h"
#include "json/json.h"

namespace arbiter {

namespace {
std::string Format(std::string_view file, json::LineCol lc, const Finding& f) {
  return StrCat(file, ":", lc.line, ":", lc.column, ": ",
                f.severity == Severity::kError ? "error" : "warning", ": ", f.message, " [", f.code,
                "] (", f.pointer, ")");
}
}  // namespace

std::string FormatFinding(std::string_view file, std::string_view text, const Finding& f) {
  return Format(file, json::Locate(text, f.offset), f);
}

std::string FormatFindings(std::string_view file, std::string_view text,
                           std::vector<Finding> findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
  std::string out;
  json::LineCol lc;
  size_t at = 0;
  for (const Finding& f : findings) {
    const size_t target = std::min(f.offset, text.size());
    lc = json::Advance(text, at, target, lc);
    at = target;
    out += Format(file, lc, f);
    out += '\n';
  }
  return out;
}

bool HasError(const std::vector<Finding>& findings) {
  for (const Finding& f : findings) {
    if (f.severity == Severity::kError) return true;
  }
  return false;
}

}  // namespace arbiter
