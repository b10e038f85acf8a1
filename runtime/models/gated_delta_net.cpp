#include "runtime/models/gated_delta_net.h"

#include <algorithm>
#include <string>

#include "loader/tensor_names.h"
#include "runtime/ops/gdn_conv.h"
#include "runtime/ops/gdn_delta_rule.h"
#include "runtime/ops/gdn_norm.h"
#include "runtime/ops/linear.h"
#include "runtime/ops/matmul.h"
#include "runtime/ops/matvec.h"

namespace rotary {

namespace {

// The chunked delta rule runs in passes of as many 64-token chunks as its scratch holds; 8
// chunks (20 MiB at Qwen3.5's shape) keep long prefill chunks from growing the scratch further.
constexpr uint32_t kMaxScratchChunks = 8;


uint32_t scratch_chunks(uint32_t max_tokens) {
  if (max_tokens <= 1) return 0;
  return std::min((max_tokens + ops::kGdnChunk - 1) / ops::kGdnChunk, kMaxScratchChunks);
}

struct Sizes {
  uint64_t qkv, z, ba, heads, chunk;
};

Sizes sizes(const ops::GdnShape& s, uint32_t max_tokens) {
  const uint64_t t = max_tokens;
  return {t * s.conv_channels() * 4, t * s.value_dim() * 4, t * 2 * s.v_heads * 4,
          t * s.v_heads * 4, ops::gdn_chunk_scratch_bytes(s, scratch_chunks(max_tokens))};
}

vk::Buffer scratch(vk::GpuContext& gpu, uint64_t bytes, const char* what) {
  return vk::Buffer::create(gpu.device(), &gpu.budget(), std::max<uint64_t>(bytes, 4),
                            vk::MemoryKind::DeviceLocal, vk::MemoryUse::Scratch, what);
}

}  // namespace

ops::GdnShape GatedDeltaNet::shape(const ModelHparams& h) {
  ops::GdnShape s;
  s.k_heads = h.ssm.group_count;
  s.v_heads = h.ssm.time_step_rank;
  s.dim_k = h.ssm.state_size;
  require(h.ssm.inner_size == h.ssm.value_dim(), ErrorKind::InvalidModel,
          "Gated DeltaNet: ssm.inner_size " + std::to_string(h.ssm.inner_size) +
              " is not ssm.time_step_rank x " + "ssm.state_size (" +
              std::to_string(h.ssm.value_dim()) + "), which the tensor shapes assume");
  s.dim_v = h.ssm.state_size;
  s.conv_kernel = h.ssm.conv_kernel;
  s.order = h.arch == Architecture::Qwen3Next ? ops::VHeadOrder::Grouped : ops::VHeadOrder::Tiled;
  s.validate();
  return s;
}

uint32_t GatedDeltaNet::recurrent_layers(const ModelHparams& h) {
  uint32_t n = 0;
  for (uint32_t l = 0; l < h.n_layer; ++l) n += h.is_recurrent(l) ? 1 : 0;
  return n;
}

uint64_t GatedDeltaNet::scratch_bytes(const ModelHparams& h, uint32_t max_tokens,
                                      const vk::DeviceCaps& caps) {
  if (recurrent_layers(h) == 0) return 0;
  const Sizes s = sizes(shape(h), max_tokens);
  const uint64_t a = vk::binding_alignment(caps);
  auto al = [a](uint64_t b) { return vk::align_up(std::max<uint64_t>(b, 4), a); };
  return 2 * al(s.qkv) + al(s.z) + al(s.ba) + 3 * al(s.heads) + al(s.chunk);
}

GatedDeltaNet::GatedDeltaNet(vk::GpuContext& gpu, const DenseWeights& weights,
                             const ModelHparams& h, uint32_t max_tokens)
    : h_(h), max_tokens_(max_tokens) {
  const uint32_t layers = recurrent_layers(h);
  state_index_.assign(h.n_layer, UINT32_MAX);
  if (layers == 0) return;
  shape_ = shape(h);
  fused_ba_ = h.arch == Architecture::Qwen3Next;
  gates_ = fused_ba_ ? ops::GdnGateLayout::fused_ba(shape_) : ops::GdnGateLayout::separate(shape_);
  for (uint32_t l = 0; l < h.n_layer; ++l) {
    if (!h.is_recurrent(l)) continue;
    state_index_[l] = static_cast<uint32_t>(layers_.size());
    // qwen3next files from older converters hold one fused ssm_in projection (per key head
    // [q | k | v | z]); rotary reads the split attn_qkv + attn_gate only.
    require(weights.has(block_tensor(l, "attn_qkv.weight")), ErrorKind::Unsupported,
            "layer " + std::to_string(l) +
                " has the older fused ssm_in projection instead of attn_qkv + "
                "attn_gate; rotary runs files from current converters (convert_hf_to_gguf.py "
                "writes the split form)");
    LayerWeights w;
    w.qkv = weights.matrix(block_tensor(l, "attn_qkv.weight"));
    w.gate = weights.matrix(block_tensor(l, "attn_gate.weight"));
    w.beta = weights.matrix(block_tensor(l, fused_ba_ ? "ssm_ba.weight" : "ssm_beta.weight"));
    if (!fused_ba_) w.alpha = weights.matrix(block_tensor(l, "ssm_alpha.weight"));
    w.out = weights.matrix(block_tensor(l, "ssm_out.weight"));
    w.conv = weights.vector(block_tensor(l, "ssm_conv1d.weight"));
    w.dt_bias = weights.vector(block_tensor(l, "ssm_dt.bias"));
    w.a = weights.vector(block_tensor(l, "ssm_a"));
    w.norm = weights.vector(block_tensor(l, "ssm_norm.weight"));
    layers_.push_back(w);
  }
  state_.emplace(kv::GdnState::create(gpu.device(), &gpu.budget(), shape_, layers, 1));
  const Sizes s = sizes(shape_, max_tokens);
  qkv_ = scratch(gpu, s.qkv, "Gated DeltaNet projections");
  conv_ = scratch(gpu, s.qkv, "Gated DeltaNet conv output");
  z_ = scratch(gpu, s.z, "Gated DeltaNet output gate");
  b_ = scratch(gpu, s.ba, "Gated DeltaNet beta projection");
  a_ = scratch(gpu, s.heads, "Gated DeltaNet alpha projection");
  beta_ = scratch(gpu, s.heads, "Gated DeltaNet beta");
  g_ = scratch(gpu, s.heads, "Gated DeltaNet decay");
  chunk_scratch_ = scratch(gpu, s.chunk, "Gated DeltaNet chunk scratch");
}

void GatedDeltaNet::reset(vk::Recorder& rec) const {
  if (state_) state_->clear(rec, 0);
}

void GatedDeltaNet::record(vk::Recorder& rec, uint32_t layer, const vk::BufferView& xn,
                           const vk::BufferView& out, uint32_t n) {
  require(layer < state_index_.size() && state_index_[layer] != UINT32_MAX && n >= 1 &&
              n <= max_tokens_,
          ErrorKind::Internal,
          "Gated DeltaNet: layer " + std::to_string(layer) + " is not recurrent");
  const uint32_t s = state_index_[layer];
  const LayerWeights& w = layers_[s];
  const uint64_t t = n, hv = shape_.v_heads;
  const vk::BufferView qkv = qkv_.view(0, t * shape_.conv_channels() * 4);
  const vk::BufferView conv = conv_.view(0, t * shape_.conv_channels() * 4);
  const vk::BufferView z = z_.view(0, t * shape_.value_dim() * 4);
  const vk::BufferView beta = beta_.view(0, t * hv * 4), g = g_.view(0, t * hv * 4);
  const vk::BufferView b = b_.view(0, t * (fused_ba_ ? 2 : 1) * hv * 4);
  const vk::BufferView a = fused_ba_ ? b : a_.view(0, t * hv * 4);
  const vk::BufferView o = qkv_.view(0, t * shape_.value_dim() * 4);  // qkv is dead after the conv
  auto project = [&](const ops::WeightView& m, const vk::BufferView& in, const vk::BufferView& y) {
    ops::linear(rec, m, in, y, n);
  };

  project(w.qkv, xn, qkv);
  project(w.gate, xn, z);
  project(w.beta, xn, b);
  if (!fused_ba_) project(w.alpha, xn, a);
  rec.compute_barrier();
  ops::gdn_gates(rec, shape_, gates_, b, a, w.dt_bias, w.a, beta, g, n);
  ops::gdn_conv(rec, shape_, qkv, w.conv, state_->conv(s, 0), conv, n);
  rec.compute_barrier();
  // q and k heads of each token row in one dispatch.
  ops::gdn_l2_norm(rec, conv, n, 2 * shape_.k_heads, shape_.dim_k, shape_.conv_channels(),
                   h_.rms_eps);
  rec.compute_barrier();
  if (n == 1)
    ops::gdn_recurrent(rec, shape_, conv, beta, g, state_->delta(s, 0), o, n);
  else
    ops::gdn_chunked(rec, shape_, conv, beta, g, state_->delta(s, 0), o, chunk_scratch_.view(), n);
  rec.compute_barrier();
  ops::gdn_gated_norm(rec, o, z, w.norm, o, n * shape_.v_heads, shape_.dim_v, h_.rms_eps);
  rec.compute_barrier();
  project(w.out, o, out);
  rec.compute_barrier();
}

}  // namespace rotary
