#pragma once
// A model's chat template (tokenizer.chat_template, or a file given instead), rendered the way
// Hugging Face's apply_chat_template renders it: the Jinja engine (loader/jinja/) in HF's
// environment, over the variables
//   messages               OpenAI-shaped: role, content (a string or a list of parts),
//                          reasoning_content, tool_calls, tool_call_id, name, ... as given
//   tools                  the tool list, or none when there is none
//   add_generation_prompt  end with the opening of an assistant turn
//   bos_token, eos_token   the model's texts of those tokens
// and the variables of `kwargs` (llama.cpp's --chat-template-kwargs: enable_thinking,
// preserve_thinking, reasoning_effort, ...), which may replace bos_token and eos_token but not
// the first three. Everything is passed as it is: output is Jinja2's, byte for byte.
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/json.h"

namespace rotary {

namespace jinja {
class Template;
}

struct TokenizerData;

// A message of `rotary chat`; the server passes OpenAI JSON instead.
struct ChatMessage {
  std::string role;  // "system", "user", "assistant", "tool"
  std::string content;
  // The assistant's reasoning, kept apart from the content (given to the template as
  // reasoning_content; each template decides whether history keeps it).
  std::optional<std::string> reasoning_content = std::nullopt;
};

struct ChatTemplateOptions {
  bool add_generation_prompt = true;
  nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();  // extra template variables
};

// The messages as the template sees them: [{"role", "content"[, "reasoning_content"]}, ...].
nlohmann::ordered_json to_json(std::span<const ChatMessage> messages);

class ChatTemplate {
 public:
  // Parses `source`. Throws Error naming the line and column of a syntax error.
  ChatTemplate(std::string_view source, std::string bos_token, std::string eos_token);

  // The template a model carries, with its bos/eos token texts. A model without one is
  // Error(Unsupported) suggesting --chat-template-file.
  static ChatTemplate from_model(const TokenizerData& data);
  // `source` with the model's bos/eos token texts (a --chat-template-file).
  static ChatTemplate with_model_tokens(std::string_view source, const TokenizerData& data);

  // `messages`: an array of message objects; `tools`: an array, or null for none; `kwargs`: an
  // object, or null. Throws Error(InvalidArgument) for inputs of the wrong shape, and Error
  // carrying the template's message where rendering fails (raise_exception, a type error).
  std::string render(const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
                     const nlohmann::ordered_json& kwargs, bool add_generation_prompt) const;
  // For the chat loop: plain messages, no tools.
  std::string render(std::span<const ChatMessage> messages,
                     const ChatTemplateOptions& options = {}) const;

  const std::string& source() const { return *source_; }
  const std::string& bos_token() const { return bos_; }
  const std::string& eos_token() const { return eos_; }

 private:
  std::shared_ptr<const std::string> source_;         // immutable: copies share them
  std::shared_ptr<const jinja::Template> template_;
  std::string bos_, eos_;
};

// The text of a token of the vocabulary, or "" when the id is absent or outside it.
std::string token_text_or_empty(const TokenizerData& data, std::optional<uint32_t> id);

}  // namespace rotary
