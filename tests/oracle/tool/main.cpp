// rotary-oracle: llama.cpp (the prebuilt libraries of node-llama-cpp) driven directly, as the
// reference that rotary's tests and benchmarks compare against. See docs/oracle.md.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "base/error.h"
#include "tests/oracle/tool/commands.h"
#include "tests/oracle/tool/llama_env.h"

namespace {

using namespace rotary::oracle;

struct Options {
  QuantizeOptions quantize;
  EvalOptions eval;
  TokenizeOptions tokenize;
  DetokenizeOptions detokenize;
  BenchOptions bench;
};

// The CPU and Vulkan packages export the same symbols, so each build is its own executable;
// `--backend` naming the other one re-executes its sibling with the same arguments.
void run_on(const std::string& backend_name_arg, char** argv) {
  const Backend backend = parse_backend(backend_name_arg);
  if (backend == linked_backend()) return;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  const std::filesystem::path sibling =
      self.parent_path() / (backend == Backend::Vulkan ? "rotary-oracle-vulkan" : "rotary-oracle");
  execv(sibling.c_str(), argv);
  throw rotary::Error(rotary::ErrorKind::Io, "cannot run " + sibling.string() + " for --backend " +
                                                 backend_name(backend) + " (is it built?)");
}

CLI::App* add_quantize(CLI::App& app, QuantizeOptions& q) {
  auto* sub = app.add_subcommand("quantize", "convert a GGUF to another llama ftype (llama_model_quantize)");
  sub->add_option("input", q.input, "input GGUF")->required();
  sub->add_option("output", q.output, "output GGUF")->required();
  sub->add_option("type", q.type, "Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K, IQ4_XS, MXFP4_MOE, F16, BF16, F32, ...")
      ->required();
  sub->add_flag("--allow-requantize", q.allow_requantize,
                "accept quantised input (with F32: dequantise into the exact reference)");
  sub->add_flag("--pure", q.pure, "every matrix in TYPE, no per-tensor mixture");
  sub->add_flag("--imatrix-ones", q.imatrix_ones, "an all-ones importance matrix (IQ1/IQ2 types need one)");
  sub->add_option("--tensor-type", q.tensor_types, "PATTERN=TYPE: tensors matching the regex get ggml TYPE (repeatable)");
  sub->add_option("--threads", q.threads, "threads (0: all)");
  return sub;
}

CLI::App* add_eval(CLI::App& app, EvalOptions& e) {
  auto* sub = app.add_subcommand("eval", "logits of every position for a prompt and N greedy steps");
  sub->add_option("model", e.model, "GGUF file")->required();
  auto* tokens = sub->add_option("--tokens", e.tokens, "prompt token ids: 1,2,3");
  sub->add_option("-p,--prompt", e.prompt, "prompt text (tokenized by llama.cpp)")->excludes(tokens);
  sub->add_option("-n", e.n_generate, "greedy steps after the prompt")->check(CLI::NonNegativeNumber);
  sub->add_option("--ctx", e.ctx, "context size (default: prompt + n)")->check(CLI::NonNegativeNumber);
  sub->add_option("--threads", e.threads, "CPU threads")->check(CLI::PositiveNumber);
  sub->add_option("--out", e.out, "write float32 logits [positions, vocab] to this .npy");
  sub->add_flag("--json", e.json, "print one JSON object instead of the generated ids");
  sub->add_option("--dump-tensors", e.dump_dir, "write the named intermediate tensors of the prompt here");
  sub->add_option("--dump-filter", e.dump_filter, "dump only names containing one of these: attn_norm,ffn_moe_out");
  sub->add_option("--kv-type", e.kv_type, "KV cache type: f32 (exact, default), f16, bf16, q8_0, q4_0 (quantised: flash attention on)");
  sub->add_option("--backend", e.backend, "cpu (the oracle) or vulkan (for benchmarks; fp16-level accuracy)");
  sub->add_flag("--verbose", e.verbose, "show llama.cpp's log, not only its warnings and errors");
  return sub;
}

CLI::App* add_tokenize(CLI::App& app, TokenizeOptions& t) {
  auto* sub = app.add_subcommand("tokenize", "token ids of a text (llama_tokenize)");
  sub->add_option("model", t.model, "GGUF file")->required();
  sub->add_option("text", t.text, "text")->required();
  sub->add_flag("--special,!--no-special", t.parse_special, "parse special tokens in the text (default on)");
  sub->add_flag("--add-bos", t.add_bos, "add BOS/EOS as the model's metadata says");
  sub->add_flag("--json", t.json, "print a JSON array");
  sub->add_flag("--verbose", t.verbose, "show llama.cpp's log");
  return sub;
}

CLI::App* add_detokenize(CLI::App& app, DetokenizeOptions& d) {
  auto* sub = app.add_subcommand("detokenize", "text of token ids (llama_token_to_piece)");
  sub->add_option("model", d.model, "GGUF file")->required();
  sub->add_option("ids", d.ids, "token ids: 1,2,3")->required();
  sub->add_flag("--special,!--no-special", d.render_special, "render special tokens (default on)");
  sub->add_flag("--verbose", d.verbose, "show llama.cpp's log");
  return sub;
}

CLI::App* add_bench(CLI::App& app, BenchOptions& b) {
  auto* sub = app.add_subcommand("bench", "prompt and generation speed, llama-bench style");
  sub->add_option("model", b.model, "GGUF file")->required();
  sub->add_option("-p", b.prompt, "prompt tokens (one batch)")->check(CLI::NonNegativeNumber);
  sub->add_option("-n", b.generate, "generated tokens (one at a time)")->check(CLI::NonNegativeNumber);
  sub->add_option("-d,--depth", b.depth, "tokens already in the context before the prompt (untimed)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--memory-only", b.memory_only, "load and create the context, report device memory, no timing");
  sub->add_option("-r,--repetitions", b.repetitions, "repetitions (mean and stddev)")->check(CLI::PositiveNumber);
  sub->add_option("--threads", b.threads, "CPU threads")->check(CLI::PositiveNumber);
  sub->add_option("--n-cpu-moe", b.n_cpu_moe, "keep the experts of the first N layers on the CPU");
  sub->add_option("--ubatch", b.ubatch, "physical batch size")->check(CLI::PositiveNumber);
  sub->add_option("--flash-attn", b.flash_attn, "on, off or auto");
  sub->add_option("--kv-type", b.kv_type, "KV cache type (default f16, as llama.cpp)");
  sub->add_option("--backend", b.backend, "cpu or vulkan");
  sub->add_flag("--json", b.json, "print one JSON object");
  sub->add_flag("--verbose", b.verbose, "show llama.cpp's log");
  return sub;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rotary-oracle: llama.cpp as rotary's reference (quantize, eval, tokenize, bench)"};
  app.require_subcommand(1);
  Options o;
  CLI::App* quantize = add_quantize(app, o.quantize);
  CLI::App* eval = add_eval(app, o.eval);
  CLI::App* tokenize = add_tokenize(app, o.tokenize);
  CLI::App* detokenize = add_detokenize(app, o.detokenize);
  CLI::App* bench = add_bench(app, o.bench);
  try {
    app.parse(argc, argv);
    if (*quantize) run_quantize(o.quantize);
    if (*eval) {
      run_on(o.eval.backend, argv);
      rotary::require(!o.eval.tokens.empty() || !o.eval.prompt.empty(), rotary::ErrorKind::InvalidArgument,
                      "eval needs --tokens 1,2,3 or --prompt TEXT");
      run_eval(o.eval);
    }
    if (*tokenize) run_tokenize(o.tokenize);
    if (*detokenize) run_detokenize(o.detokenize);
    if (*bench) {
      run_on(o.bench.backend, argv);
      run_bench(o.bench);
    }
  } catch (const CLI::ParseError& err) {
    return app.exit(err);
  } catch (const rotary::Error& err) {
    std::fprintf(stderr, "rotary-oracle: %s: %s\n", rotary::to_string(err.kind()), err.what());
    return rotary::exit_code(err.kind());
  } catch (const std::exception& err) {
    std::fprintf(stderr, "rotary-oracle: error: %s\n", err.what());
    return 1;
  }
  return 0;
}
