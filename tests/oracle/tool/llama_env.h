#pragma once
// llama.cpp as rotary-oracle uses it: one-time initialisation (logging, backends), and owning
// wrappers for models and contexts. The struct layouts come from the llama.h of the exact release
// the shared libraries were built from (extracted by scripts/setup-oracle.sh).
#include <llama.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rotary::oracle {

enum class Backend { Cpu, Vulkan };

// The backend this executable is linked against: rotary-oracle uses the CPU package,
// rotary-oracle-vulkan the Vulkan package (the two builds export the same symbols, so one process
// can hold only one of them).
Backend linked_backend();
const char* backend_name(Backend backend);
Backend parse_backend(const std::string& name);

// Logging (warnings and errors to stderr; everything when verbose), then the backends, loaded from
// the directory of the libllama this process runs with (that build loads its CPU backend
// dynamically). Throws when the linked backend has no device: llama.cpp would otherwise fall back
// to the CPU without a word.
void init_llama(bool verbose);
// Every message of llama.cpp's log goes to `observer` as well (shown or not); bench reads the
// device buffer sizes llama.cpp reports from it.
void observe_log(std::function<void(const char* text)> observer);

struct ModelFree {
  void operator()(llama_model* m) const { llama_model_free(m); }
};
struct ContextFree {
  void operator()(llama_context* c) const { llama_free(c); }
};
using ModelPtr = std::unique_ptr<llama_model, ModelFree>;
using ContextPtr = std::unique_ptr<llama_context, ContextFree>;

struct ModelOptions {
  bool vocab_only = false;
  // Keep the routed-expert tensors of the first n layers in host memory (llama.cpp's --n-cpu-moe);
  // only meaningful on the Vulkan backend.
  int n_cpu_moe = 0;
};

// Throws Error(Io) unless `path` is a readable regular file (checked before llama.cpp starts, so
// that a typo gives a message instead of llama.cpp's log).
void require_model_file(const std::string& path);

ModelPtr load_model(const std::string& path, const ModelOptions& options);
ContextPtr make_context(llama_model* model, const llama_context_params& params);

const llama_vocab* vocab_of(const llama_model* model);
int32_t n_vocab(const llama_model* model);

// Throws unless every id is a token of the model's vocabulary.
void check_tokens(const llama_model* model, const std::vector<llama_token>& tokens);

// llama_tokenize with a buffer that grows as needed.
std::vector<llama_token> tokenize_text(const llama_model* model, const std::string& text, bool add_special,
                                       bool parse_special);

}  // namespace rotary::oracle
