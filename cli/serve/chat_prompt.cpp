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

// An assistant's tool calls as Qwen3's template writes them after the content.
std::string qwen3_tool_calls(const Json& calls, bool after_content, size_t index) {
  std::string out;
  for (size_t i = 0; i < calls.size(); ++i) {
    const Json& c = calls[i];
    const Json f = c.is_object() ? c.value("function", Json::object()) : Json::object();
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string())
      throw invalid_field(
          "messages[" + std::to_string(index) + "].tool_calls[" + std::to_string(i) + "]",
          "must be {\"type\": \"function\", \"function\": {\"name\": ..., \"arguments\": ...}}");
    const Json args = f.value("arguments", Json::object());
    const std::string args_text = args.is_string() ? args.get<std::string>() : args.dump();
    if (after_content || i > 0) out += "\n";
    out += "<tool_call>\n{\"name\": " + f["name"].dump() + ", \"arguments\": " + args_text +
           "}\n</tool_call>";
  }
  return out;
}

}  // namespace

// Until the Jinja templates land, rotary's recognised templates render plain messages: tools and
// tool calls only where the template is Qwen3's, and enable_thinking is the one variable.
std::string render_chat_prompt(const ChatTemplate& chat_template, const Json& messages,
                               const Json& tools, const Json& kwargs) {
  const bool qwen3 = chat_template.kind() == ChatTemplateKind::Qwen3;
  if (!tools.empty())
    throw ApiError(400,
                   "'tools': this model's chat template (" +
                       std::string(to_string(chat_template.kind())) +
                       ") has no tool format in this build of rotary",
                   "invalid_request_error", "unsupported_value", "tools");
  std::vector<ChatMessage> list;
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& m = messages[i];
    ChatMessage c{m["role"].get<std::string>(), content_text(m)};
    if (const auto r = m.find("reasoning_content"); r != m.end() && r->is_string())
      c.reasoning_content = *r;
    if (const auto calls = m.find("tool_calls");
        calls != m.end() && !calls->is_null() && !calls->empty()) {
      if (!qwen3)
        throw invalid_field("messages[" + std::to_string(i) + "].tool_calls",
                            "cannot be rendered by this model's chat template (" +
                                std::string(to_string(chat_template.kind())) + ")");
      c.content += qwen3_tool_calls(*calls, !c.content.empty(), i);
    }
    list.push_back(std::move(c));
  }
  ChatTemplateOptions options;
  if (const auto t = kwargs.find("enable_thinking"); t != kwargs.end() && !t->is_null()) {
    if (!t->is_boolean())
      throw invalid_field("chat_template_kwargs.enable_thinking", "must be true or false");
    options.enable_thinking = t->get<bool>();
  }
  try {
    return chat_template.render(list, options);
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
