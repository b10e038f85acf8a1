#include "bench/model/rotary_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "base/error.h"
#include "loader/model_catalog.h"
#include "runtime/vk/timestamps.h"

namespace rotary::bench {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

DeviceIdentity identify_device(const vk::DeviceCaps& c) {
  return {c.name,
          c.vendor_name(),
          c.vendor_id,
          c.device_id,
          c.type_name(),
          c.driver_name,
          c.driver_info,
          c.driver_version,
          c.api_version_string(),
          c.device_local_bytes(),
          c.unified_memory};
}

ModelIdentity identify_model(const GgufFile& file, const ModelHparams& h, const std::string& name) {
  ModelIdentity m;
  m.name = name;
  m.path = file.source();
  m.arch = std::string(architecture_name(h.arch));
  for (const auto& t : file.tensors()) {
    m.size_bytes += t.n_bytes;
    m.params += t.n_elements;
  }
  m.layers = h.n_layer;
  m.experts = h.n_expert;
  m.experts_used = h.n_expert_used;
  return m;
}

RotaryEngine::RotaryEngine(const GgufFile& file, RuntimeOptions options, ContextFactory factory)
    : file_(file),
      hparams_(read_hparams(file.metadata())),
      options_(std::move(options)),
      factory_(std::move(factory)) {
  validate_tensors(hparams_, file_);
  options_.timestamps = true;  // bench reports upload GB/s and the compute wait
  options_.resolve();
  options_.model.progress = false;
}

RotaryEngine::~RotaryEngine() {
  unload();
  release(probe_);
}

void RotaryEngine::release(std::unique_ptr<vk::GpuContext>& context) {
  if (context && release_hook_) release_hook_(*context);
  context.reset();
}

vk::GpuContext& RotaryEngine::probe() {
  if (!probe_) {
    vk::GpuOptions o = options_.gpu;
    o.vram_budget = 0;
    probe_ = factory_(o);
  }
  return *probe_;
}

const vk::DeviceCaps& RotaryEngine::caps() {
  return gpu_ ? gpu_->caps() : probe().caps();
}

uint64_t RotaryEngine::resolve(const BudgetSpec& b) {
  switch (b.kind) {
    case BudgetSpec::Kind::Bytes:
      return b.bytes;
    case BudgetSpec::Kind::Device:
      return vk::default_vram_budget(caps());
    case BudgetSpec::Kind::ExpertPercent:
      break;
  }
  PlanRequest req;
  req.budget = UINT64_MAX / 4;
  req.ctx = options_.model.ctx;
  req.kv_type = options_.model.kv_type;
  req.prefill_chunk = options_.model.prefill_chunk;
  const MemoryPlan all = plan_memory(file_, hparams_, caps(), req);
  req.expert_slots =
      std::clamp(static_cast<uint32_t>(std::ceil(b.percent / 100.0 * all.all_experts)),
                 all.min_slots, all.all_experts);
  return plan_memory(file_, hparams_, caps(), req).total();
}

double RotaryEngine::measure_copy_gbps() {
  vk::GpuContext& g = probe();
  // Large enough to leave a GPU's caches (and those of the CPU behind lavapipe).
  const uint64_t bytes =
      g.caps().type == VK_PHYSICAL_DEVICE_TYPE_CPU ? (64ull << 20) : (256ull << 20);
  constexpr int kReps = 4;
  vk::Buffer src = vk::Buffer::create(g.device(), &g.budget(), bytes, vk::MemoryKind::DeviceLocal,
                                      vk::MemoryUse::Scratch, "copy bandwidth source");
  vk::Buffer dst = vk::Buffer::create(g.device(), &g.budget(), bytes, vk::MemoryKind::DeviceLocal,
                                      vk::MemoryUse::Scratch, "copy bandwidth destination");
  auto timestamps = vk::TimestampPool::create(g.device(), 2);
  g.compute().run_now([&](vk::Recorder& rec) {
    rec.fill(src.view(), 0x3F800000u);
    rec.barrier(vk::access::kTransferWrite, vk::access::kTransferRead);
    rec.copy(src.view(), dst.view());  // warm-up
  });
  const auto t0 = Clock::now();
  g.compute().run_now([&](vk::Recorder& rec) {
    if (timestamps) {
      timestamps->reset(rec);
      timestamps->write(rec, 0);
    }
    for (int i = 0; i < kReps; ++i) {
      rec.barrier(vk::access::kTransferWrite, vk::access::kTransferWrite);
      rec.copy(src.view(), dst.view());
    }
    if (timestamps) timestamps->write(rec, 1);
  });
  const double seconds = timestamps ? timestamps->elapsed_ns(0, 1) * 1e-9 : since(t0);
  return 2.0 * static_cast<double>(bytes) * kReps / seconds / 1e9;
}

void RotaryEngine::load(uint64_t budget_bytes, PolicyKind policy, std::vector<ExpertKey> future,
                        const RoutingTrace* replay) {
  unload();
  release(probe_);
  vk::GpuOptions o = options_.gpu;
  o.vram_budget = budget_bytes;
  gpu_ = factory_(o);
  ModelOptions mo = options_.model;
  mo.cache.policy = policy;
  mo.cache.future = std::move(future);
  mo.moe.replay = replay;
  driver_peak_ = 0;
  model_ = load_model(*gpu_, file_, mo);
}

void RotaryEngine::unload() {
  model_.reset();
  release(gpu_);
}

const MemoryPlan& RotaryEngine::plan() const {
  require(model_ != nullptr, ErrorKind::Internal, "bench: no model loaded");
  return model_->plan();
}

uint64_t RotaryEngine::peak_vram() const {
  return gpu_ ? gpu_->budget().peak() : 0;
}

void RotaryEngine::sample_driver_vram() {
  uint64_t usage = 0;
  for (const auto& h : gpu_->device().heap_budgets())
    if (h.device_local) usage += h.usage;
  driver_peak_ = std::max(driver_peak_, usage);
}

std::vector<int32_t> RotaryEngine::greedy(std::span<const int32_t> prompt, uint32_t n) {
  require(model_ != nullptr, ErrorKind::Internal, "bench: no model loaded");
  std::vector<int32_t> out;
  model_->reset();
  StepResult r = model_->eval(prompt, 0, LogitsRequest{});
  auto pos = static_cast<uint32_t>(prompt.size());
  for (uint32_t i = 0; i < n; ++i) {
    out.push_back(r.argmax);
    if (i + 1 == n) break;
    const int32_t one[1] = {r.argmax};
    r = model_->eval(one, pos++, LogitsRequest{});
  }
  sample_driver_vram();
  return out;
}

RotaryRun RotaryEngine::run(const TestSpec& test, uint64_t seed) {
  require(model_ != nullptr, ErrorKind::Internal, "bench: no model loaded");
  Model& m = *model_;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(hparams_.n_vocab) - 1);
  auto random_tokens = [&](uint32_t n) {
    std::vector<int32_t> t(n);
    for (int32_t& v : t) v = token(rng);
    return t;
  };
  m.reset();
  // The depth asks for the argmax only to wait for its work to finish before the clock starts.
  if (test.depth > 0) m.eval(random_tokens(test.depth), 0, LogitsRequest{});
  RotaryRun run;
  run.tokens = test.tokens;
  const ModelStats before = m.stats();
  const auto t0 = Clock::now();
  if (test.kind == TestKind::Prompt) {
    m.eval(random_tokens(test.tokens), test.depth, LogitsRequest{});
  } else {
    int32_t next[1] = {token(rng)};
    for (uint32_t i = 0; i < test.tokens; ++i)
      next[0] = m.eval(next, test.depth + i, LogitsRequest{}).argmax;
  }
  run.seconds = since(t0);
  run.stats = stats_since(m.stats(), before);
  sample_driver_vram();
  return run;
}

std::vector<ExpertKey> replay_future(const RoutingTrace& trace,
                                     std::span<const uint64_t> segments) {
  const std::vector<ExpertKey> all = trace.accesses();
  const uint64_t per_token = uint64_t{trace.layers} * trace.k;
  std::vector<ExpertKey> out;
  for (uint64_t tokens : segments) {
    require(tokens <= trace.tokens(), ErrorKind::InvalidArgument,
            "the routing trace holds " + std::to_string(trace.tokens()) +
                " tokens; the benchmark replays " + std::to_string(tokens));
    out.insert(out.end(), all.begin(),
               all.begin() + static_cast<std::ptrdiff_t>(tokens * per_token));
  }
  return out;
}

}  // namespace rotary::bench
