#include "compiler/finding.h"

#include <algorithm>

#include "core/strings.h"
#include "json/json.h"

namespace arbiter {

namespace {
std::string Format(std::string_view file, json::LineCol lc, const Finding& f) {
  std::string out;
  AppendEscaped(&out, file);
  StrAppend(&out, ":", lc.line, ":", lc.column, ": ",
            f.severity == Severity::kError ? "error" : "warning", ": ");
  AppendEscaped(&out, f.message);
  out += " [";
  AppendEscaped(&out, f.code);
  out += "] (";
  AppendEscaped(&out, f.pointer);
  out += ')';
  return out;
}
}  // namespace

void AppendEscaped(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto unicode = [&](unsigned code) {
    out->append("\\u");
    for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(code >> shift) & 0xf]);
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (c < 0x20 || c == 0x7f) {
      unicode(c);
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
      unicode(0x85);  // NEL
      ++i;
    } else if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xa8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xa9)) {
      unicode(static_cast<unsigned char>(s[i + 2]) == 0xa8 ? 0x2028 : 0x2029);
      i += 2;
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

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
