#pragma once
// Stop strings over streamed text: text is released as soon as it cannot be the start of a stop
// string, and generation ends at the first one found, which (with what follows) is never
// released. Works on bytes, so a stop string may end inside what one token gave.
#include <string>
#include <string_view>
#include <vector>

namespace rotary::serve {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {}

  // Adds text; returns what is now certain to be before any stop string.
  std::string push(std::string_view text);
  // Whether a stop string was found (push then returned the text before it; later pushes
  // return nothing).
  bool stopped() const { return stopped_; }
  // What is still held back (at the end of the answer, it was not a stop string after all).
  std::string flush();

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace rotary::serve
