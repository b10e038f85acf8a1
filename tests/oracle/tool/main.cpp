// rotary-oracle: llama.cpp (the prebuilt libraries of node-llama-cpp) driven directly, as the
// reference that rotary's tests and benchmarks compare against. See docs/oracle.md.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "tests/oracle/tool/commands.h"
#include "tests/oracle/tool/llama_env.h"

namespace {

using namespace rotary::oracle;

// The CPU and Vulkan packages export the same symbols, so each build is its own executable;
// `--backend` on the other one re-executes its sibling with the same arguments.
[[noreturn]] void exec_sibling(Backend backend, char** argv) {
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  const std::filesystem::path sibling =
      self.parent_path() / (backend == Backend::Vulkan ? "rotary-oracle-vulkan" : "rotary-oracle");
  execv(sibling.c_str(), argv);
  throw rotary::Error(rotary::ErrorKind::Io, "cannot run " + sibling.string() + " for --backend " +
                                                 backend_name(backend) + " (is it built?)");
}

void add_common(CLI::App* sub, bool& verbose) {
  sub->add_flag("--verbose", verbose, "show llama.cpp's log, not only its warnings and errors");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rotary-oracle: llama.cpp as rotary's reference (quantize, eval, tokenize, bench)"};
  app.require_subcommand(1);

  QuantizeOptions q;
  auto* quantize = app.add_subcommand("quantize", "convert a GGUF to another llama ftype (llama_model_quantize)");
  quantize->add_option("input", q.input, "input GGUF")->required();
  quantize->add_option("output", q.output, "output GGUF")->required();
  quantize->add_option("type", q.type, "Q8_0, Q4_0, Q4_K_M, Q5_K_M, Q6_K, IQ4_XS, MXFP4_MOE, F16, BF16, F32, ...")
      ->required();
  quantize->add_flag("--allow-requantize", q.allow_requantize,
                     "accept quantised input (with F32: dequantise into the exact reference)");
  quantize->add_flag("--pure", q.pure, "every matrix in TYPE, no per-tensor mixture");
  quantize->add_option("--threads", q.threads, "threads (0: all)");

  EvalOptions e;
  std::string eval_backend = "cpu";
  auto* eval = app.add_subcommand("eval", "logits of every position for a prompt and N greedy steps");
  eval->add_option("model", e.model, "GGUF file")->required();
  auto* tokens_opt = eval->add_option("--tokens", e.tokens, "prompt token ids: 1,2,3");
  eval->add_option("-p,--prompt", e.prompt, "prompt text (tokenized by llama.cpp)")->excludes(tokens_opt);
  eval->add_option("-n", e.n_generate, "greedy steps after the prompt")->check(CLI::NonNegativeNumber);
  eval->add_option("--ctx", e.ctx, "context size (default: prompt + n)")->check(CLI::NonNegativeNumber);
  eval->add_option("--threads", e.threads, "CPU threads")->check(CLI::PositiveNumber);
  eval->add_option("--out", e.out, "write float32 logits [positions, vocab] to this .npy");
  eval->add_flag("--json", e.json, "print one JSON object instead of the generated ids");
  eval->add_option("--dump-tensors", e.dump_dir, "write the named intermediate tensors of the prompt here");
  eval->add_option("--dump-filter", e.dump_filter, "dump only names containing one of these: attn_norm,ffn_moe_out");
  eval->add_option("--kv-type", e.kv_type, "KV cache type: f32 (exact, default), f16, bf16, q8_0");
  eval->add_option("--backend", eval_backend, "cpu (the oracle) or vulkan (for benchmarks; fp16-level accuracy)");
  add_common(eval, e.verbose);

  TokenizeOptions t;
  auto* tokenize = app.add_subcommand("tokenize", "token ids of a text (llama_tokenize)");
  tokenize->add_option("model", t.model, "GGUF file")->required();
  tokenize->add_option("text", t.text, "text")->required();
  tokenize->add_flag("--special,!--no-special", t.parse_special, "parse special tokens in the text (default on)");
  tokenize->add_flag("--add-bos", t.add_bos, "add BOS/EOS as the model's metadata says");
  tokenize->add_flag("--json", t.json, "print a JSON array");
  add_common(tokenize, t.verbose);

  DetokenizeOptions d;
  auto* detokenize = app.add_subcommand("detokenize", "text of token ids (llama_token_to_piece)");
  detokenize->add_option("model", d.model, "GGUF file")->required();
  detokenize->add_option("ids", d.ids, "token ids: 1,2,3")->required();
  detokenize->add_flag("--special,!--no-special", d.render_special, "render special tokens (default on)");
  add_common(detokenize, d.verbose);

  BenchOptions b;
  std::string bench_backend = "cpu";
  auto* bench = app.add_subcommand("bench", "prompt and generation speed, llama-bench style");
  bench->add_option("model", b.model, "GGUF file")->required();
  bench->add_option("-p", b.prompt, "prompt tokens (one batch)")->check(CLI::NonNegativeNumber);
  bench->add_option("-n", b.generate, "generated tokens (one at a time)")->check(CLI::NonNegativeNumber);
  bench->add_option("-r,--repetitions", b.repetitions, "repetitions (mean and stddev)")->check(CLI::PositiveNumber);
  bench->add_option("--threads", b.threads, "CPU threads")->check(CLI::PositiveNumber);
  bench->add_option("--n-cpu-moe", b.n_cpu_moe, "keep the experts of the first N layers on the CPU");
  bench->add_option("--ubatch", b.ubatch, "physical batch size")->check(CLI::PositiveNumber);
  bench->add_option("--flash-attn", b.flash_attn, "on, off or auto");
  bench->add_option("--kv-type", b.kv_type, "KV cache type (default f16, as llama.cpp)");
  bench->add_option("--backend", bench_backend, "cpu or vulkan");
  bench->add_flag("--json", b.json, "print one JSON object");
  add_common(bench, b.verbose);

  try {
    app.parse(argc, argv);
    if (*quantize) run_quantize(q);
    if (*eval) {
      if (parse_backend(eval_backend) != linked_backend()) exec_sibling(parse_backend(eval_backend), argv);
      rotary::require(!e.tokens.empty() || !e.prompt.empty(), rotary::ErrorKind::InvalidArgument,
                      "eval needs --tokens 1,2,3 or --prompt TEXT");
      run_eval(e);
    }
    if (*tokenize) run_tokenize(t);
    if (*detokenize) run_detokenize(d);
    if (*bench) {
      if (parse_backend(bench_backend) != linked_backend()) exec_sibling(parse_backend(bench_backend), argv);
      run_bench(b);
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
