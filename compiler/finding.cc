#include "compiler/finding.h"

#include "core/strings.h"
#include "json/json.h"

namespace arbiter {

std::string FormatFinding(std::string_view file, std::string_view text, const Finding& f) {
  const json::LineCol lc = json::Locate(text, f.offset);
  return StrCat(file, ":", lc.line, ":", lc.column, ": ",
                f.severity == Severity::kError ? "error" : "warning", ": ", f.message, " [", f.code,
                "] (", f.pointer, ")");
}

bool HasError(const std::vector<Finding>& findings) {
  for (const Finding& f : findings) {
    if (f.severity == Severity::kError) return true;
  }
  return false;
}

}  // namespace arbiter
