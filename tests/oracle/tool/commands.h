#pragma once
// The subcommands of rotary-oracle. Each throws rotary::Error on failure; main() turns that into
// a message and a non-zero exit code.
#include <cstdint>
#include <string>
#include <vector>

namespace rotary::oracle {

struct QuantizeOptions {
  std::string input, output, type;  // type: a llama ftype name (Q4_K_M, Q8_0, F32, MXFP4_MOE, ...)
  bool allow_requantize = false;    // needed to convert an already quantised file (F32 dequantises)
  bool pure = false;                // every tensor of rank >= 2 in `type` (no mixture)
  int threads = 0;                  // 0: hardware concurrency
  // An all-ones importance matrix for every matrix (the IQ1/IQ2 types refuse to quantise without
  // one): what llama.cpp would compute from activations that are all equal.
  bool imatrix_ones = false;
  // "PATTERN=TYPE" (llama-quantize's --tensor-type): tensors whose name matches the regex PATTERN
  // get the ggml TYPE (q2_K, iq3_xxs, ...), overriding the ftype's choice.
  std::vector<std::string> tensor_types;
};
void run_quantize(const QuantizeOptions& o);

struct EvalOptions {
  std::string model;
  std::string tokens;  // "1,2,3"
  std::string prompt;  // or a text, tokenized with special tokens parsed and BOS as the model says
  int n_generate = 0;
  int ctx = 0;  // 0: prompt + n_generate
  int threads = 2;
  std::string out;  // .npy of float32 [positions, vocab]
  bool json = false;
  std::string dump_dir;
  std::string dump_filter;  // comma-separated name substrings; empty: every named tensor
  std::string kv_type = "f32";
  std::string backend = "cpu";
  bool verbose = false;
};
void run_eval(const EvalOptions& o);

struct TokenizeOptions {
  std::string model, text;
  bool parse_special = true;
  bool add_bos = false;
  bool json = false;
  bool verbose = false;
};
void run_tokenize(const TokenizeOptions& o);

struct DetokenizeOptions {
  std::string model, ids;
  bool render_special = true;
  bool verbose = false;
};
void run_detokenize(const DetokenizeOptions& o);

struct BenchOptions {
  std::string model;
  int prompt = 512;
  int generate = 128;
  int depth = 0;             // tokens in the KV cache before each repetition's prompt (untimed)
  bool memory_only = false;  // load and create the context, report the device memory, no timing
  int repetitions = 1;
  int threads = 2;
  int n_cpu_moe = 0;
  int ubatch = 512;
  std::string flash_attn = "auto";  // on, off, auto (llama.cpp's default)
  std::string kv_type = "f16";      // llama.cpp's default
  std::string backend = "cpu";
  bool json = false;
  bool verbose = false;
};
void run_bench(const BenchOptions& o);

// "1,2,3" (spaces allowed) -> ids; throws on anything else.
std::vector<int32_t> parse_ids(const std::string& list, const char* what);

}  // namespace rotary::oracle
