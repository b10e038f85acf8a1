// `rotary bench`: llama-bench-style tests (pp N, tg N, at a depth, repeated) of a model file or a
// synth:PRESET, swept over VRAM budgets and cache policies, optionally side by side with llama.cpp
// on the same file, device and budget, with routing-trace replay, plots and projections for named
// devices. The harness is bench/model/; docs/benchmarks.md records what it measured.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "base/error.h"
#include "base/units.h"
#include "bench/model/harness.h"
#include "bench/model/model_source.h"
#include "bench/model/plots.h"
#include "bench/model/schedule_recording.h"
#include "cli/commands.h"
#include "cli/model_flags.h"
#include "loader/model_catalog.h"

namespace rotary::cli {

namespace {

using namespace rotary::bench;

struct BenchArgs {
  std::string model, command;
  std::vector<std::string> prompts{"512"}, gens{"128"}, depths{"0"}, budgets, policies{"lru"},
      llama, merge;
  uint32_t repetitions = 3, check_tokens = 16, llama_threads = 0, trace_tokens = 0;
  std::string output = "table", save, plots, oracle, synth_dir, routing_trace, write_trace, simulate;
  uint32_t simulate_steps = 64, simulate_warmup = 64;
  std::string target_budget;
  bool json = false, csv = false, synthetic_trace = false, progress = true;
  SyntheticTraceParams trace_params;
  double kernel_efficiency = 0;
  bool ctx_given = false, prompts_given = false;
  RuntimeOptions options;
};

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  require(f.good(), ErrorKind::Io, "cannot read " + path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  require(f.good(), ErrorKind::Io, "cannot write " + path);
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_cpu() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "";
}

// This process's command line, as the shell gave it (for the record beside every figure).
std::string command_line() {
  const std::string raw = read_text("/proc/self/cmdline");
  std::string out;
  for (char c : raw) out += c == '\0' ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string output_format(const BenchArgs& a) {
  if (a.json) return "json";
  if (a.csv) return "csv";
  require(a.output == "table" || a.output == "json" || a.output == "csv",
          ErrorKind::InvalidArgument, "-o takes table, json or csv, not '" + a.output + "'");
  return a.output;
}

void print_reports(const std::vector<BenchReport>& reports, const std::string& format) {
  if (format == "json") {
    for (const BenchReport& r : reports) std::printf("%s\n", to_json(r).c_str());
    return;
  }
  if (format == "csv") {
    // The simulations are a table of their own (every row labelled PROJECTION) after the results.
    bool results = false;
    for (const BenchReport& r : reports) results = results || !r.results.empty();
    if (results || std::all_of(reports.begin(), reports.end(), [](const BenchReport& r) { return r.simulations.empty(); }))
      std::printf("%s", to_csv(reports).c_str());
    for (const BenchReport& r : reports) std::printf("%s", simulation_csv(r).c_str());
    return;
  }
  std::printf("%s", to_table(reports).c_str());
  for (const BenchReport& r : reports) {
    if (const std::string ratios = ratio_table(r); !ratios.empty())
      std::printf("\n%s", ratios.c_str());
    if (const std::string p = simulation_table(r); !p.empty()) std::printf("\n%s", p.c_str());
  }
  if (!reports.empty())
    std::printf("\nrotary %s, %s; %s\n", reports.front().rotary_version.c_str(),
                reports.front().date.c_str(),
                reports.front().device.api_version.empty()
                    ? ""
                    : ("Vulkan " + reports.front().device.api_version).c_str());
}

void draw_plots(const std::vector<BenchReport>& reports, const std::string& dir) {
  const PlotOutput p = write_plots(reports, dir);
  for (const auto& image : p.images) std::fprintf(stderr, "bench: plot %s\n", image.c_str());
  if (!p.message.empty()) std::fprintf(stderr, "bench: %s\n", p.message.c_str());
}

int merge_command(const BenchArgs& a) {
  std::vector<BenchReport> reports;
  for (const std::string& path : a.merge) {
    const std::string text = read_text(path);
    const size_t start = text.find_first_not_of(" \t\r\n");
    if (start != std::string::npos && text[start] == '{') {
      std::stringstream lines(text);
      std::string line;  // one report per line (what --json prints), or one object in the file
      bool any = false;
      while (std::getline(lines, line))
        if (line.find_first_not_of(" \t\r") != std::string::npos &&
            line[line.find_first_not_of(" \t\r")] == '{') {
          reports.push_back(report_from_json(line, path));
          any = true;
        }
      if (!any) reports.push_back(report_from_json(text, path));
    } else {
      for (BenchReport& r : reports_from_csv(text, path)) reports.push_back(std::move(r));
    }
  }
  print_reports(reports, output_format(a));
  if (!a.plots.empty()) draw_plots(reports, a.plots);
  return 0;
}

// The trace a replay (or a projection) uses: a file, or a synthetic one in the model's shape.
std::unique_ptr<RoutingTrace> make_trace(const BenchArgs& a, const ModelHparams& h, uint32_t tokens,
                                         std::string& name) {
  if (!a.routing_trace.empty()) {
    name = a.routing_trace;
    return std::make_unique<RoutingTrace>(read_trace(a.routing_trace));
  }
  SyntheticTraceParams p = a.trace_params;
  p.layers = h.n_layer;
  p.experts = h.n_expert;
  p.k = h.n_expert_used;
  p.tokens = a.trace_tokens ? a.trace_tokens : std::max<uint32_t>(tokens, 512);
  char buf[160];
  std::snprintf(buf, sizeof buf, "a synthetic trace (p_previous %.3f, p_recent %.3f, seed %llu%s)",
                p.p_previous, p.p_recent, static_cast<unsigned long long>(p.seed),
                a.trace_params.p_previous == SyntheticTraceParams{}.p_previous &&
                        a.trace_params.p_recent == SyntheticTraceParams{}.p_recent
                    ? ": Qwen3-30B-A3B's published locality"
                    : "");
  name = buf;
  return std::make_unique<RoutingTrace>(synthetic_trace(p));
}

HarnessOptions harness_options(const BenchArgs& a, const RoutingTrace* replay) {
  HarnessOptions h;
  h.tests = make_tests(parse_counts(a.prompts, "-p"), parse_counts(a.gens, "-n"),
                       parse_counts(a.depths, "-d"));
  h.budgets = parse_budgets(a.budgets);
  h.policies = parse_policies(a.policies);
  h.repetitions = a.repetitions;
  h.check_tokens = a.check_tokens;
  h.replay = replay;
  h.llama_backends = parse_llama_backends(a.llama);
  h.progress = a.progress;
  return h;
}

// The context each configuration needs: the longest test (with its depth) and the check.
uint32_t needed_context(const HarnessOptions& h) {
  uint32_t need = h.check_prompt + h.check_tokens;
  for (const TestSpec& t : h.tests) need = std::max(need, t.depth + t.tokens);
  return std::max<uint32_t>(need, 64);
}

}  // namespace

namespace {

// --simulate (and --project, its older name): the recorded decode schedule replayed on device
// models; a full-size file is recorded without executing anything (bench/model/schedule_recording.h).
void add_simulations(const BenchArgs& a, const GgufFile& file, const RoutingTrace& trace,
                     const std::string& trace_name, BenchReport& report) {
  SimulationRequest q;
  q.devices = find_device_models(a.simulate);
  if (!a.target_budget.empty()) q.budget = parse_size(a.target_budget);
  require(a.kernel_efficiency >= 0 && a.kernel_efficiency <= 1, ErrorKind::InvalidArgument,
          "--kernel-efficiency must be in (0, 1]");
  q.kernel_efficiency = a.kernel_efficiency;
  q.copy_on_unified = a.options.residency == "copy";
  q.trace = &trace;
  q.steps = a.simulate_steps;
  q.warmup = a.simulate_warmup;
  report.simulations = simulate_devices(file, a.options, q, report.simulation_method);
  report.simulation_method += "; trace: " + trace_name;
}

BenchReport base_report(const BenchArgs& a, RotaryEngine& engine, const GgufFile& file,
                        const ModelSource& src, const HarnessOptions& h,
                        const std::string& trace_name) {
  BenchReport r;
  r.rotary_version = ROTARY_VERSION;
  r.date = utc_now();
  r.command = a.command;
  r.host_cpu = host_cpu();
  r.device = identify_device(engine.caps());
  r.model = identify_model(file, engine.hparams(), src.name);
  r.settings = {h.repetitions,
                a.options.model.ctx,
                ops::to_string(a.options.model.kv_type),
                a.options.model.moe.prefetch,
                h.check_tokens,
                a.llama_threads,
                h.replay ? trace_name : ""};
  return r;
}

int bench_command(BenchArgs& a) {
  if (!a.merge.empty()) return merge_command(a);
  require(!a.model.empty(), ErrorKind::InvalidArgument,
          "-m MODEL.gguf or -m synth:PRESET is required (or --merge)");
  const std::string format = output_format(a);
  const ModelSource src = resolve_model(
      a.model, a.synth_dir.empty() ? default_synth_dir() : std::filesystem::path(a.synth_dir));
  const GgufFile file = GgufFile::open(src.path);
  const ModelHparams hp = read_hparams(file.metadata());
  const bool replaying = a.synthetic_trace || !a.routing_trace.empty();
  if (replaying && !a.prompts_given) a.prompts = {"0"};  // a replay runs generation only
  a.options.model.kv_type =
      resolve_kv_types(a.options.cache_type_k, a.options.cache_type_v, a.options.exact);
  HarnessOptions h = harness_options(a, nullptr);
  if (replaying) h.check_prompt = 1;
  if (!a.ctx_given) a.options.model.ctx = needed_context(h);
  uint32_t longest = h.check_tokens;
  for (const TestSpec& t : h.tests) longest = std::max(longest, t.tokens);
  std::string trace_name;
  std::unique_ptr<RoutingTrace> trace;
  if (!a.simulate.empty()) longest = std::max(longest, a.simulate_warmup + a.simulate_steps);
  if (replaying || !a.simulate.empty() || !a.write_trace.empty())
    trace = make_trace(a, hp, longest, trace_name);
  if (!a.write_trace.empty()) {
    write_trace(a.write_trace, *trace);
    std::fprintf(stderr, "bench: wrote %s: %s\n", a.write_trace.c_str(), trace_name.c_str());
  }
  h.replay = replaying ? trace.get() : nullptr;
  if (h.tests.empty() && a.simulate.empty()) return 0;  // only --write-trace
  if (!h.tests.empty()) validate(h);

  RotaryEngine engine(file, a.options,
                      [](const vk::GpuOptions& o) { return vk::GpuContext::create(o); });
  BenchReport report = base_report(a, engine, file, src, h, trace_name);
  report.copy_gbps = engine.measure_copy_gbps();
  std::unique_ptr<LlamaEngine> llama;
  if (!h.llama_backends.empty()) {
    LlamaOptions lo;
    lo.oracle = LlamaEngine::find_oracle(a.oracle);
    lo.model_path = src.path.string();
    lo.threads = a.llama_threads;
    lo.device_index = engine.caps().index;
    const ops::KvTypes kv = a.options.model.kv_type;
    require(kv.k == kv.v, ErrorKind::InvalidArgument,
            "--llama runs llama.cpp with one KV cache type: give -ctk and -ctv alike");
    lo.kv_type = ops::to_string(kv.k);
    std::vector<uint64_t> per_layer = summarize_weights(hp, file).expert_bytes_per_layer;
    for (uint64_t& b : per_layer) b *= hp.n_expert;  // one expert's bytes -> the layer's
    llama = std::make_unique<LlamaEngine>(lo, per_layer);
  }
  if (!h.tests.empty()) run_benchmark(engine, llama.get(), h, report);
  if (!a.simulate.empty()) add_simulations(a, file, *trace, trace_name, report);

  print_reports({report}, format);
  if (!a.save.empty()) write_text(a.save, to_json(report) + "\n");
  if (!a.plots.empty()) draw_plots({report}, a.plots);
  const bool failed = std::any_of(report.results.begin(), report.results.end(),
                                  [](const BenchResult& r) { return r.check_failed(); });
  if (failed) std::fprintf(stderr, "bench: a correctness check FAILED (see the check column)\n");
  return failed ? 1 : 0;
}

}  // namespace

void add_bench_command(CLI::App& app, Exit& exit) {
  auto a = std::make_shared<BenchArgs>();
  apply_env_overrides(a->options);
  auto* cmd = app.add_subcommand(
      "bench", "Benchmark a model (llama-bench style), optionally beside llama.cpp");
  RuntimeOptions& o = a->options;
  cmd->add_option("-m,--model", a->model,
                  "GGUF file, or synth:PRESET[:QUANT] (written once to --synth-dir)");
  cmd->add_option("-p,--n-prompt", a->prompts,
                  "Prompt tests: tokens per prompt (pp N); list, 0 for none (default 0 with a replay)")
      ->delimiter(',')
      ->each([a](const std::string&) { a->prompts_given = true; })
      ->capture_default_str();
  cmd->add_option("-n,--n-gen", a->gens,
                  "Generation tests: tokens generated (tg N); list, 0 for none")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("-d,--n-depth", a->depths,
                  "Context depths the tests run at (tokens already cached); list")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("-r,--repetitions", a->repetitions, "Repetitions of each test (mean and stddev)")
      ->capture_default_str();
  cmd->add_option("--vram-budget", a->budgets,
                  "Budgets to sweep: SIZE (6.3G, 24M), N% of experts resident, device")
      ->delimiter(',');
  cmd->add_option("--policy", a->policies,
                  "Cache policies to sweep: lru, lfu, belady (replays only)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--llama", a->llama, "Run llama.cpp beside rotary: vulkan, cpu (list)")
      ->delimiter(',');
  cmd->add_option("--oracle", a->oracle,
                  "rotary-oracle to run llama.cpp with (default: the build tree's)");
  cmd->add_option("--llama-threads", a->llama_threads, "CPU threads for llama.cpp (default: all)");
  cmd->add_option("--check-tokens", a->check_tokens, "Greedy tokens compared before timing")
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "Print one JSON object (the format --merge reads)");
  cmd->add_flag("--csv", a->csv, "Print CSV, one row per result");
  cmd->add_option("-o,--output", a->output, "Output format: table, json, csv")
      ->capture_default_str();
  cmd->add_option("--save", a->save, "Also write the JSON result to this file");
  cmd->add_option("--plots", a->plots, "Draw plots (gnuplot) into this folder");
  cmd->add_option("--merge", a->merge,
                  "Merge result files (JSON or CSV) from several machines instead of running");
  cmd->add_option("--synth-dir", a->synth_dir, "Where synth:PRESET models are written and reused");
  cmd->add_option("--routing-trace", a->routing_trace,
                  "Replay this routing trace (rotary run --record-routing)");
  cmd->add_flag("--synthetic-trace", a->synthetic_trace,
                "Replay a synthetic trace (Qwen3-30B-A3B locality)");
  cmd->add_option("--trace-tokens", a->trace_tokens,
                  "Tokens of the synthetic trace (default: enough, >= 512)");
  cmd->add_option("--trace-p-previous", a->trace_params.p_previous,
                  "Synthetic trace: P(expert of the last token)")
      ->capture_default_str();
  cmd->add_option("--trace-p-recent", a->trace_params.p_recent,
                  "Synthetic trace: P(expert of tokens t-2..t-8)")
      ->capture_default_str();
  cmd->add_option("--trace-seed", a->trace_params.seed, "Synthetic trace: seed")
      ->capture_default_str();
  cmd->add_option("--write-trace", a->write_trace,
                  "Write the routing trace used (synthetic or given) to FILE");
  cmd->add_option("--simulate,--project", a->simulate,
                  "PROJECTION: replay the recorded decode schedule on device models: rtx4060-laptop, "
                  "radeon-780m, steam-deck, arc-140t, h100-pcie, h100-sxm, all (list)");
  cmd->add_option("--simulate-steps", a->simulate_steps, "Decode steps the simulation reports")
      ->capture_default_str();
  cmd->add_option("--simulate-warmup", a->simulate_warmup, "Decode steps recorded before them (cache warm-up)")
      ->capture_default_str();
  cmd->add_option("--target-budget", a->target_budget,
                  "VRAM the simulation gives each device (default: its own)");
  cmd->add_option("--kernel-efficiency", a->kernel_efficiency,
                  "Simulation: fraction of memory bandwidth kernels reach (default: each device's)");
  add_device_flag(cmd, o.device, "Vulkan device index (rotary devices lists them)");
  cmd->add_option("--ctx", o.model.ctx, "Context length (default: what the longest test needs)")
      ->each([a](const std::string&) { a->ctx_given = true; });
  cmd->add_flag("--exact", o.exact, "F32 KV cache (the path that matches llama.cpp's numbers)");
  add_cache_type_flags(cmd, o.cache_type_k, o.cache_type_v);
  cmd->add_option("--residency", o.residency,
                  "Expert residency: auto, copy, in-place (unified memory)")
      ->capture_default_str();
  cmd->add_flag("!--no-prefetch", o.model.moe.prefetch,
                "Do not predict and upload the next layer's experts early");
  cmd->add_option("--expert-slots", o.model.expert_slots,
                  "Expert slots (default: as many as the budget fits)");
  cmd->add_option("--prefill-chunk", o.model.prefill_chunk, "Prompt tokens processed at once")
      ->capture_default_str();
  cmd->add_flag("--validation", o.gpu.validation,
                "Enable the Vulkan validation layer (slow; for debugging)");
  add_kernel_path_flags(cmd, o.matvec_path, o.matmul_path);
  cmd->add_flag("!--no-progress", a->progress, "No progress lines on stderr");
  cmd->callback([a, &exit] {
    a->command = command_line();
    if (a->llama_threads == 0) a->llama_threads = std::max(1u, std::thread::hardware_concurrency());
    exit.code = bench_command(*a);
  });
}

}  // namespace rotary::cli
