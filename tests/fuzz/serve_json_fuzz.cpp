// libFuzzer target for what `rotary serve` reads from the network and from the model: the input
// is a request body, parsed (base/json.h over nlohmann::json) and read as a chat and as a
// completion request (cli/serve/openai_request.h), and model output searched for tool calls
// (cli/serve/tool_calls.h). Properties checked on every input:
//  - no crash, no sanitizer report, no stack overflow (deep nesting), no exception other than
//    ApiError (nlohmann's exceptions must stop at the boundary);
//  - JSON text rotary writes reads back: dump_json of a parsed value parses, and writing that
//    again gives the same text.
// Built and run by scripts/fuzz.sh --target json over tests/fuzz/corpus/json.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/json.h"
#include "cli/serve/api_error.h"
#include "cli/serve/openai_request.h"
#include "cli/serve/tool_calls.h"

namespace {

const rotary::Json& tools() {
  static const rotary::Json t = rotary::parse_json(R"([
    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
     "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}}}])",
                                                   "tools");
  return t;
}

[[noreturn]] void broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "serve_json_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

void round_trip(std::string_view text) {
  const auto v = rotary::try_parse_json(text);
  if (!v) return;
  const std::string out = rotary::dump_json(*v);
  const auto again = rotary::try_parse_json(out);
  if (!again) broken("dump_json wrote text that does not parse", out);
  if (rotary::dump_json(*again) != out) broken("dump_json is not stable", out);
}

void requests(std::string_view text) {
  using namespace rotary::serve;
  rotary::Json body;
  try {
    body = parse_body(text);
  } catch (const ApiError&) {
    return;
  }
  try {
    (void)parse_chat_request(body, rotary::SamplingParams{}, rotary::Json::object());
  } catch (const ApiError&) {
  }
  try {
    (void)parse_completion_request(body, rotary::SamplingParams{});
  } catch (const ApiError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  round_trip(text);
  requests(text);
  (void)rotary::serve::extract_tool_calls(text, tools());
  return 0;
}
