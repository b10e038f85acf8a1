#include "loader/tokenizer/chat_template.h"

#include <string>
#include <vector>

#include "base/error.h"

namespace rotary {
namespace {

// The plain ChatML template, byte for byte as Hugging Face and most converters ship it.
constexpr std::string_view kChatMLTemplate =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] "
    "+ '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ "
    "'<|im_start|>assistant\\n' "
    "}}{% endif %}";

// ChatML with Qwen3's thinking switch on the generation prompt, byte for byte as `rotary synth`
// writes it (loader/synth/vocab.cpp; a unit test keeps the two equal).
constexpr std::string_view kChatMLThinkingTemplate =
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{%- if enable_thinking is defined and enable_thinking is false -%}"
    "{{- '<think>\\n\\n</think>\\n\\n' -}}"
    "{%- endif -%}"
    "{%- endif -%}";

// Fragments of Qwen3's template (as written in its source, "\\n" being the two characters of the
// Jinja escape), one for each behaviour the renderer reproduces. All must be present.
constexpr std::string_view kQwen3Markers[] = {
    "messages[0].role == 'system'",
    "'<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n'",
    "message.content.startswith('<tool_response>') and "
    "message.content.endswith('</tool_response>')",
    "message.content.split('</think>')[-1].lstrip('\\n')",
    "message.content.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n')",
    "loop.index0 > ns.last_query_index",
    "'\\n<think>\\n' + reasoning_content.strip('\\n') + '\\n</think>\\n\\n' + "
    "content.lstrip('\\n')",
    "enable_thinking is defined and enable_thinking is false",
    "'<think>\\n\\n</think>\\n\\n'",
};

constexpr std::string_view kImStart = "<|im_start|>";
constexpr std::string_view kImEnd = "<|im_end|>";

// Python's str.strip / lstrip / rstrip with '\n' as the character set.
std::string_view lstrip_newlines(std::string_view s) {
  while (!s.empty() && s.front() == '\n') s.remove_prefix(1);
  return s;
}
std::string_view rstrip_newlines(std::string_view s) {
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}
std::string_view strip_newlines(std::string_view s) {
  return rstrip_newlines(lstrip_newlines(s));
}

// s.split(sep)[0] and s.split(sep)[-1].
std::string_view before_first(std::string_view s, std::string_view sep) {
  return s.substr(0, s.find(sep));
}
std::string_view after_last(std::string_view s, std::string_view sep) {
  const size_t at = s.rfind(sep);
  return at == std::string_view::npos ? s : s.substr(at + sep.size());
}

bool is_tool_response(std::string_view content) {
  return content.starts_with("<tool_response>") && content.ends_with("</tool_response>");
}

std::string render_chatml(std::span<const ChatMessage> messages,
                          const ChatTemplateOptions& options) {
  std::string out;
  for (const ChatMessage& m : messages) {
    out.append(kImStart).append(m.role).append("\n").append(m.content).append(kImEnd).append("\n");
  }
  if (options.add_generation_prompt) out.append(kImStart).append("assistant\n");
  return out;
}

std::string render_chatml_thinking(std::span<const ChatMessage> messages,
                                   const ChatTemplateOptions& options) {
  std::string out = render_chatml(messages, options);
  if (options.add_generation_prompt && options.enable_thinking == false) {
    out.append("<think>\n\n</think>\n\n");
  }
  return out;
}

// The index of the last user message that is a real query (not a wrapped tool response); the
// template starts from the last message when there is none.
size_t last_query_index(std::span<const ChatMessage> messages) {
  for (size_t i = messages.size(); i-- > 0;) {
    if (messages[i].role == "user" && !is_tool_response(messages[i].content)) return i;
  }
  return messages.empty() ? 0 : messages.size() - 1;
}

void render_qwen3_assistant(const ChatMessage& m, bool after_last_query, bool last,
                            std::string& out) {
  std::string_view content = m.content;
  std::string_view reasoning;
  if (m.reasoning_content) {
    reasoning = *m.reasoning_content;
  } else if (m.content.find("</think>") != std::string::npos) {
    content = lstrip_newlines(after_last(m.content, "</think>"));
    reasoning = lstrip_newlines(
        after_last(rstrip_newlines(before_first(m.content, "</think>")), "<think>"));
  }
  out.append(kImStart).append("assistant\n");
  if (after_last_query && (last || !reasoning.empty())) {
    out.append("<think>\n").append(strip_newlines(reasoning)).append("\n</think>\n\n");
    out.append(lstrip_newlines(content));
  } else {
    out.append(content);
  }
  out.append(kImEnd).append("\n");
}

std::string render_qwen3(std::span<const ChatMessage> messages,
                         const ChatTemplateOptions& options) {
  for (const ChatMessage& m : messages) {
    if (m.role != "system" && m.role != "user" && m.role != "assistant" && m.role != "tool") {
      throw Error(ErrorKind::InvalidArgument,
                  "chat role '" + m.role +
                      "' has no place in the Qwen3 template (system, user, assistant, tool)");
    }
  }
  std::string out;
  if (!messages.empty() && messages[0].role == "system") {
    out.append(kImStart).append("system\n").append(messages[0].content).append(kImEnd).append("\n");
  }
  const size_t query = last_query_index(messages);
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    const bool first = i == 0;
    const bool last = i + 1 == messages.size();
    if (m.role == "user" || (m.role == "system" && !first)) {
      out.append(kImStart).append(m.role).append("\n").append(m.content).append(kImEnd).append(
          "\n");
    } else if (m.role == "assistant") {
      render_qwen3_assistant(m, i > query, last, out);
    } else if (m.role == "tool") {
      if (first || messages[i - 1].role != "tool") out.append(kImStart).append("user");
      out.append("\n<tool_response>\n").append(m.content).append("\n</tool_response>");
      if (last || messages[i + 1].role != "tool") out.append(kImEnd).append("\n");
    }
  }
  if (options.add_generation_prompt) {
    out.append(kImStart).append("assistant\n");
    if (options.enable_thinking == false) out.append("<think>\n\n</think>\n\n");
  }
  return out;
}

}  // namespace

std::string_view to_string(ChatTemplateKind kind) {
  switch (kind) {
    case ChatTemplateKind::ChatML:
      return "chatml";
    case ChatTemplateKind::ChatMLThinking:
      return "chatml-thinking";
    case ChatTemplateKind::Qwen3:
      return "qwen3";
  }
  return "?";
}

ChatTemplate ChatTemplate::recognise(std::string_view text) {
  constexpr std::string_view kHelp =
      "rotary applies these chat templates: Qwen3's ChatML template (with enable_thinking), "
      "the plain ChatML template and ChatML with Qwen3's thinking switch (rotary synth's). To "
      "run without a template, use `rotary run -p TEXT` with the prompt already in the model's "
      "format: special tokens such as <|im_start|> written in the prompt are recognised.";
  if (text.empty()) {
    throw Error(ErrorKind::Unsupported,
                "the model has no chat template (tokenizer.chat_template). " + std::string(kHelp));
  }
  if (text == kChatMLTemplate) return ChatTemplate(ChatTemplateKind::ChatML);
  if (text == kChatMLThinkingTemplate) return ChatTemplate(ChatTemplateKind::ChatMLThinking);
  bool qwen3 = true;
  for (std::string_view marker : kQwen3Markers) qwen3 = qwen3 && text.find(marker) != text.npos;
  if (qwen3) return ChatTemplate(ChatTemplateKind::Qwen3);
  throw Error(ErrorKind::Unsupported,
              "the model's chat template (tokenizer.chat_template, " + std::to_string(text.size()) +
                  " bytes) is not one rotary recognises. " + std::string(kHelp));
}

std::string ChatTemplate::render(std::span<const ChatMessage> messages,
                                 const ChatTemplateOptions& options) const {
  switch (kind_) {
    case ChatTemplateKind::ChatML:
      return render_chatml(messages, options);
    case ChatTemplateKind::ChatMLThinking:
      return render_chatml_thinking(messages, options);
    case ChatTemplateKind::Qwen3:
      return render_qwen3(messages, options);
  }
  throw Error(ErrorKind::Internal, "unknown chat template kind");
}

}  // namespace rotary
