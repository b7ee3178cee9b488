// Runs a command the way a Lambda runtime runs a function for `arbiter authorize`: the
// event on standard input, the response read from standard output, a deadline.
//
// Thread-safety: RunCommand may be called from several threads (each call owns its pipes
// and child). It never throws; every failure is in the result.
#ifndef ARBITER_GATEWAY_SUBPROCESS_H_
#define ARBITER_GATEWAY_SUBPROCESS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace arbiter::gateway {

struct CommandResult {
  int exit_status = -1;  // the child's exit code; -1 when killed by a signal
  std::string out;       // standard output (standard error is passed through to ours)
  bool timed_out = false;
  bool output_too_large = false;
};

// Runs argv[0] (looked up in PATH) with `argv` in folder `cwd`, writes `input` to its
// standard input and closes it, and collects standard output up to `max_output` bytes.
// After `timeout_ms` the child's process group is killed and `timed_out` set. An error
// status means the command could not be started at all.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::string& cwd, const std::string& input,
                                         int timeout_ms, size_t max_output = 1u << 20);

}  // namespace arbiter::gateway

#endif  // ARBITER_GATEWAY_SUBPROCESS_H_
