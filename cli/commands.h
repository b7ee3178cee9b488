// The `arbiter` command line (SPEC section 5), as a library so that tests can run it
// in-process. Exit codes: 0 success, 1 some input was rejected, 2 usage error.
#ifndef ARBITER_CLI_COMMANDS_H_
#define ARBITER_CLI_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace arbiter {

// `args` excludes the program name. Reads requests from `in` when given "-".
int RunCli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err);

}  // namespace arbiter

#endif  // ARBITER_CLI_COMMANDS_H_
