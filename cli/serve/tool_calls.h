#pragma once
// Tool calls in a model's answer, in the two forms Qwen's templates teach, each inside
// <tool_call>...</tool_call>:
//   Qwen3        {"name": "get_weather", "arguments": {"city": "Paris"}}
//   Qwen3.5/3.6  <function=get_weather>
//                <parameter=city>
//                Paris
//                </parameter>
//                </function>
// In the second form values are text; a parameter whose schema (in the request's tools) has a
// type other than string is read as JSON when it parses (numbers, booleans, objects, arrays).
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"

namespace rotary::serve {

struct ToolCall {
  std::string name;
  std::string arguments;  // a JSON object, as text (OpenAI's function.arguments)
};

struct ToolCallSplit {
  std::vector<ToolCall> calls;
  std::string text;  // what was not a well-formed call (text around the calls, broken calls)
};

inline constexpr std::string_view kToolCallOpen = "<tool_call>";
inline constexpr std::string_view kToolCallClose = "</tool_call>";

// Splits `text` into its tool calls and the rest. `tools`: the request's tool list (for the
// parameter types of the second form); may be empty.
ToolCallSplit extract_tool_calls(std::string_view text, const nlohmann::ordered_json& tools);

}  // namespace rotary::serve
