#include "gateway/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "absl/status/status.h"
#include "core/strings.h"

namespace arbiter::gateway {

namespace {

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// write() to a pipe whose reader is gone raises SIGPIPE, which would kill the whole
// process. Block it on this thread for the write, and drop the one it left pending, so
// the process-wide disposition stays the embedder's.
ssize_t WriteNoSigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t w = write(fd, data, size);
  int saved = errno;
  if (w < 0 && errno == EPIPE) {
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return w;
}

}  // namespace

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::string& cwd, const std::string& input,
                                         int timeout_ms, size_t max_output) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return absl::InternalError("pipe failed");
  }
  // A pipe that reports exec failures: closed (by O_CLOEXEC) when exec succeeds.
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(in[0]), close(in[1]), close(out[0]), close(out[1]);
    return absl::InternalError("pipe failed");
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) {
    close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(err[0]), close(err[1]);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) {
      int e = errno;
      (void)!write(err[1], &e, sizeof e);
      _exit(127);
    }
    signal(SIGPIPE, SIG_DFL);
    execvp(args[0], args.data());
    int e = errno;
    (void)!write(err[1], &e, sizeof e);
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent, so the kill below cannot race the child's call
  close(in[0]);
  close(out[1]);
  close(err[1]);
  int child_errno = 0;
  ssize_t got = read(err[0], &child_errno, sizeof child_errno);
  close(err[0]);
  if (got == sizeof child_errno) {
    close(in[1]);
    close(out[0]);
    waitpid(pid, nullptr, 0);
    return absl::FailedPreconditionError(
        ToAbsl(StrCat("cannot run ", argv[0], ": ", std::strerror(child_errno))));
  }

  CommandResult result;
  int to_child = in[1], from_child = out[0];
  fcntl(to_child, F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (input.empty()) CloseFd(&to_child);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[65536];
  while (from_child >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[2];
    int n = 0;
    fds[n++] = {from_child, POLLIN, 0};
    if (to_child >= 0) fds[n++] = {to_child, POLLOUT, 0};
    int r = poll(fds, n, static_cast<int>(left));
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (n == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = WriteNoSigpipe(to_child, input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN) written = input.size();  // the child stopped reading
      if (written == input.size()) CloseFd(&to_child);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t k = read(from_child, buf, sizeof buf);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) {
        CloseFd(&from_child);
        break;
      }
      if (result.out.size() + static_cast<size_t>(k) > max_output) {
        result.output_too_large = true;
        break;
      }
      result.out.append(buf, static_cast<size_t>(k));
    }
  }
  CloseFd(&to_child);
  CloseFd(&from_child);
  if (result.timed_out || result.output_too_large) kill(-pid, SIGKILL);
  // The child closed its output; give it until the deadline to exit, then kill it.
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    usleep(1000);
  }
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace arbiter::gateway
