// `rotary chat`: an interactive conversation with the model's chat template. Each turn evaluates
// only what is new (chat_conversation.h); answers stream as they come; Ctrl-C stops an answer and
// keeps it; every answer ends with a statistics line on stderr.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <random>

#include "base/json.h"
#include "cli/chat_conversation.h"
#include "cli/chat_flags.h"
#include "cli/chat_input.h"
#include "cli/chat_printer.h"
#include "cli/commands.h"
#include "cli/model_flags.h"
#include "cli/output.h"
#include "loader/tokenizer_data.h"
#include "runtime/session.h"

namespace rotary::cli {

namespace {

struct ChatArgs {
  std::string model, system, transcript;
  bool system_given = false;
  uint32_t n = 0;  // per answer; 0: until the turn ends or the context is full
  SamplingParams sampling;
  std::shared_ptr<bool> seed_given = std::make_shared<bool>(false);
  bool ignore_eos = false, json = false, conversation = false;
  ChatTemplateFlags chat_template;
  RuntimeOptions options;
};

// Why an answer ended.
enum class Stop { End, Length, Context, Interrupted };

const char* to_string(Stop s) {
  switch (s) {
    case Stop::End:
      return "end";
    case Stop::Length:
      return "length";
    case Stop::Context:
      return "context";
    case Stop::Interrupted:
      return "interrupted";
  }
  return "?";
}

class Chat {
 public:
  Chat(ChatArgs& args, LoadedModel& m, ChatTemplate chat_template,
       const nlohmann::ordered_json& kwargs);
  int loop();

 private:
  void banner() const;
  bool command(const std::string& line);  // false: leave
  void turn(const std::string& text);
  void write_record(const TurnPlan& plan, const std::vector<int32_t>& answer, Stop stop,
                    const RunStats& stats);
  void note(const std::string& text) const { std::fprintf(stderr, "%s\n", text.c_str()); }

  ChatArgs& a_;
  LoadedModel& m_;
  Session session_;
  ChatConversation conversation_;
  AnswerPrinter printer_;
  std::vector<std::FILE*> records_;  // JSON Lines: stdout for --json, the --transcript file
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> transcript_{nullptr, std::fclose};
  bool input_terminal_, output_terminal_;
  uint32_t turns_ = 0;
};

Chat::Chat(ChatArgs& a, LoadedModel& m, ChatTemplate chat_template,
           const nlohmann::ordered_json& kwargs)
    : a_(a),
      m_(m),
      session_(*m.gpu, *m.model, m.tokenizer.get(), a.sampling),
      conversation_(*m.tokenizer, std::move(chat_template),
                    a.system_given ? std::optional(a.system) : std::nullopt),
      printer_(*m.tokenizer, stdout, !a.json && isatty(STDOUT_FILENO)),
      input_terminal_(isatty(STDIN_FILENO)),
      output_terminal_(isatty(STDOUT_FILENO)) {
  conversation_.template_options().kwargs = kwargs;
  if (a.json) records_.push_back(stdout);
  if (!a.transcript.empty()) {
    transcript_.reset(std::fopen(a.transcript.c_str(), "w"));
    require(transcript_ != nullptr, ErrorKind::Io, "cannot write the transcript " + a.transcript);
    records_.push_back(transcript_.get());
  }
  if (input_terminal_) banner();
}

void Chat::banner() const {
  const auto& h = m_.model->hparams();
  const std::string origin = a_.chat_template.file.empty() ? "the model's chat template"
                                                           : "template " + a_.chat_template.file;
  const auto& kwargs = conversation_.template_options().kwargs;
  std::string think;
  if (kwargs.contains("enable_thinking") && kwargs["enable_thinking"].is_boolean())
    think = kwargs["enable_thinking"].get<bool>() ? ", thinking on" : ", thinking off";
  std::fprintf(
      stderr,
      "rotary chat: %s (%s, %s%s, context %u tokens)\n"
      "Type a message and press Enter (end a line with \\ to continue it). /help lists the "
      "commands.\nCtrl-C stops an answer; Ctrl-C at the prompt, Ctrl-D or /quit leaves.\n",
      a_.model.c_str(), std::string(architecture_name(h.arch)).c_str(),
      origin.c_str(), think.c_str(), m_.model->context());
}

int Chat::loop() {
  LineReader reader;
  for (;;) {
    if (input_terminal_) {
      std::FILE* prompt = output_terminal_ && !a_.json ? stdout : stderr;
      std::fputs("> ", prompt);
      std::fflush(prompt);
    }
    const InputLine in = reader.next();
    if (in.kind != InputLine::Kind::Line) {
      if (input_terminal_) std::fputc('\n', stderr);
      return 0;
    }
    if (in.text.find_first_not_of(" \t\n") == std::string::npos) continue;
    if (in.text.starts_with("//"))
      turn(in.text.substr(1));
    else if (in.text.starts_with("/")) {
      if (!command(in.text)) return 0;
    } else
      turn(in.text);
  }
}

bool Chat::command(const std::string& line) {
  const std::string name = line.substr(0, line.find(' '));
  const std::string arg = name.size() < line.size() ? line.substr(name.size() + 1) : "";
  if (name == "/quit" || name == "/exit") return false;
  if (name == "/help") {
    note(
        "/reset        forget the conversation (the system message stays) and clear the cache\n"
        "/stats        statistics of the whole session and how much of the context is used\n"
        "/think on|off the template's enable_thinking switch, from the next answer on\n"
        "/quit         leave (also /exit, Ctrl-D, or Ctrl-C at the prompt)\n"
        "//text        send a message that starts with /");
  } else if (name == "/reset") {
    conversation_.reset();
    session_.reset();
    note("(conversation cleared)");
  } else if (name == "/stats") {
    note(session_.stats().line());
    note("context: " + std::to_string(session_.position()) + " of " +
         std::to_string(m_.model->context()) + " tokens used; answers: " + std::to_string(turns_));
  } else if (name == "/think" && (arg == "on" || arg == "off")) {
    conversation_.template_options().kwargs["enable_thinking"] = arg == "on";
    note(std::string("(thinking ") + (arg == "on" ? "on" : "off") + ")");
  } else {
    note("unknown command '" + line +
         "': /help lists the commands (// sends a line that starts with /)");
  }
  return true;
}

void Chat::turn(const std::string& text) {
  const uint32_t ctx = m_.model->context();
  const TurnPlan plan = conversation_.plan(text, session_.position(), session_.can_rewind());
  if (plan.keep + plan.feed.size() >= ctx) {
    note("the context is full: this message needs " + std::to_string(plan.feed.size()) +
         " tokens and " + std::to_string(ctx - std::min(ctx, plan.keep)) + " of " +
         std::to_string(ctx) +
         " are free. /reset starts a new conversation (or start again with a larger --ctx).");
    return;
  }
  conversation_.begin_turn(plan);
  if (plan.keep < session_.position()) {
    if (session_.can_rewind())
      session_.rewind(plan.keep);
    else
      session_.reset();
  }
  // The prompt takes positions up to `after`; every answer token but the last is evaluated too.
  const uint32_t after = plan.keep + static_cast<uint32_t>(plan.feed.size());
  const uint32_t room = ctx - after + 1;
  GenerateOptions go;
  go.max_tokens = a_.n ? std::min(a_.n, room) : room;
  go.stop_at_end_of_generation = !a_.ignore_eos;
  std::vector<int32_t> answer;
  if (!a_.json) printer_.start(plan.in_reasoning);
  go.on_token = [&](int32_t t) {
    answer.push_back(t);
    if (!a_.json) printer_.push(t);
    return !InterruptGuard::pending() && !stdout_failed();
  };
  const RunStats before = session_.stats();
  Stop stop = Stop::Length;
  try {
    const std::vector<int32_t> out = session_.generate(plan.feed, go);
    const bool ended =
        !out.empty() && !a_.ignore_eos && m_.tokenizer->is_end_of_generation(out.back());
    if (ended)
      stop = Stop::End;
    else if (InterruptGuard::pending())
      stop = Stop::Interrupted;
    else if (out.size() == go.max_tokens && go.max_tokens == room && room != a_.n)
      stop = Stop::Context;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::ContextFull) throw;
    stop = Stop::Context;  // not expected (the answer is sized to the context), but never a crash
  }
  if (!a_.json) printer_.finish();
  InterruptGuard::clear();
  conversation_.end_turn(answer);
  ++turns_;
  const RunStats stats = session_.stats().since(before);
  if (stop == Stop::Interrupted) note("(answer stopped by Ctrl-C; it stays in the conversation)");
  if (stop == Stop::Context)
    note("the context is full (" + std::to_string(ctx) +
         " tokens): the answer was cut here. /reset starts a new conversation (or start again with "
         "a larger --ctx).");
  note(stats.line());
  if (!records_.empty()) write_record(plan, answer, stop, stats);
  check_stdout();  // an answer that could not be written ends the conversation
}

void Chat::write_record(const TurnPlan& plan, const std::vector<int32_t>& answer, Stop stop,
                        const RunStats& stats) {
  const ChatMessage& reply = conversation_.messages().back();
  Json j = {{"turn", turns_},    {"user", valid_utf8(plan.messages.back().content)},
            {"kept", plan.keep}, {"rewound", plan.rewound},
            {"fed", plan.feed},  {"fed_text", valid_utf8(plan.feed_text)},
            {"tokens", answer},  {"answer", valid_utf8(reply.content)}};
  if (reply.reasoning_content) j["reasoning"] = valid_utf8(*reply.reasoning_content);
  j["stop"] = to_string(stop);
  j["position"] = session_.position();
  j["seed"] = a_.sampling.seed;
  j["stats"] = stats_json(stats);
  const std::string line = dump_json(j);
  for (std::FILE* f : records_) {
    std::fprintf(f, "%s\n", line.c_str());
    std::fflush(f);
  }
}

// The template and its variables, checked on a first message before anything is loaded: a
// template rotary cannot render fails at once.
ChatTemplate prepare_template(ChatArgs& a, nlohmann::ordered_json& kwargs) {
  const GgufFile file = GgufFile::open(a.model);
  kwargs = template_kwargs(a.chat_template);
  ChatTemplate t = chat_template_for(a.chat_template, read_tokenizer_data(file.metadata()));
  std::vector<ChatMessage> probe;
  if (a.system_given) probe.push_back({"system", a.system});
  probe.push_back({"user", "Hello"});
  t.render(probe, {.add_generation_prompt = true, .kwargs = kwargs});
  return t;
}

int chat_command(ChatArgs& a) {
  check_sampling_params(a.sampling);
  a.options.resolve();  // every value checked before the file is opened
  if (!*a.seed_given) a.sampling.seed = std::random_device{}();
  nlohmann::ordered_json kwargs;
  ChatTemplate chat_template = prepare_template(a, kwargs);
  LoadedModel m = load(a.model, a.options);
  InterruptGuard guard;
  Chat chat(a, m, std::move(chat_template), kwargs);
  return chat.loop();
}

}  // namespace

void add_chat_command(CLI::App& app, Exit& exit) {
  auto a = std::make_shared<ChatArgs>();
  apply_env_overrides(a->options);
  auto* cmd = app.add_subcommand("chat", "Talk with a model through its chat template");
  add_model_flags(cmd, a->options, a->model);
  cmd->add_option("--system,--system-prompt", a->system,
                  "System message at the start of the conversation (also -sys)")
      ->each([a](const std::string&) { a->system_given = true; });
  add_chat_template_flags(cmd, a->chat_template);
  cmd->add_flag("--conversation", a->conversation,
                "Accepted for llama.cpp's -cnv (chat is always a conversation)");
  cmd->add_option("-n,--n-predict", a->n,
                  "Most tokens per answer (0: until the turn ends or the context is full)")
      ->capture_default_str();
  add_sampling_flags(cmd, a->sampling, a->seed_given);
  cmd->add_flag("--ignore-eos", a->ignore_eos,
                "Keep generating past end-of-turn tokens (until -n or the context)");
  cmd->add_flag("--json", a->json,
                "Print one JSON object per answer (JSON Lines) instead of the streamed text");
  cmd->add_option("--transcript", a->transcript,
                  "Also write one JSON object per answer to FILE (JSON Lines)");
  cmd->callback([a, &exit] { exit.code = chat_command(*a); });
}

}  // namespace rotary::cli
