// `rotary template`: renders a conversation with a chat template and writes the text to stdout
// exactly (nothing appended), for debugging a template and for tests. Needs no GPU: with -m only
// the GGUF's metadata is read (the template and the BOS/EOS texts).
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "cli/chat_flags.h"
#include "cli/commands.h"
#include "loader/gguf_reader.h"
#include "loader/tokenizer_data.h"

namespace rotary::cli {

namespace {

struct TemplateArgs {
  std::string model, messages, tools, bos, eos;
  bool add_generation_prompt = true;
  ChatTemplateFlags chat_template;
  CLI::Option* bos_flag = nullptr;
  CLI::Option* eos_flag = nullptr;
};

nlohmann::ordered_json read_json_file(const std::string& path, const std::string& flag) {
  return parse_json(read_text_file(path, flag), flag + " " + path);
}

ChatTemplate template_from(const TemplateArgs& a) {
  require(!a.model.empty() || !a.chat_template.file.empty(), ErrorKind::InvalidArgument,
          "give the template: -m MODEL.gguf (its tokenizer.chat_template) or "
          "--chat-template-file FILE");
  std::optional<ChatTemplate> t;
  if (!a.model.empty()) {
    const GgufFile file = GgufFile::open(a.model);
    t = chat_template_for(a.chat_template, read_tokenizer_data(file.metadata()));
  } else {
    const std::string source = read_text_file(a.chat_template.file, "--chat-template-file");
    try {
      t.emplace(source, "", "");
    } catch (const Error& e) {
      throw Error(e.kind(), "--chat-template-file " + a.chat_template.file + ": " + e.what());
    }
  }
  if (a.bos_flag->count() == 0 && a.eos_flag->count() == 0) return *t;
  return ChatTemplate(t->source(), a.bos_flag->count() ? a.bos : t->bos_token(),
                      a.eos_flag->count() ? a.eos : t->eos_token());
}

int template_command(const TemplateArgs& a) {
  const nlohmann::ordered_json messages = read_json_file(a.messages, "--messages");
  require(messages.is_array(), ErrorKind::InvalidArgument,
          "--messages " + a.messages + ": expected a JSON array of messages, such as "
          "[{\"role\": \"user\", \"content\": \"Hello\"}]");
  nlohmann::ordered_json tools;  // null: no tools
  if (!a.tools.empty()) {
    tools = read_json_file(a.tools, "--tools");
    require(tools.is_array(), ErrorKind::InvalidArgument,
            "--tools " + a.tools + ": expected a JSON array of tools");
  }
  const nlohmann::ordered_json kwargs = template_kwargs(a.chat_template);
  const ChatTemplate t = template_from(a);
  const std::string text = t.render(messages, tools, kwargs, a.add_generation_prompt);
  require(std::fwrite(text.data(), 1, text.size(), stdout) == text.size() &&
              std::fflush(stdout) == 0,
          ErrorKind::Io, "cannot write the rendered template to stdout");
  return 0;
}

}  // namespace

void add_template_command(CLI::App& app, Exit& exit) {
  auto a = std::make_shared<TemplateArgs>();
  auto* cmd = app.add_subcommand(
      "template", "Render a conversation with a chat template (the text goes to stdout as it is)");
  cmd->add_option("-m,--model", a->model, "GGUF model whose template and BOS/EOS texts to use");
  add_chat_template_flags(cmd, a->chat_template);
  cmd->add_option("--messages", a->messages, "JSON file: the messages (OpenAI's shape)")
      ->required();
  cmd->add_option("--tools", a->tools, "JSON file: the tools (OpenAI's shape)");
  cmd->add_flag("--add-generation-prompt,!--no-generation-prompt", a->add_generation_prompt,
                "End with the opening of an assistant turn (the default)");
  a->bos_flag = cmd->add_option("--bos-token", a->bos, "The bos_token text (default: the model's)");
  a->eos_flag = cmd->add_option("--eos-token", a->eos, "The eos_token text (default: the model's)");
  cmd->callback([a, &exit] { exit.code = template_command(*a); });
}

}  // namespace rotary::cli
