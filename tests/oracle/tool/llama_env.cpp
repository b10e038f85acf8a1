#include "tests/oracle/tool/llama_env.h"

#include <dlfcn.h>
#include <ggml-backend.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/error.h"

namespace rotary::oracle {

namespace {

struct LogState {
  bool verbose = false;
  bool last_shown = false;  // whether the previous message was printed (for CONT lines)
  std::function<void(const char*)> observer;
};
LogState g_log;

void log_to_stderr(ggml_log_level level, const char* text, void* user) {
  auto* state = static_cast<LogState*>(user);
  bool show = state->verbose || level == GGML_LOG_LEVEL_WARN || level == GGML_LOG_LEVEL_ERROR;
  if (level == GGML_LOG_LEVEL_CONT) show = state->last_shown;
  state->last_shown = show;
  if (show) std::fputs(text, stderr);
  if (state->observer) state->observer(text);
}

std::string library_directory() {
  Dl_info info{};
  require(dladdr(reinterpret_cast<void*>(&llama_backend_init), &info) != 0 && info.dli_fname != nullptr,
          ErrorKind::Internal, "cannot find where libllama was loaded from (dladdr failed)");
  return std::filesystem::path(info.dli_fname).parent_path().string();
}

bool has_device(enum ggml_backend_dev_type type) {
  for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
    if (ggml_backend_dev_type(ggml_backend_dev_get(i)) == type) return true;
  }
  return false;
}

}  // namespace

Backend linked_backend() {
#ifdef ROTARY_ORACLE_VULKAN
  return Backend::Vulkan;
#else
  return Backend::Cpu;
#endif
}

const char* backend_name(Backend backend) { return backend == Backend::Cpu ? "cpu" : "vulkan"; }

Backend parse_backend(const std::string& name) {
  if (name == "cpu") return Backend::Cpu;
  if (name == "vulkan") return Backend::Vulkan;
  throw Error(ErrorKind::InvalidArgument, "--backend must be cpu or vulkan, not '" + name + "'");
}

void init_llama(bool verbose) {
  g_log.verbose = verbose;
  llama_log_set(log_to_stderr, &g_log);
  if (linked_backend() == Backend::Vulkan) {
    // ggml-vulkan skips CPU-type devices (lavapipe) unless they are named explicitly; without
    // this it would silently run everything on the CPU backend.
    setenv("GGML_VK_VISIBLE_DEVICES", "0", 0);
  }
  llama_backend_init();
  const std::string dir = library_directory();
  ggml_backend_load_all_from_path(dir.c_str());
  require(has_device(GGML_BACKEND_DEVICE_TYPE_CPU), ErrorKind::NoDevice,
          "llama.cpp loaded no CPU backend from " + dir + " (is the oracle installed completely? run "
          "scripts/setup-oracle.sh)");
  if (linked_backend() == Backend::Vulkan) {
    require(has_device(GGML_BACKEND_DEVICE_TYPE_GPU) || has_device(GGML_BACKEND_DEVICE_TYPE_IGPU),
            ErrorKind::NoDevice,
            "llama.cpp's Vulkan backend found no device (GGML_VK_VISIBLE_DEVICES=" +
                std::string(std::getenv("GGML_VK_VISIBLE_DEVICES")) + "); see `rotary devices`");
  }
}

void observe_log(std::function<void(const char*)> observer) { g_log.observer = std::move(observer); }

void require_model_file(const std::string& path) {
  require(std::filesystem::is_regular_file(path), ErrorKind::Io, "no such model file: " + path);
}

ModelPtr load_model(const std::string& path, const ModelOptions& options) {
  require_model_file(path);
  llama_model_params params = llama_model_default_params();
  params.vocab_only = options.vocab_only;
  params.n_gpu_layers = linked_backend() == Backend::Vulkan ? -1 : 0;
  // --n-cpu-moe: the same tensor-name patterns llama.cpp's own tools build for that flag.
  std::vector<std::string> patterns;
  std::vector<llama_model_tensor_buft_override> overrides;
  if (options.n_cpu_moe > 0) {
    ggml_backend_dev_t cpu = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
    for (int i = 0; i < options.n_cpu_moe; ++i) {
      patterns.push_back("blk\\." + std::to_string(i) + "\\.ffn_(up|down|gate|gate_up)_(ch|)exps");
    }
    for (const std::string& p : patterns) overrides.push_back({p.c_str(), ggml_backend_dev_buffer_type(cpu)});
    overrides.push_back({nullptr, nullptr});
    params.tensor_buft_overrides = overrides.data();
  }
  ModelPtr model(llama_model_load_from_file(path.c_str(), params));
  require(model != nullptr, ErrorKind::InvalidModel,
          "llama.cpp could not load " + path + " (its messages are above; --verbose shows more)");
  return model;
}

ContextPtr make_context(llama_model* model, const llama_context_params& params) {
  ContextPtr ctx(llama_init_from_model(model, params));
  require(ctx != nullptr, ErrorKind::Internal,
          "llama.cpp could not create a context (n_ctx " + std::to_string(params.n_ctx) +
              "; its messages are above; --verbose shows more)");
  return ctx;
}

const llama_vocab* vocab_of(const llama_model* model) { return llama_model_get_vocab(model); }

int32_t n_vocab(const llama_model* model) { return llama_vocab_n_tokens(vocab_of(model)); }

void check_tokens(const llama_model* model, const std::vector<llama_token>& tokens) {
  const int32_t n = n_vocab(model);
  for (llama_token t : tokens) {
    require(t >= 0 && t < n, ErrorKind::InvalidArgument,
            "token id " + std::to_string(t) + " is outside the vocabulary (0.." + std::to_string(n - 1) + ")");
  }
}

std::vector<llama_token> tokenize_text(const llama_model* model, const std::string& text, bool add_special,
                                       bool parse_special) {
  const llama_vocab* vocab = vocab_of(model);
  const int32_t len = static_cast<int32_t>(text.size());
  std::vector<llama_token> ids(text.size() + 8);
  int32_t n = llama_tokenize(vocab, text.data(), len, ids.data(), static_cast<int32_t>(ids.size()), add_special,
                             parse_special);
  if (n < 0 && n != INT32_MIN) {  // -n is the count needed
    ids.resize(static_cast<size_t>(-n));
    n = llama_tokenize(vocab, text.data(), len, ids.data(), static_cast<int32_t>(ids.size()), add_special,
                       parse_special);
  }
  require(n >= 0, ErrorKind::Internal, "llama_tokenize failed (" + std::to_string(n) + ")");
  ids.resize(static_cast<size_t>(n));
  return ids;
}

}  // namespace rotary::oracle
