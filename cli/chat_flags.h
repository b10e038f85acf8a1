#pragma once
// The chat-template flags of run, chat and template (llama.cpp's names): --chat-template-file
// FILE replaces the model's template, --chat-template-kwargs JSON sets template variables
// (enable_thinking, preserve_thinking, reasoning_effort, ...), --think / --no-think are short
// for enable_thinking true / false (and win over --chat-template-kwargs).
#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "base/json.h"

#include "loader/tokenizer/chat_template.h"

namespace rotary {
struct TokenizerData;
}

namespace rotary::cli {

struct ChatTemplateFlags {
  std::string file;         // --chat-template-file: "" for the model's template
  std::string kwargs_text;  // --chat-template-kwargs: a JSON object, "" for none
  bool think = false, no_think = false;
  CLI::Option* file_flag = nullptr;
  CLI::Option* kwargs_flag = nullptr;

  bool given() const {
    return file_flag->count() > 0 || kwargs_flag->count() > 0 || think || no_think;
  }
};

void add_chat_template_flags(CLI::App* cmd, ChatTemplateFlags& flags);

// The whole of a file, or Error(Io) naming `what` (a flag) and the path.
std::string read_text_file(const std::string& path, std::string_view what);

// --chat-template-kwargs as an object (empty when not given) with --think / --no-think applied;
// Error(InvalidArgument) for JSON that is not an object, or both --think and --no-think.
nlohmann::ordered_json template_kwargs(const ChatTemplateFlags& flags);

// The --chat-template-file template, else the model's, with the model's BOS/EOS texts. With
// --think or --no-think, a note on stderr when the template never reads enable_thinking.
ChatTemplate chat_template_for(const ChatTemplateFlags& flags, const TokenizerData& data);

// `rotary run`'s use of the template: -p TEXT stays the raw prompt unless one of these flags is
// given; then it is one user message (after the --system message), rendered with the
// generation prompt.
struct SingleTurnFlags {
  ChatTemplateFlags chat_template;
  std::string system;         // -sys, --system, --system-prompt
  bool conversation = false;  // -cnv, --conversation: the template with no other flag
  CLI::Option* system_flag = nullptr;

  bool given() const { return conversation || system_flag->count() > 0 || chat_template.given(); }
};

void add_single_turn_flags(CLI::App* cmd, SingleTurnFlags& flags);

// The rendered prompt for `user`.
std::string single_turn_prompt(const SingleTurnFlags& flags, const TokenizerData& data,
                               const std::string& user);

}  // namespace rotary::cli
