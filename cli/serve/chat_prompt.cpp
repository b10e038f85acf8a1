#include "cli/serve/chat_prompt.h"

#include "base/error.h"
#include "cli/serve/api_error.h"

namespace rotary::serve {

namespace {

using Json = nlohmann::ordered_json;

// A message's content as text: a string, the text parts joined, or "" for null.
std::string content_text(const Json& m) {
  const auto it = m.find("content");
  if (it == m.end() || it->is_null()) return "";
  if (it->is_string()) return *it;
  std::string text;
  for (const Json& part : *it) text += part["text"].get<std::string>();
  return text;
}

}  // namespace

// The messages go to the model's Jinja template as they are, but for text parts, which are joined
// into one string (rotary serves text only, and most templates, Qwen3's among them, expect a
// string). A template that never reads `tools` has no tool format: tools are refused rather than
// silently not shown to the model.
std::string render_chat_prompt(const ChatTemplate& chat_template, const Json& messages,
                               const Json& tools, const Json& kwargs) {
  if (!tools.empty() && chat_template.source().find("tools") == std::string::npos)
    throw ApiError(400, "'tools': this model's chat template has no tool format",
                   "invalid_request_error", "unsupported_value", "tools");
  Json list = Json::array();
  for (const Json& m : messages) {
    Json c = m;
    if (const auto it = c.find("content"); it != c.end() && it->is_array()) *it = content_text(m);
    list.push_back(std::move(c));
  }
  try {
    return chat_template.render(list, tools.empty() ? Json() : tools, kwargs,
                                /*add_generation_prompt=*/true);
  } catch (const Error& e) {
    throw ApiError(400, std::string("messages: ") + e.what(), "invalid_request_error",
                   "invalid_value", "messages");
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
