#include "cli/chat_flags.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "loader/tokenizer_data.h"

namespace rotary::cli {

void add_chat_template_flags(CLI::App* cmd, ChatTemplateFlags& flags) {
  flags.file_flag = cmd->add_option("--chat-template-file", flags.file,
                                    "A Jinja chat template to use instead of the model's");
  flags.kwargs_flag = cmd->add_option(
      "--chat-template-kwargs", flags.kwargs_text,
      "Template variables as a JSON object, e.g. '{\"enable_thinking\": false}'");
  cmd->add_flag("--think", flags.think,
                "Let the model reason before it answers (enable_thinking=true)");
  cmd->add_flag("--no-think", flags.no_think,
                "Ask the model to answer without reasoning (enable_thinking=false)");
}

std::string read_text_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  require(in.good(), ErrorKind::Io, std::string(what) + ": cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  require(!in.bad(), ErrorKind::Io, std::string(what) + ": cannot read " + path);
  return text.str();
}

nlohmann::ordered_json template_kwargs(const ChatTemplateFlags& flags) {
  require(!(flags.think && flags.no_think), ErrorKind::InvalidArgument,
          "give at most one of --think and --no-think");
  nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();
  if (flags.kwargs_flag->count() > 0) {
    kwargs = parse_json(flags.kwargs_text, "--chat-template-kwargs");
    require(kwargs.is_object(), ErrorKind::InvalidArgument,
            "--chat-template-kwargs must be a JSON object, such as '{\"enable_thinking\": "
            "false}', not " +
                dump_json(kwargs));
  }
  if (flags.think || flags.no_think) kwargs["enable_thinking"] = flags.think;
  return kwargs;
}

namespace {

ChatTemplate parse_template(const ChatTemplateFlags& flags, const TokenizerData& data) {
  if (flags.file_flag->count() == 0) return ChatTemplate::from_model(data);
  const std::string source = read_text_file(flags.file, "--chat-template-file");
  try {
    return ChatTemplate::with_model_tokens(source, data);
  } catch (const Error& e) {
    throw Error(e.kind(), "--chat-template-file " + flags.file + ": " + e.what());
  }
}

}  // namespace

ChatTemplate chat_template_for(const ChatTemplateFlags& flags, const TokenizerData& data) {
  ChatTemplate t = parse_template(flags, data);
  if ((flags.think || flags.no_think) && t.source().find("enable_thinking") == std::string::npos)
    std::fprintf(stderr,
                 "rotary: this chat template does not read enable_thinking; --%s changes nothing\n",
                 flags.think ? "think" : "no-think");
  return t;
}

void add_single_turn_flags(CLI::App* cmd, SingleTurnFlags& flags) {
  cmd->add_flag("--conversation", flags.conversation,
                "Send -p as one user message through the chat template (also -cnv)");
  flags.system_flag = cmd->add_option(
      "--system,--system-prompt", flags.system,
      "A system message before -p (also -sys); implies the chat template");
  add_chat_template_flags(cmd, flags.chat_template);
}

std::string single_turn_prompt(const SingleTurnFlags& flags, const TokenizerData& data,
                               const std::string& user) {
  const nlohmann::ordered_json kwargs = template_kwargs(flags.chat_template);
  const ChatTemplate t = chat_template_for(flags.chat_template, data);
  std::vector<ChatMessage> messages;
  if (flags.system_flag->count() > 0) messages.push_back({"system", flags.system});
  messages.push_back({"user", user});
  return t.render(messages, {.add_generation_prompt = true, .kwargs = kwargs});
}

}  // namespace rotary::cli
