#include "runtime/models/moe_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/units.h"
#include "loader/tensor_names.h"
#include "runtime/check/op_scope.h"
#include "runtime/ops/get_rows.h"
#include "runtime/ops/linear.h"
#include "runtime/ops/logits.h"
#include "runtime/ops/matmul.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/norm.h"
#include "runtime/residency/expert_cache.h"
#include "runtime/residency/in_place_experts.h"

namespace rotary {

namespace {
// The GPU top-k never needs more candidates than the vocabulary has (test models have fewer
// than kMaxTopK tokens).
uint32_t max_topk(const ModelHparams& h) { return std::min(MoeModel::kMaxTopK, h.n_vocab); }

uint64_t readback_bytes(const ModelHparams& h, const vk::DeviceCaps& caps) {
  const uint64_t rows = uint64_t{MoeModel::kLogitRows} * h.n_vocab * 4;
  const uint64_t topk = vk::align_up(MoeModel::kMaxTopK * 4, vk::binding_alignment(caps)) + MoeModel::kMaxTopK * 4;
  return std::max(rows, topk);
}
}  // namespace

uint64_t MoeModel::scratch_bytes(const ModelHparams& h, uint32_t chunk, const vk::DeviceCaps& caps) {
  const uint64_t align = vk::binding_alignment(caps);
  const uint64_t x = vk::align_up(uint64_t{chunk} * h.n_embd * 4, align);
  const uint64_t io = 2 * vk::align_up(uint64_t{chunk} * 4, align);
  const uint64_t logits = vk::align_up(uint64_t{kLogitRows} * h.n_vocab * 4, align);
  const uint64_t topk = ops::logits_topk_scratch_bytes(h.n_vocab, max_topk(h), caps);
  return 2 * x + io + logits + topk + readback_bytes(h, caps) + RoutedMoe::scratch_bytes(h, chunk, caps);
}

MoeModel::MoeModel(DrainKey /*only Drained makes one*/, vk::GpuContext& gpu, const GgufFile& file,
                   const ModelHparams& h, const ModelOptions& options, const MemoryPlan& plan, std::string ffn_norm)
    : gpu_(gpu), h_(h), plan_(plan), chunk_(plan.prefill_chunk),
      weights_(DenseWeights::load(gpu, file, h, options.progress)), ffn_norm_(std::move(ffn_norm)),
      source_(file, h) {
  x_ = scratch(uint64_t{chunk_} * h.n_embd * 4, "residual stream");
  xn_ = scratch(uint64_t{chunk_} * h.n_embd * 4, "normed activations");
  tokens_ = vk::Buffer::create(gpu.device(), &gpu.budget(), uint64_t{chunk_} * 4, vk::MemoryKind::Upload,
                               vk::MemoryUse::Scratch, "token ids");
  positions_ = vk::Buffer::create(gpu.device(), &gpu.budget(), uint64_t{chunk_} * 4, vk::MemoryKind::Upload,
                                  vk::MemoryUse::Scratch, "positions");
  logits_ = scratch(uint64_t{kLogitRows} * h.n_vocab * 4, "logits");
  logits_scratch_ = scratch(ops::logits_topk_scratch_bytes(h.n_vocab, max_topk(h), gpu.caps()), "logits top-k scratch");
  readback_ = vk::Buffer::create(gpu.device(), &gpu.budget(), readback_bytes(h, gpu.caps()), vk::MemoryKind::Readback,
                                 vk::MemoryUse::Scratch, "logits readback");
  head_ = weights_.matrix(weights_.has("output.weight") ? "output.weight" : "token_embd.weight");
  if (options.check.enabled) attach_checker(file, options.check);
}

// The checker compares dense weights against the file's bytes (the mapping outlives the model).
void MoeModel::attach_checker(const GgufFile& file, const check::CheckOptions& options) {
  checker_ = std::make_unique<check::OpChecker>(gpu_, options);
  weights_.for_each([&](const std::string& name, const vk::BufferView& view) {
    const GgufTensorInfo* t = file.find_tensor(name);
    require(t != nullptr, ErrorKind::Internal, "check-ops: " + name + " is not in the file");
    checker_->add_weight(view.sub(0, t->n_bytes), t->data, name);
  });
  gpu_.compute().set_checker(checker_.get());
}

void MoeModel::setup_residency(const ModelOptions& options) {
  moe_ = std::make_unique<RoutedMoe>(gpu_, weights_, h_, chunk_, options.moe, ffn_norm_);
  if (wants_in_place(options.residency, gpu_.caps())) {
    if (auto in_place = InPlaceExperts::create(gpu_, source_)) {
      plan_.set_in_place();
      mode_ = in_place->mode();
      cache_ = std::move(in_place);
      moe_->attach(*cache_);
      return;
    }
    require(options.residency != ResidencyMode::InPlace, ErrorKind::Unsupported,
            "--residency in-place: this device or driver cannot read the model file's pages in place "
            "(VK_EXT_external_memory_host import refused); use --residency copy");
  }
  const SlotLayout layout = SlotLayout::for_source(source_);
  const uint64_t left = gpu_.budget().available() / layout.slot_bytes;
  const uint32_t slots = static_cast<uint32_t>(std::min<uint64_t>(plan_.slots, left));
  if (slots < plan_.min_slots)
    throw Error(ErrorKind::Budget, "after the fixed allocations only " + format_bytes(gpu_.budget().available()) +
                                       " of the VRAM budget is left, less than one layer's experts (" +
                                       std::to_string(plan_.min_slots) + " x " + format_bytes(layout.slot_bytes) +
                                       "): raise --vram-budget");
  ExpertSlotPool pool = ExpertSlotPool::create(gpu_, layout, slots, plan_.min_slots, options.max_expert_page_bytes);
  plan_.slots = pool.slots();  // the budget or the driver may have allowed fewer than planned
  plan_.pool = pool.bytes();
  auto cache = std::make_unique<ExpertCache>(gpu_, source_, std::move(pool), options.cache);
  cache->preload_all();  // when the pool holds every expert: then the GPU routes decode steps
  mode_ = cache->zero_copy() ? "copy (zero-copy uploads)" : "copy (staged uploads)";
  cache_ = std::move(cache);
  moe_->attach(*cache_);
}

ResidencyMode parse_residency_mode(const std::string& name) {
  if (name == "auto") return ResidencyMode::Auto;
  if (name == "copy") return ResidencyMode::Copy;
  if (name == "in-place") return ResidencyMode::InPlace;
  throw Error(ErrorKind::InvalidArgument, "unknown residency mode '" + name + "' (auto, copy, in-place)");
}

bool wants_in_place(ResidencyMode mode, const vk::DeviceCaps& caps) {
  return mode == ResidencyMode::InPlace ||
         (mode == ResidencyMode::Auto && caps.type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU &&
          caps.unified_memory);
}

MoeModel::~MoeModel() {
  // ~Drained has drained the GPU already.
  if (checker_) gpu_.compute().set_checker(nullptr);
}

void MoeModel::drain() noexcept {
  // A destructor must not throw: a wait that fails (device lost, timeout) leaves the device idle
  // as far as anything can be done about it.
  try {
    gpu_.compute().queue().wait_idle();
    gpu_.transfer().queue().wait_idle();
  } catch (const Error&) {
  }
}

vk::Buffer MoeModel::scratch(uint64_t bytes, const char* what) {
  return vk::Buffer::create(gpu_.device(), &gpu_.budget(), std::max<uint64_t>(bytes, 4), vk::MemoryKind::DeviceLocal,
                            vk::MemoryUse::Scratch, what);
}

ModelStats MoeModel::stats() const {
  moe_->read_routes();
  cache_->collect_timing();
  moe_->collect_timing();
  return {cache_->stats(), moe_->stats(), decode_, mode_, checker_ ? checker_->ops_checked() : 0};
}

void MoeModel::record_layers(vk::Recorder& rec, uint32_t pos, uint32_t n) {
  const vk::BufferView x = x_.view(0, uint64_t{n} * h_.n_embd * 4), xn = xn_.view(0, uint64_t{n} * h_.n_embd * 4);
  for (uint32_t l = 0; l < h_.n_layer; ++l) {
    check::label(rec, "layer", static_cast<int>(l), pos, n);
    record_mixer(rec, l, pos, n);
    ops::rms_norm(rec, x, weights_.vector(block_tensor(l, ffn_norm_ + ".weight")), xn, {n, h_.n_embd, h_.rms_eps});
    rec.compute_barrier();
    moe_->run(rec, l, pos, n, xn, x, n == 1 ? x : vk::BufferView{});
    record_ffn_extra(rec, l, n);
  }
}

void MoeModel::record_head(vk::Recorder& rec, uint32_t first_row, uint32_t rows) {
  const uint64_t row = uint64_t{h_.n_embd} * 4;
  check::label(rec, "the output head", -1, 0, 0);
  const vk::BufferView in = x_.view(first_row * row, rows * row), normed = xn_.view(0, rows * row);
  ops::rms_norm(rec, in, weights_.vector("output_norm.weight"), normed, {rows, h_.n_embd, h_.rms_eps});
  rec.compute_barrier();
  const vk::BufferView out = logits_.view(0, uint64_t{rows} * h_.n_vocab * 4);
  ops::linear(rec, head_, normed, out, rows);
  rec.compute_barrier();
}

// Logits rows of every token of the chunk, kLogitRows at a time, appended to out.logits.
void MoeModel::read_rows(vk::Recorder& rec, uint32_t n, StepResult& out) {
  for (uint32_t r = 0; r < n; r += kLogitRows) {
    const uint32_t rows = std::min(kLogitRows, n - r);
    const uint64_t bytes = uint64_t{rows} * h_.n_vocab * 4;
    record_head(rec, r, rows);
    rec.barrier(vk::access::kComputeWrite, vk::access::kTransferRead);
    rec.read_back(logits_.view(0, bytes), readback_.view(0, bytes));
    rec.barrier(vk::access::kTransferWrite, vk::access::kHostRead);
    gpu_.compute().queue().wait(gpu_.compute().submit(rec));
    rec = gpu_.compute().begin();
    readback_.invalidate(0, bytes);
    const auto* f = reinterpret_cast<const float*>(readback_.mapped());
    if (!std::all_of(f, f + uint64_t{rows} * h_.n_vocab, [](float v) { return std::isfinite(v); }))
      throw non_finite_logits();
    out.logits.insert(out.logits.end(), f, f + uint64_t{rows} * h_.n_vocab);
    out.rows += rows;
  }
}

StepResult MoeModel::eval(std::span<const int32_t> tokens, uint32_t pos, const LogitsRequest& req) {
  require(!tokens.empty(), ErrorKind::InvalidArgument, "nothing to evaluate");
  if (uint64_t{pos} + tokens.size() > plan_.ctx)
    throw Error(ErrorKind::ContextFull, "the context of " + std::to_string(plan_.ctx) + " tokens is full (" +
                                            std::to_string(pos) + " used, " + std::to_string(tokens.size()) +
                                            " more asked for): start again with a larger --ctx");
  for (int32_t t : tokens)
    require(t >= 0 && static_cast<uint32_t>(t) < h_.n_vocab, ErrorKind::InvalidArgument,
            "token id " + std::to_string(t) + " is outside the vocabulary (0.." + std::to_string(h_.n_vocab - 1) + ")");
  // A decode step's scheduling work is the difference of the device's counters around it.
  const vk::ScheduleCounters work_before = gpu_.device().counters();
  const uint64_t uploaded_before = cache_->stats().bytes_uploaded;
  StepResult result;
  for (uint32_t c0 = 0; c0 < tokens.size(); c0 += chunk_) {
    const uint32_t n = std::min<uint32_t>(chunk_, static_cast<uint32_t>(tokens.size()) - c0);
    auto* tok = reinterpret_cast<uint32_t*>(tokens_.mapped());
    auto* p = reinterpret_cast<uint32_t*>(positions_.mapped());
    for (uint32_t i = 0; i < n; ++i) {
      tok[i] = static_cast<uint32_t>(tokens[c0 + i]);
      p[i] = pos + c0 + i;
    }
    tokens_.flush(0, n * 4ull);
    positions_.flush(0, n * 4ull);
    vk::Recorder rec = gpu_.compute().begin();
    check::label(rec, "the embedding", -1, pos + c0, n);
    ops::get_rows(rec, weights_.matrix("token_embd.weight"), tokens_.view(0, n * 4ull), n,
                  x_.view(0, uint64_t{n} * h_.n_embd * 4));
    rec.compute_barrier();
    record_layers(rec, pos + c0, n);
    const bool last = c0 + n == tokens.size();
    try {
      if (req.kind == LogitsRequest::Kind::Full && req.all_positions) {
        read_rows(rec, n, result);  // submits and waits per group of rows, ends with a fresh `rec`
        gpu_.compute().submit(rec);
      } else if (last && req.kind != LogitsRequest::Kind::None) {
        finish(rec, n, req, result);  // submits and waits
      } else {
        gpu_.compute().submit(rec);
      }
    } catch (const Error&) {
      moe_->read_routes();  // a GPU-routed step: the first layer whose router saw non-finite values
      throw;
    }
    moe_->read_routes();
    moe_->flush_record();
  }
  if (tokens.size() == 1) {
    vk::ScheduleCounters work = gpu_.device().counters();
    work -= work_before;
    ++decode_.steps;
    decode_.work += work;
    decode_.bytes_uploaded += cache_->stats().bytes_uploaded - uploaded_before;
  }
  return result;
}

// The routers catch non-finite activations in every layer (RoutedMoe::non_finite); what the last
// layer's FFN, the final norm or the output head makes non-finite shows in the logits.
Error MoeModel::non_finite_logits() const {
  return Error(ErrorKind::InvalidModel,
               "the output logits are non-finite (NaN or infinity): the output head's input, after the last layer (" +
                   block_tensor(h_.n_layer - 1, "*") + ") and output_norm.weight, or the head itself; the model's weights "
                   "hold NaN or infinite values (or values that overflow): the file is broken");
}

StepResult MoeModel::finish(vk::Recorder& rec, uint32_t n, const LogitsRequest& req, StepResult& out) {
  if (req.kind == LogitsRequest::Kind::Full) {  // one row: the last token's
    const uint32_t before = out.rows;
    record_head(rec, n - 1, 1);
    const uint64_t bytes = uint64_t{h_.n_vocab} * 4;
    rec.barrier(vk::access::kComputeWrite, vk::access::kTransferRead);
    rec.read_back(logits_.view(0, bytes), readback_.view(0, bytes));
    rec.barrier(vk::access::kTransferWrite, vk::access::kHostRead);
    gpu_.compute().queue().wait(gpu_.compute().submit(rec));
    readback_.invalidate(0, bytes);
    const auto* f = reinterpret_cast<const float*>(readback_.mapped());
    out.logits.assign(f, f + h_.n_vocab);
    if (!std::all_of(out.logits.begin(), out.logits.end(), [](float v) { return std::isfinite(v); }))
      throw non_finite_logits();
    out.rows = before + 1;
    return out;
  }
  record_head(rec, n - 1, 1);
  const vk::BufferView logits = logits_.view(0, uint64_t{h_.n_vocab} * 4);
  const uint64_t align = vk::binding_alignment(gpu_.caps());
  uint32_t k = 1;
  if (req.kind == LogitsRequest::Kind::Argmax) {
    ops::logits_argmax(rec, logits, h_.n_vocab, readback_.view(0, 4), logits_scratch_.view());
  } else {
    require(req.k >= 1 && req.k <= kMaxTopK, ErrorKind::Internal, "top-k request out of range");
    k = std::min(req.k, h_.n_vocab);  // more candidates than tokens: all of them
    ops::logits_topk(rec, logits, h_.n_vocab, k, readback_.view(0, k * 4ull),
                     readback_.view(vk::align_up(kMaxTopK * 4, align), k * 4ull), logits_scratch_.view());
  }
  rec.barrier(vk::access::kComputeWrite, vk::access::kHostRead);
  gpu_.compute().queue().wait(gpu_.compute().submit(rec));
  readback_.invalidate(0, readback_.size());
  const auto* ids = reinterpret_cast<const uint32_t*>(readback_.mapped());
  // NaN compares false: the GPU's argmax and top-k then return no index or a NaN value.
  if (req.kind == LogitsRequest::Kind::Argmax) {
    if (ids[0] >= h_.n_vocab) throw non_finite_logits();
    out.argmax = static_cast<int32_t>(ids[0]);
  } else {
    const auto* values = reinterpret_cast<const float*>(readback_.mapped() + vk::align_up(kMaxTopK * 4, align));
    for (uint32_t i = 0; i < k; ++i) {
      if (ids[i] >= h_.n_vocab || !std::isfinite(values[i])) throw non_finite_logits();
      out.candidates.push_back({static_cast<int32_t>(ids[i]), values[i]});
    }
    out.argmax = out.candidates.front().id;
  }
  return out;
}

}  // namespace rotary
