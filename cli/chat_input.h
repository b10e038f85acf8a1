#pragma once
// The terminal side of `rotary chat`: Ctrl-C and reading lines.
//
// While an InterruptGuard lives, SIGINT only raises a flag: an answer that is streaming checks it
// after each token and stops; a read of the next line returns "interrupted". A second Ctrl-C while
// the first is still unanswered (a long prompt being evaluated) ends the program as Ctrl-C
// normally does. The previous handler comes back when the guard goes.
#include <csignal>
#include <optional>
#include <string>

namespace rotary::cli {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  static bool pending();  // Ctrl-C came and was not yet cleared
  static void clear();

 private:
  struct sigaction previous_ {};
};

struct InputLine {
  enum class Kind { Line, End, Interrupted };
  Kind kind = Kind::End;
  std::string text;  // Kind::Line: without the newline
};

// Reads standard input line by line with read(2), so that Ctrl-C interrupts the wait (stdio
// would retry). A line that ends in a backslash continues on the next one.
class LineReader {
 public:
  InputLine next();

 private:
  std::optional<std::string> next_physical(bool& interrupted);
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace rotary::cli
