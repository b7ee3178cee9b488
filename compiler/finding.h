// Validation findings: `FILE:LINE:COL: error|warning: MESSAGE [CODE] (JSON-POINTER)`.
// The finding codes are listed in tests/CONVENTIONS.md.
#ifndef ARBITER_COMPILER_FINDING_H_
#define ARBITER_COMPILER_FINDING_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace arbiter {

enum class Severity { kError, kWarning };

struct Finding {
  Severity severity = Severity::kError;
  size_t offset = 0;  // byte offset in the file the finding is about
  std::string code;
  std::string message;
  std::string pointer;  // RFC 6901; "" is the document root
};

// Appends `s` with everything that could break a line escaped: a backslash is doubled;
// newline, carriage return and tab become \n, \r and \t; other C0 controls and DEL become
// \u00XX; the Unicode line breaks U+0085, U+2028 and U+2029 become \u0085, \u2028 and
// \u2029. Other bytes (UTF-8 or not) are kept as they are.
void AppendEscaped(std::string* out, std::string_view s);

// One line, without a trailing newline. `text` is the file's content (for line:col). The
// file name, message, code and pointer are escaped (AppendEscaped), so that a finding is
// always exactly one line whatever the file holds.
std::string FormatFinding(std::string_view file, std::string_view text, const Finding& f);

// All findings, sorted by position, one per line; positions are located in one pass over
// `text` (linear, however many findings).
std::string FormatFindings(std::string_view file, std::string_view text,
                           std::vector<Finding> findings);

bool HasError(const std::vector<Finding>& findings);

}  // namespace arbiter

#endif  // ARBITER_COMPILER_FINDING_H_
