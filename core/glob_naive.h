// A deliberately simple dynamic-programming wildcard matcher: O(|pattern| * |text|) time
// and memory, obviously right, never used in production. It is the oracle that the glob
// test and fuzzer check Glob against.
#ifndef ARBITER_CORE_GLOB_NAIVE_H_
#define ARBITER_CORE_GLOB_NAIVE_H_

#include <string_view>
#include <vector>

#include "core/glob.h"

namespace arbiter {

inline bool NaiveGlobMatch(std::string_view p, std::string_view t, GlobMode mode) {
  const size_t n = p.size(), m = t.size();
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  // In ARN mode a '*' that does not end its segment, and every '?', cannot consume ':'.
  auto star_any = [&](size_t i) {
    if (mode != GlobMode::kArn) return true;
    size_t j = i;
    while (j < n && p[j] == '*') ++j;
    return j == n || p[j] == ':';
  };
  // '?' is one character: a byte that is not a UTF-8 continuation byte (10xxxxxx), then
  // any continuation bytes.
  auto continuation = [&](size_t j) { return (static_cast<unsigned char>(t[j]) & 0xC0) == 0x80; };
  std::vector<std::vector<char>> dp(n + 1, std::vector<char>(m + 1, 0));
  dp[n][m] = 1;
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m + 1; j-- > 0;) {
      if (p[i] == '*') {
        dp[i][j] = dp[i + 1][j] || (j < m && (star_any(i) || t[j] != ':') && dp[i][j + 1]);
      } else if (p[i] == '?') {
        if (j < m && !continuation(j) && (mode != GlobMode::kArn || t[j] != ':')) {
          for (size_t k = j + 1; k <= m && !dp[i][j]; ++k) {
            dp[i][j] = dp[i + 1][k];
            if (k < m && !continuation(k)) break;
          }
        }
      } else if (j < m) {
        const bool eq = mode == GlobMode::kAction ? lower(p[i]) == lower(t[j]) : p[i] == t[j];
        dp[i][j] = eq && dp[i + 1][j + 1];
      }
    }
  }
  return dp[0][0];
}

}  // namespace arbiter

#endif  // ARBITER_CORE_GLOB_NAIVE_H_
