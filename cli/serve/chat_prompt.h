#pragma once
// The one place where OpenAI-shaped messages become the model's prompt: the chat template
// renders them (with the tools and the template variables), and the text becomes tokens.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"

#include "loader/tokenizer/chat_template.h"
#include "loader/tokenizer/tokenizer.h"

namespace rotary::serve {

// `messages`, `tools`, `kwargs` as parse_chat_request checked them. Throws ApiError 400 for what
// the template cannot render.
std::string render_chat_prompt(const ChatTemplate& chat_template,
                               const nlohmann::ordered_json& messages,
                               const nlohmann::ordered_json& tools,
                               const nlohmann::ordered_json& kwargs);

// The rendered text as tokens: special tokens parsed, a BOS first when the model asks for one
// (as `rotary chat` does).
std::vector<int32_t> tokenize_chat_prompt(const Tokenizer& tokenizer, std::string_view text);

}  // namespace rotary::serve
