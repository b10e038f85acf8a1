#include "cli/serve/chat_prompt.h"

#include "base/error.h"
#include "cli/serve/api_error.h"

namespace rotary::serve {

// The template takes the OpenAI-shaped request as it is (tool calls, tool results, reasoning and
// the kwargs flow through); what it cannot render is the client's error.
std::string render_chat_prompt(const ChatTemplate& chat_template, const Json& messages,
                               const Json& tools, const Json& kwargs) {
  // Content given as text parts becomes one string, as llama-server does: many templates (Qwen3's,
  // rotary synth's) only concatenate strings, and the parts carry nothing else (the request
  // parser refuses image and audio parts).
  Json flat = messages;
  for (Json& m : flat) {
    const auto c = m.find("content");
    if (c == m.end() || !c->is_array()) continue;
    std::string text;
    for (const Json& part : *c) text += part["text"].get<std::string>();
    *c = text;
  }
  try {
    return chat_template.render(flat, tools.empty() ? Json() : tools, kwargs,
                                /*add_generation_prompt=*/true);
  } catch (const Error& e) {
    throw ApiError(400, std::string("the chat template cannot render this request: ") + e.what(),
                   "invalid_request_error", "invalid_value", "messages");
  }
}

std::vector<int32_t> tokenize_chat_prompt(const Tokenizer& tokenizer, std::string_view text) {
  std::vector<int32_t> tokens;
  if (tokenizer.adds_bos() && tokenizer.bos()) tokens.push_back(*tokenizer.bos());
  const std::vector<int32_t> body =
      tokenizer.encode(text, {.add_special = false, .parse_special = true});
  tokens.insert(tokens.end(), body.begin(), body.end());
  return tokens;
}

}  // namespace rotary::serve
