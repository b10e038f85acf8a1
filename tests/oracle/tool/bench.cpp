// rotary-oracle bench: llama-bench-style speed of llama.cpp, for side-by-side benchmarks with
// rotary. A warm-up first (one token, then a prompt of p tokens, as llama-bench); then per
// repetition: d random tokens put in the context untimed (--depth), a prompt of p random tokens
// in one llama_decode call (split into micro-batches of --ubatch), and n tokens one at a time
// continuing after the prompt (so token k attends over d + p + k positions; llama-bench's tg
// starts from the depth instead: `-p 0 -n N -d D` is its "tgN @ dD").
//
// Device memory is reported two ways: the device buffers llama.cpp says it allocated (model, KV,
// compute; its log's "Vulkan0 ... buffer size" lines), and the drop of the device's free memory
// from before loading to after the warm-up (ggml_backend_dev_memory, which is the driver's
// VK_EXT_memory_budget figure where the driver has it; 0 when nothing changed).
#include <ggml-backend.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "tests/oracle/tool/commands.h"
#include "tests/oracle/tool/llama_env.h"

namespace rotary::oracle {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void decode(llama_context* ctx, std::vector<llama_token>& tokens, const char* what) {
  const int32_t rc = llama_decode(ctx, llama_batch_get_one(tokens.data(), static_cast<int32_t>(tokens.size())));
  require(rc == 0, ErrorKind::Internal, std::string("llama_decode failed during ") + what + " with " +
                                            std::to_string(rc) + " (its messages are above)");
}

struct Stats {
  double mean = 0, stddev = 0;
};

// Tokens per second of each repetition, then mean and sample standard deviation.
Stats rates(const std::vector<double>& ms, int tokens) {
  Stats s;
  if (tokens == 0 || ms.empty()) return s;
  std::vector<double> r;
  for (double m : ms) r.push_back(1000.0 * tokens / m);
  for (double v : r) s.mean += v / static_cast<double>(r.size());
  if (r.size() > 1) {
    double sq = 0;
    for (double v : r) sq += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(sq / static_cast<double>(r.size() - 1));
  }
  return s;
}

// Sums the device-local buffers from llama.cpp's log lines "func: Vulkan0 model buffer size =
// 12.34 MiB" (and KV, compute, RS, output): buffer names "Vulkan<N>" are device memory,
// "Vulkan_Host", "CPU" and "CPU_Mapped" are host memory.
struct DeviceBufferTally {
  double mib = 0;
  void observe(const char* text) {
    const char* size = std::strstr(text, " buffer size =");
    const char* colon = std::strstr(text, ": ");
    if (!size || !colon || colon > size) return;
    const char* name = colon + 2;
    while (*name == ' ') ++name;
    if (std::strncmp(name, "Vulkan", 6) != 0 || name[6] < '0' || name[6] > '9') return;
    mib += std::strtod(size + std::strlen(" buffer size ="), nullptr);
  }
};
DeviceBufferTally g_buffers;

// Free bytes of the GPU device llama.cpp uses (0 when there is none), and its description.
size_t gpu_free_bytes(std::string* description = nullptr) {
  for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
    ggml_backend_dev_t dev = ggml_backend_dev_get(i);
    const auto type = ggml_backend_dev_type(dev);
    if (type != GGML_BACKEND_DEVICE_TYPE_GPU && type != GGML_BACKEND_DEVICE_TYPE_IGPU) continue;
    size_t free = 0, total = 0;
    ggml_backend_dev_memory(dev, &free, &total);
    if (description) *description = ggml_backend_dev_description(dev);
    return free;
  }
  return 0;
}

struct DeviceMemory {
  std::string device;  // the GPU's description; "" on the CPU backend
  uint64_t buffers = 0;
  uint64_t driver = 0;
};

llama_flash_attn_type parse_flash_attn(const std::string& s) {
  if (s == "on") return LLAMA_FLASH_ATTN_TYPE_ENABLED;
  if (s == "off") return LLAMA_FLASH_ATTN_TYPE_DISABLED;
  if (s == "auto") return LLAMA_FLASH_ATTN_TYPE_AUTO;
  throw Error(ErrorKind::InvalidArgument, "--flash-attn must be on, off or auto, not '" + s + "'");
}

ggml_type parse_kv(const std::string& s) {
  if (s == "f16") return GGML_TYPE_F16;
  if (s == "f32") return GGML_TYPE_F32;
  if (s == "bf16") return GGML_TYPE_BF16;
  if (s == "q8_0") return GGML_TYPE_Q8_0;
  if (s == "q4_0") return GGML_TYPE_Q4_0;
  throw Error(ErrorKind::InvalidArgument, "--kv-type must be f16, f32, bf16, q8_0 or q4_0, not '" + s + "'");
}

void report(const BenchOptions& o, double load_ms, const DeviceMemory& mem, const std::vector<double>& pp_ms,
            const std::vector<double>& tg_ms) {
  const Stats pp = rates(pp_ms, o.prompt);
  const Stats tg = rates(tg_ms, o.generate);
  if (!o.json) {
    std::printf("llama.cpp %s, %d threads, n-cpu-moe %d, %d repetition(s), load %.0f ms\n",
                backend_name(linked_backend()), o.threads, o.n_cpu_moe, o.repetitions, load_ms);
    if (!mem.device.empty())
      std::printf("device %s: buffers %.2f MiB, driver-reported use %.2f MiB\n", mem.device.c_str(),
                  static_cast<double>(mem.buffers) / 1048576.0, static_cast<double>(mem.driver) / 1048576.0);
    if (o.prompt > 0) std::printf("pp%d: %.2f ± %.2f tok/s\n", o.prompt, pp.mean, pp.stddev);
    if (o.generate > 0) std::printf("tg%d: %.2f ± %.2f tok/s\n", o.generate, tg.mean, tg.stddev);
    return;
  }
  const Json j = {{"backend", backend_name(linked_backend())},
                  {"model", o.model},
                  {"n_prompt", static_cast<int64_t>(o.prompt)},
                  {"n_gen", static_cast<int64_t>(o.generate)},
                  {"repetitions", static_cast<int64_t>(o.repetitions)},
                  {"threads", static_cast<int64_t>(o.threads)},
                  {"n_cpu_moe", static_cast<int64_t>(o.n_cpu_moe)},
                  {"ubatch", static_cast<int64_t>(o.ubatch)},
                  {"flash_attn", o.flash_attn},
                  {"kv_type", o.kv_type},
                  {"load_ms", load_ms},
                  {"depth", static_cast<int64_t>(o.depth)},
                  {"device", mem.device},
                  {"vram_buffers", mem.buffers},
                  {"vram_driver", mem.driver},
                  {"pp_tok_s", pp.mean},
                  {"pp_tok_s_stddev", pp.stddev},
                  {"tg_tok_s", tg.mean},
                  {"tg_tok_s_stddev", tg.stddev},
                  {"pp_ms", pp_ms},
                  {"tg_ms", tg_ms}};
  std::printf("%s\n", dump_json(j).c_str());
}

}  // namespace

void run_bench(const BenchOptions& o) {
  require(o.prompt + o.generate > 0 || o.memory_only, ErrorKind::InvalidArgument, "bench: -p and -n are both 0");
  require_model_file(o.model);
  observe_log([](const char* text) { g_buffers.observe(text); });
  init_llama(o.verbose);
  DeviceMemory mem;
  const size_t free_before = gpu_free_bytes(&mem.device);
  const auto t_load = Clock::now();
  ModelPtr model = load_model(o.model, {.n_cpu_moe = o.n_cpu_moe});
  llama_context_params cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(std::max(o.depth + o.prompt + o.generate, 16));
  cp.n_batch = static_cast<uint32_t>(std::max({o.prompt, o.depth, 1}));
  cp.n_ubatch = static_cast<uint32_t>(std::min(o.ubatch, static_cast<int>(cp.n_batch)));
  cp.n_threads = cp.n_threads_batch = o.threads;
  cp.flash_attn_type = parse_flash_attn(o.flash_attn);
  cp.type_k = cp.type_v = parse_kv(o.kv_type);
  ContextPtr ctx = make_context(model.get(), cp);
  const double load_ms = ms_since(t_load);
  mem.buffers = static_cast<uint64_t>(std::llround(g_buffers.mib * 1048576.0));

  std::mt19937 rng(1234);
  std::uniform_int_distribution<llama_token> token(0, n_vocab(model.get()) - 1);
  llama_memory_t memory = llama_get_memory(ctx.get());
  std::vector<double> pp_ms, tg_ms;
  if (o.memory_only) {
    report(o, load_ms, mem, pp_ms, tg_ms);
    return;
  }

  // Warm-up, not timed: first-run allocations and Vulkan pipelines, which are made per shape, so a
  // prompt of the timed size as llama-bench does. One token comes first: a multi-token batch as
  // the very first decode crashes lavapipe (Mesa 22.3.6) in its queue thread.
  std::vector<llama_token> one{token(rng)};
  decode(ctx.get(), one, "warm-up");
  llama_synchronize(ctx.get());
  if (o.prompt > 0) {
    llama_memory_clear(memory, true);
    std::vector<llama_token> warm(static_cast<size_t>(o.prompt));
    for (llama_token& t : warm) t = token(rng);
    decode(ctx.get(), warm, "warm-up");
    llama_synchronize(ctx.get());
  }
  const size_t free_after = gpu_free_bytes();
  if (free_before > free_after) mem.driver = free_before - free_after;

  for (int r = 0; r < o.repetitions; ++r) {
    llama_memory_clear(memory, true);
    if (o.depth > 0) {
      std::vector<llama_token> depth(static_cast<size_t>(o.depth));
      for (llama_token& t : depth) t = token(rng);
      decode(ctx.get(), depth, "the depth tokens");
      llama_synchronize(ctx.get());
    }
    if (o.prompt > 0) {
      std::vector<llama_token> prompt(static_cast<size_t>(o.prompt));
      for (llama_token& t : prompt) t = token(rng);
      const auto t0 = Clock::now();
      decode(ctx.get(), prompt, "the prompt");
      llama_synchronize(ctx.get());
      pp_ms.push_back(ms_since(t0));
    }
    if (o.generate > 0) {
      const auto t0 = Clock::now();
      for (int k = 0; k < o.generate; ++k) {
        one[0] = token(rng);
        decode(ctx.get(), one, "generation");
      }
      llama_synchronize(ctx.get());
      tg_ms.push_back(ms_since(t0));
    }
  }
  report(o, load_ms, mem, pp_ms, tg_ms);
}

}  // namespace rotary::oracle
