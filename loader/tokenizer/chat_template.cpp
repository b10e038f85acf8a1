#include "loader/tokenizer/chat_template.h"

#include <string>

#include "base/error.h"
#include "loader/jinja/jinja.h"
#include "loader/tokenizer_data.h"

namespace rotary {

namespace {

// The error of the engine, said to come from the chat template.
[[noreturn]] void rethrow_as_template_error(const Error& e) {
  throw Error(e.kind(), std::string("chat template: ") + e.what());
}

}  // namespace

Json to_json(std::span<const ChatMessage> messages) {
  Json out = Json::array();
  for (const ChatMessage& m : messages) {
    Json j = {{"role", m.role}, {"content", m.content}};
    if (m.reasoning_content) j["reasoning_content"] = *m.reasoning_content;
    out.push_back(std::move(j));
  }
  return out;
}

std::string token_text_or_empty(const TokenizerData& data, std::optional<uint32_t> id) {
  return id && *id < data.tokens.size() ? data.tokens[*id] : std::string();
}

ChatTemplate::ChatTemplate(std::string_view source, std::string bos_token, std::string eos_token)
    : source_(std::make_shared<const std::string>(source)),
      bos_(std::move(bos_token)),
      eos_(std::move(eos_token)) {
  try {
    template_ = std::make_shared<const jinja::Template>(jinja::Template::parse(source));
  } catch (const Error& e) {
    rethrow_as_template_error(e);
  }
}

ChatTemplate ChatTemplate::from_model(const TokenizerData& data) {
  require(data.chat_template.has_value() && !data.chat_template->empty(), ErrorKind::Unsupported,
          "the model has no chat template (tokenizer.chat_template): give one with "
          "--chat-template-file FILE (a Jinja template such as the model's original "
          "tokenizer_config.json carries), or use `rotary run -p TEXT` with the prompt already in "
          "the model's format");
  return with_model_tokens(*data.chat_template, data);
}

ChatTemplate ChatTemplate::with_model_tokens(std::string_view source, const TokenizerData& data) {
  return ChatTemplate(source, token_text_or_empty(data, data.bos_id),
                      token_text_or_empty(data, data.eos_id));
}

std::string ChatTemplate::render(const Json& messages, const Json& tools, const Json& kwargs,
                                 bool add_generation_prompt) const {
  require(messages.is_array(), ErrorKind::InvalidArgument,
          "chat template: the messages must be a JSON array of message objects");
  for (const Json& m : messages) {
    if (!m.is_object())
      throw Error(ErrorKind::InvalidArgument,
                  "chat template: every message must be a JSON object (with a role and a "
                  "content), not " +
                      dump_json(m));
  }
  require(tools.is_null() || tools.is_array(), ErrorKind::InvalidArgument,
          "chat template: the tools must be a JSON array");
  require(kwargs.is_null() || kwargs.is_object(), ErrorKind::InvalidArgument,
          "chat template: the template variables (--chat-template-kwargs) must be a JSON object, "
          "such as {\"enable_thinking\": false}");
  // Hugging Face's apply_chat_template: the special tokens, then the caller's variables over
  // them; messages, tools and add_generation_prompt are its own arguments.
  Json context = {{"messages", messages},
                  {"tools", tools},
                  {"add_generation_prompt", add_generation_prompt},
                  {"bos_token", bos_},
                  {"eos_token", eos_}};
  if (kwargs.is_object()) {
    for (const auto& [key, value] : kwargs.items()) {
      require(key != "messages" && key != "tools" && key != "add_generation_prompt",
              ErrorKind::InvalidArgument,
              "chat template: '" + key +
                  "' cannot be set as a template variable (it is given by the request itself)");
      context[key] = value;
    }
  }
  try {
    return template_->render(context);
  } catch (const Error& e) {
    rethrow_as_template_error(e);
  }
}

std::string ChatTemplate::render(std::span<const ChatMessage> messages,
                                 const ChatTemplateOptions& options) const {
  return render(to_json(messages), Json(), options.kwargs, options.add_generation_prompt);
}

}  // namespace rotary
