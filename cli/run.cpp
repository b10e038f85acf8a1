// `rotary run`: generate text from a prompt, streaming it as it comes, and end with one line of
// statistics. The flags are the command-line contract of DESIGN.md.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <random>
#include <sstream>

#include "base/json.h"
#include "base/npy.h"
#include "cli/chat_printer.h"
#include "cli/commands.h"
#include "cli/model_flags.h"
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

int run_command(RunArgs& a) {
  const bool given_text = a.prompt_flag->count() > 0, given_ids = a.tokens_flag->count() > 0;
  require(given_text != given_ids, ErrorKind::InvalidArgument, "give exactly one of -p TEXT and --tokens IDS");
  require(!given_text || !a.prompt.empty(), ErrorKind::InvalidArgument, "the prompt (-p) is empty: give some text");
  const std::vector<int32_t> ids = given_ids ? parse_tokens(a.tokens) : std::vector<int32_t>{};
  if (!*a.seed_given) a.sampling.seed = std::random_device{}();
  a.options.resolve();
  LoadedModel m = open_model(a.model);
  const std::vector<int32_t> prompt = given_text ? m.tokenizer->encode(a.prompt) : ids;
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
  go.on_token = [&](int32_t t) {
    text += decoder.push(t);
    if (!a.json) printer.push(t);
    return true;
  };
  const std::vector<int32_t> out = session.generate(prompt, go);
  const std::string tail = decoder.flush();
  text += tail;
  if (logits) logits->close();
  if (!a.record_routing.empty()) write_trace(a.record_routing, record);

  const RunStats& s = session.stats();
  if (a.json) {
    JsonWriter w;
    w.begin_object().key("prompt_tokens").begin_array();
    for (int32_t t : prompt) w.value(t);
    w.end_array().key("tokens").begin_array();
    for (int32_t t : out) w.value(t);
    w.end_array().field("text", text).field("seed", a.sampling.seed);
    w.key("device").begin_object().field("name", m.gpu->caps().name).field("driver", m.gpu->caps().driver_info);
    w.end_object().key("plan");
    m.model->plan().write_json(w);
    w.key("stats");
    write_stats_json(w, s);
    w.end_object();
    std::printf("%s\n", w.str().c_str());
  } else {
    printer.finish();
    std::fprintf(stderr, "%s\n", s.line().c_str());
  }
  if (a.options.model.check.enabled)
    std::fprintf(stderr, "check-ops: %llu ops matched their CPU references\n",
                 static_cast<unsigned long long>(s.model.ops_checked));
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, Exit& exit) {
  auto a = std::make_shared<RunArgs>();
  apply_env_overrides(a->options);
  auto* cmd = app.add_subcommand("run", "Generate text from a prompt");
  add_model_flags(cmd, a->options, a->model);
  a->prompt_flag = cmd->add_option("-p,--prompt", a->prompt, "Prompt text (used as is: no chat template)");
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
