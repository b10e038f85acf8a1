#include "base/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/error.h"

namespace rotary {

namespace {

[[noreturn]] void not_regular(const std::filesystem::path& path, mode_t mode,
                              const char* expected) {
  const char* what = S_ISDIR(mode)    ? "a directory"
                     : S_ISFIFO(mode) ? "a FIFO (named pipe)"
                     : S_ISCHR(mode)  ? "a character device"
                     : S_ISBLK(mode)  ? "a block device"
                     : S_ISSOCK(mode) ? "a socket"
                                      : "something else";
  throw Error(ErrorKind::Io, path.string() + ": is " + what +
                                 ", not a regular file; give the path of " + expected);
}

[[noreturn]] void fail(const std::filesystem::path& path, const char* what, int err) {
  throw Error(ErrorKind::Io, path.string() + ": " + what + ": " + std::strerror(err));
}

}  // namespace

int open_regular_file(const std::filesystem::path& path, const char* expected) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail(path, "cannot open", errno);
  if (!S_ISREG(st.st_mode)) not_regular(path, st.st_mode, expected);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) fail(path, "cannot open", errno);
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    ::close(fd);
    if (!S_ISREG(st.st_mode)) not_regular(path, st.st_mode, expected);
    fail(path, "cannot stat", err);
  }
  return fd;
}

}  // namespace rotary
