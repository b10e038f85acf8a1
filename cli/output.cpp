#include "cli/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "base/error.h"

namespace rotary::cli {

namespace {
bool g_stdout_closed = false;
int g_stdout_errno = 0;  // the cause of the first failed write seen, when known
}  // namespace

void guard_stdout() {
  if (fcntl(STDOUT_FILENO, F_GETFD) != -1 || errno != EBADF) return;
  g_stdout_closed = true;
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && fd != STDOUT_FILENO) {  // open() takes the lowest free descriptor: 1 unless 0 is closed too
    dup2(fd, STDOUT_FILENO);
    close(fd);
  }
}

// Called right after writes (a token streamed and flushed), when errno still says why one failed.
bool stdout_failed() {
  if (std::ferror(stdout) == 0) return false;
  if (g_stdout_errno == 0) g_stdout_errno = errno;
  return true;
}

void check_stdout() {
  const int before = errno;
  errno = 0;
  if (std::fflush(stdout) != 0 && g_stdout_errno == 0) g_stdout_errno = errno ? errno : before;
  if (std::ferror(stdout) == 0) return;
  if (g_stdout_errno == 0) g_stdout_errno = before;
  const std::string why = g_stdout_closed ? "it is closed"
                          : g_stdout_errno ? std::strerror(g_stdout_errno)
                                           : "a write failed";
  throw Error(ErrorKind::Io, "cannot write the output to standard output: " + why);
}

}  // namespace rotary::cli
