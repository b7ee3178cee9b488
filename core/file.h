// Whole-file reads, for the command line, tests and benchmarks (not the hot path).
#ifndef ARBITER_CORE_FILE_H_
#define ARBITER_CORE_FILE_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace arbiter {

// Reads `path` into `out`; false when it cannot be opened or read.
inline bool ReadFile(const std::string& path, std::string* out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) && path != "/dev/stdin") return false;
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return !f.bad();
}

// The file's content, or "" when it cannot be read (tests and benchmarks).
inline std::string Slurp(const std::string& path) {
  std::string out;
  ReadFile(path, &out);
  return out;
}

}  // namespace arbiter

#endif  // ARBITER_CORE_FILE_H_
