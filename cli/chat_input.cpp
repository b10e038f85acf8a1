#include "cli/chat_input.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/error.h"

namespace rotary::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) {
  if (g_interrupted) {
    // Asked twice: give up waiting for the first one to be seen, as a plain Ctrl-C would.
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  g_interrupted = 1;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked read(2) returns EINTR
  if (sigaction(SIGINT, &sa, &previous_) != 0)
    throw Error(ErrorKind::Internal, "cannot install the Ctrl-C handler");
  g_interrupted = 0;
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_, nullptr);
}

bool InterruptGuard::pending() {
  return g_interrupted != 0;
}
void InterruptGuard::clear() {
  g_interrupted = 0;
}

std::optional<std::string> LineReader::next_physical(bool& interrupted) {
  interrupted = false;
  for (;;) {
    const size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    if (eof_) {
      if (buffer_.empty()) return std::nullopt;
      return std::exchange(buffer_, {});
    }
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
    } else if (n == 0) {
      eof_ = true;
    } else if (errno == EINTR) {
      if (InterruptGuard::pending()) {
        interrupted = true;
        return std::nullopt;
      }
    } else {
      throw Error(ErrorKind::Io,
                  std::string("cannot read standard input: ") + std::strerror(errno));
    }
  }
}

InputLine LineReader::next() {
  if (InterruptGuard::pending()) return {InputLine::Kind::Interrupted, {}};
  InputLine in;
  bool interrupted = false;
  for (;;) {
    std::optional<std::string> line = next_physical(interrupted);
    if (interrupted) return {InputLine::Kind::Interrupted, {}};
    if (!line) {
      // End of input: a continued line that never finished is still a message.
      if (in.text.empty()) return {InputLine::Kind::End, {}};
      in.kind = InputLine::Kind::Line;
      return in;
    }
    if (!line->empty() && line->back() == '\r') line->pop_back();
    if (!line->empty() && line->back() == '\\') {
      line->back() = '\n';
      in.text += *line;
      continue;
    }
    in.text += *line;
    in.kind = InputLine::Kind::Line;
    return in;
  }
}

}  // namespace rotary::cli
