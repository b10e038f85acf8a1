#pragma once
// Chat templates without a Jinja engine: rotary recognises the templates it knows
// (tokenizer.chat_template) and renders messages exactly as that template would under Hugging
// Face's apply_chat_template (no tools).
//
//   Qwen3   Qwen3's ChatML template with the enable_thinking switch, recognised by its markers.
//           Reasoning of assistant turns before the last user query is dropped; later assistant
//           turns carry "<think>\n...\n</think>\n\n"; with enable_thinking == false the generation
//           prompt ends with "<think>\n\n</think>\n\n".
//   ChatML  the plain ChatML template (each message "<|im_start|>role\ncontent<|im_end|>\n"),
//           recognised only when the template text is exactly the common one.
//   ChatMLThinking  ChatML whose generation prompt takes Qwen3's enable_thinking switch (false
//           adds "<think>\n\n</think>\n\n"); messages, assistant ones included, are plain
//           ChatML. Recognised only as the exact text `rotary synth` writes.
//
// Any other template is Error(Unsupported).
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rotary {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant" (Qwen3 also "tool")
  std::string content;
  // Qwen3: the assistant's reasoning, when kept apart from the content. When absent, reasoning is
  // taken from a "<think>...</think>" block in the content, as the template does.
  std::optional<std::string> reasoning_content = std::nullopt;
};

struct ChatTemplateOptions {
  bool add_generation_prompt = true;    // end with the opening of an assistant turn
  std::optional<bool> enable_thinking;  // Qwen3: unset behaves as true (the template's default)
};

enum class ChatTemplateKind { ChatML, ChatMLThinking, Qwen3 };

std::string_view to_string(ChatTemplateKind kind);

class ChatTemplate {
 public:
  explicit ChatTemplate(ChatTemplateKind kind) : kind_(kind) {}

  // Recognises a model's tokenizer.chat_template. Throws Error(Unsupported) naming the supported
  // templates and how to run without one when the text is not one of them (or is empty).
  static ChatTemplate recognise(std::string_view template_text);

  ChatTemplateKind kind() const { return kind_; }

  // Throws Error(InvalidArgument) for a role the template has no place for.
  std::string render(std::span<const ChatMessage> messages,
                     const ChatTemplateOptions& options = {}) const;

 private:
  ChatTemplateKind kind_;
};

}  // namespace rotary
