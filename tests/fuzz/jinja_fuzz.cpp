// libFuzzer target for the Jinja engine (loader/jinja): the input is a template, parsed and then
// rendered over a conversation with tools, reasoning and list-of-parts content. Properties checked
// on every input:
//  - no crash, no sanitizer report, no leak, no exception other than TemplateError;
//  - rendering stops at the limits (steps, depth, output) instead of hanging or exhausting memory;
//  - the output of a successful render is never longer than the output limit.
// Built and run by scripts/fuzz.sh --target jinja over the real templates of tests/templates/corpus.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "loader/jinja/jinja.h"

namespace {

const nlohmann::ordered_json& context() {
  static const nlohmann::ordered_json ctx = nlohmann::ordered_json::parse(R"({
    "messages": [
      {"role": "system", "content": "You are helpful."},
      {"role": "user", "content": "Weather in Paris? \u00e9\u4e16"},
      {"role": "assistant", "content": "<think>\nlook it up\n</think>\n\n", "reasoning_content": "r",
       "tool_calls": [{"id": "call_1", "type": "function",
                       "function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
                      {"id": "call_2", "type": "function",
                       "function": {"name": "get_weather", "arguments": "{\"city\": \"Nice\"}"}}]},
      {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "21"},
      {"role": "user", "content": [{"type": "text", "text": "thanks"}, {"type": "image"}]}
    ],
    "tools": [{"type": "function", "function": {"name": "get_weather", "description": "d",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                              "required": ["city"]}}}],
    "add_generation_prompt": true, "enable_thinking": false,
    "bos_token": "<s>", "eos_token": "</s>"
  })");
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  rotary::jinja::Limits limits;
  limits.max_steps = 200'000;  // small enough that one input takes milliseconds
  limits.max_depth = 64;
  limits.max_output = 1 << 20;
  try {
    const auto t = rotary::jinja::Template::parse(source);
    const std::string out = t.render(context(), limits);
    if (out.size() > limits.max_output) {
      std::fprintf(stderr, "jinja fuzz: output of %zu bytes passed the limit\n", out.size());
      std::abort();
    }
  } catch (const rotary::jinja::TemplateError&) {
  }
  return 0;
}
