// `rotary run`: generate text from a prompt, streaming it as it comes, and end with one line of
// statistics. The flags are the command-line contract of DESIGN.md.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <random>
#include <sstream>

#include "base/json.h"
#include "base/npy.h"
#include "cli/chat_input.h"
#include "cli/chat_flags.h"
#include "cli/chat_printer.h"
#include "cli/commands.h"
#include "cli/model_flags.h"
#include "cli/output.h"
#include "loader/hparams.h"
#include "loader/tokenizer/stream_decoder.h"
#include "runtime/residency/routing_trace.h"
#include "runtime/session.h"

namespace rotary::cli {

namespace {

struct RunArgs {
  std::string model, prompt, tokens, logits_out, record_routing, routing_trace;
  uint32_t n = 128;
  SamplingParams sampling;
  std::shared_ptr<bool> seed_given = std::make_shared<bool>(false);
  bool json = false, ignore_eos = false;
  CLI::Option* prompt_flag = nullptr;
  CLI::Option* tokens_flag = nullptr;
  SingleTurnFlags chat;  // -p through the chat template
  RuntimeOptions options;
};

std::vector<int32_t> parse_tokens(const std::string& s) {
  std::vector<int32_t> ids;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      const long v = std::stol(item, &used);
      require(used == item.size() && v >= 0 && v <= INT32_MAX, ErrorKind::InvalidArgument, "");
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::exception&) {
      throw Error(ErrorKind::InvalidArgument,
                  "--tokens: '" + item + "' is not a token id; give comma-separated ids, e.g. --tokens 1,2,3");
    }
  }
  require(!ids.empty(), ErrorKind::InvalidArgument, "--tokens is empty: give at least one token id, e.g. --tokens 1,2,3");
  return ids;
}

// "'h' (0x68)", "U+20AC (0xE2 0x82 0xAC)": a character the vocabulary cannot spell, safe to print.
std::string describe_character(const std::string& ch) {
  std::string bytes;
  for (const unsigned char b : ch) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "%s0x%02X", bytes.empty() ? "" : " ", b);
    bytes += hex;
  }
  if (ch.size() == 1 && ch[0] > 0x20 && ch[0] < 0x7F) return "'" + ch + "' (" + bytes + ")";
  return "(" + bytes + ")";
}

// The prompt's ids: --tokens as given, or -p's text through the tokenizer, refused when the
// vocabulary cannot spell some of it (the tokenizer would drop those characters silently).
// `text`: -p, or what the chat template made of it.
std::vector<int32_t> prompt_ids(const RunArgs& a, const Tokenizer& tokenizer, const std::string& text) {
  if (a.tokens_flag->count() > 0) return parse_tokens(a.tokens);
  const std::vector<std::string> lost = tokenizer.unencodable_characters(text);
  if (!lost.empty()) {
    std::string list;
    for (size_t i = 0; i < lost.size() && i < 8; ++i) list += (i ? ", " : "") + describe_character(lost[i]);
    if (lost.size() > 8) list += ", ...";
    throw Error(ErrorKind::InvalidArgument,
                "the prompt (-p) cannot be encoded: this model's vocabulary has no byte tokens, and no token for " +
                    std::to_string(lost.size()) + " of the prompt's characters: " + list +
                    ". Give the prompt as --tokens IDS, or use text the vocabulary has");
  }
  return tokenizer.encode(text);
}

void print_json(const RunArgs& a, const LoadedModel& m, const Session& session, std::span<const int32_t> prompt,
                std::span<const int32_t> out, const std::string& text) {
  const Json j = {{"prompt_tokens", std::vector<int32_t>(prompt.begin(), prompt.end())},
                  {"tokens", std::vector<int32_t>(out.begin(), out.end())},
                  {"text", text},
                  {"seed", a.sampling.seed},
                  {"stop_reason", to_string(session.stop_reason())},
                  {"interrupted", session.stop_reason() == StopReason::Stopped},
                  {"device", {{"name", m.gpu->caps().name}, {"driver", m.gpu->caps().driver_info}}},
                  {"plan", m.model->plan().to_json()},
                  {"stats", stats_json(session.stats())}};
  std::printf("%s\n", dump_json(j).c_str());
}

int run_command(RunArgs& a) {
  const bool given_text = a.prompt_flag->count() > 0, given_ids = a.tokens_flag->count() > 0;
  require(given_text != given_ids, ErrorKind::InvalidArgument, "give exactly one of -p TEXT and --tokens IDS");
  require(!given_text || !a.prompt.empty(), ErrorKind::InvalidArgument, "the prompt (-p) is empty: give some text");
  require(!given_ids || !a.chat.given(), ErrorKind::InvalidArgument,
          "--tokens is the prompt as it is: the chat template flags need -p TEXT");
  if (given_ids) parse_tokens(a.tokens);  // checked before anything is loaded
  check_sampling_params(a.sampling);
  if (!*a.seed_given) a.sampling.seed = std::random_device{}();
  a.options.resolve();
  LoadedModel m = open_model(a.model);
  const std::string prompt_text =
      a.chat.given() ? single_turn_prompt(a.chat, read_tokenizer_data(m.file.metadata()), a.prompt)
                     : a.prompt;
  const std::vector<int32_t> prompt = prompt_ids(a, *m.tokenizer, prompt_text);
  RoutingTrace replay, record;
  if (!a.routing_trace.empty()) {
    replay = read_trace(a.routing_trace);
    a.options.model.moe.replay = &replay;
    // Belady follows the uses in the order this run will make them (prefill groups by expert).
    a.options.model.cache.future = replay.forward_accesses(prompt.size(), a.options.model.prefill_chunk);
  }
  if (!a.record_routing.empty()) a.options.model.moe.record = &record;
  start_model(m, a.options);
  const ModelHparams& h = m.model->hparams();
  record = RoutingTrace{h.n_layer, h.n_expert, h.n_expert_used, {}};

  std::unique_ptr<NpyWriter> logits;
  if (!a.logits_out.empty()) logits = std::make_unique<NpyWriter>(a.logits_out, NpyWriter::kUnknownRows, h.n_vocab);

  Session session(*m.gpu, *m.model, m.tokenizer.get(), a.sampling);
  StreamDecoder decoder(*m.tokenizer);
  GenerateOptions go;
  go.max_tokens = a.n;
  go.stop_at_end_of_generation = !a.ignore_eos;
  go.logits_out = logits.get();
  std::string text;
  AnswerPrinter printer(*m.tokenizer, stdout, isatty(STDOUT_FILENO));
  // Ctrl-C stops generation after the current token: what was generated is printed as usual.
  InterruptGuard interrupt;
  go.on_token = [&](int32_t t) {
    text += decoder.push(t);
    if (!a.json) printer.push(t);
    return !InterruptGuard::pending() && !stdout_failed();
  };
  const std::vector<int32_t> out = session.generate(prompt, go);
  text += decoder.flush();
  if (logits) logits->close();
  if (!a.record_routing.empty()) write_trace(a.record_routing, record);

  if (a.json) print_json(a, m, session, prompt, out, text);
  else printer.finish();
  check_stdout();
  std::fprintf(stderr, "%s\n", session.stats().line().c_str());
  if (a.options.model.check.enabled)
    std::fprintf(stderr, "check-ops: %llu ops matched their CPU references\n",
                 static_cast<unsigned long long>(session.stats().model.ops_checked));
  if (session.stop_reason() == StopReason::ContextFull)
    std::fprintf(stderr, "rotary run: the context of %u tokens is full: generation stopped after %zu tokens "
                 "(start again with a larger --ctx)\n", m.model->context(), out.size());
  if (session.stop_reason() == StopReason::Stopped) {
    std::fprintf(stderr, "rotary run: interrupted (Ctrl-C) after %zu tokens\n", out.size());
    return 130;  // as a shell reports a program that SIGINT ended
  }
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, Exit& exit) {
  auto a = std::make_shared<RunArgs>();
  apply_env_overrides(a->options);
  auto* cmd = app.add_subcommand("run", "Generate text from a prompt");
  add_model_flags(cmd, a->options, a->model);
  a->prompt_flag = cmd->add_option("-p,--prompt", a->prompt,
                                   "Prompt text (used as is unless a chat template flag is given)");
  add_single_turn_flags(cmd, a->chat);
  a->tokens_flag = cmd->add_option("--tokens", a->tokens, "Prompt as token ids: 1,2,3");
  cmd->add_option("-n,--n-predict", a->n, "Tokens to generate")->capture_default_str();
  add_sampling_flags(cmd, a->sampling, a->seed_given);
  cmd->add_flag("--ignore-eos", a->ignore_eos, "Keep generating past end-of-generation tokens");
  cmd->add_flag("--json", a->json, "Print one JSON object: prompt ids, generated ids, text, statistics");
  cmd->add_option("--logits-out", a->logits_out, "Write float32 logits of every position as .npy [positions, vocab]");
  cmd->add_option("--record-routing", a->record_routing, "Write the experts every token chose to a routing trace");
  cmd->add_option("--routing-trace", a->routing_trace, "Replay a routing trace instead of the router's choices");
  cmd->callback([a, &exit] { exit.code = run_command(*a); });
}

}  // namespace rotary::cli
