#pragma once
// Splits a model's answer, as it streams, into what OpenAI's API keeps apart:
//   reasoning_content  the <think>...</think> block at the start of the answer (or everything up
//                      to </think> when the prompt already opened it, as Qwen3.5/3.6's
//                      generation prompt does)
//   content            the rest
//   tool_calls         <tool_call>...</tool_call> blocks (tool_calls.h), when the request
//                      has tools: from the first <tool_call> on, the text is held until the end
// Text is released as soon as it cannot be the start of a tag; the whitespace around the think
// block is dropped (it is the template's layout). Streamed and whole answers go through the same
// parser, so they are the same text.
#include <string>
#include <string_view>
#include <vector>

#include "cli/serve/tool_calls.h"

namespace rotary::serve {

struct OutputDelta {
  std::string reasoning, content;
  bool empty() const { return reasoning.empty() && content.empty(); }
};

class OutputParser {
 public:
  struct Options {
    bool in_reasoning = false;  // the prompt ends inside an open <think>
    bool tool_calls = false;    // parse <tool_call> blocks
  };
  explicit OutputParser(Options options);

  OutputDelta push(std::string_view text);
  // The end of the answer: everything held back; `calls` receives the tool calls.
  OutputDelta finish(const nlohmann::ordered_json& tools, std::vector<ToolCall>& calls);

 private:
  enum class State { Start, Reasoning, Content, ToolCalls };
  void start(OutputDelta& out);
  void reasoning(OutputDelta& out);
  void content(OutputDelta& out);

  Options options_;
  State state_;
  std::string held_;
  bool trim_front_ = false;  // drop whitespace before the next text of this state
};

// Whether a rendered prompt ends inside a <think> block (the answer starts with reasoning).
bool prompt_opens_reasoning(std::string_view prompt);

}  // namespace rotary::serve
