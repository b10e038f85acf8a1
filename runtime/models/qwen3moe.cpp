#include "runtime/models/qwen3moe.h"

#include "loader/tensor_names.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/elementwise.h"
#include "runtime/ops/kv_store.h"
#include "runtime/ops/linear.h"
#include "runtime/ops/matmul.h"
#include "runtime/ops/matvec.h"
#include "runtime/ops/norm.h"
#include "runtime/ops/rope.h"

namespace rotary {

ops::KvGeometry Qwen3Moe::kv_geometry(const ModelHparams& h, uint32_t ctx, ops::KvTypes types) {
  require(h.head_dim_k == h.head_dim_v, ErrorKind::Unsupported, "attention with key and value head sizes that differ");
  const ops::KvGeometry geo{types, h.n_head_kv, h.head_dim_k, ctx};
  ops::validate(geo);
  return geo;
}

uint64_t Qwen3Moe::scratch_bytes(const ModelHparams& h, uint32_t chunk, const ops::KvGeometry& geo,
                                 const vk::DeviceCaps& caps) {
  const uint64_t align = vk::binding_alignment(caps);
  const uint64_t q = vk::align_up(uint64_t{chunk} * h.n_head * h.head_dim_k * 4, align);
  const uint64_t kv = vk::align_up(uint64_t{chunk} * h.n_head_kv * h.head_dim_k * 4, align);
  const uint64_t o = vk::align_up(uint64_t{chunk} * h.n_embd * 4, align);
  return 2 * q + 2 * kv + o + vk::align_up(ops::attention_scratch_bytes(chunk, h.n_head, geo, caps), align);
}

Qwen3Moe::Qwen3Moe(DrainKey key, vk::GpuContext& gpu, const GgufFile& file, const ModelHparams& h,
                   const ModelOptions& options, const MemoryPlan& plan)
    : MoeModel(key, gpu, file, h, options, plan, "ffn_norm"),
      kv_(kv::KvCache::create(gpu.device(), &gpu.budget(), h.n_layer, kv_geometry(h, plan.ctx, plan.kv_type))) {
  const uint64_t c = chunk_;
  q_ = scratch(c * h.n_head * h.head_dim_k * 4, "attention queries");
  attn_ = scratch(c * h.n_head * h.head_dim_k * 4, "attention output");
  k_ = scratch(c * h.n_head_kv * h.head_dim_k * 4, "attention keys");
  v_ = scratch(c * h.n_head_kv * h.head_dim_k * 4, "attention values");
  o_ = scratch(c * h.n_embd * 4, "attention projection");
  attn_scratch_ = scratch(ops::attention_scratch_bytes(chunk_, h.n_head, kv_.geometry(), gpu.caps()),
                          "attention partials");
  for (uint32_t l = 0; l < h.n_layer; ++l)
    layers_.push_back({weights_.vector(block_tensor(l, "attn_norm.weight")), weights_.vector(block_tensor(l, "attn_q_norm.weight")),
                       weights_.vector(block_tensor(l, "attn_k_norm.weight")), weights_.matrix(block_tensor(l, "attn_q.weight")),
                       weights_.matrix(block_tensor(l, "attn_k.weight")), weights_.matrix(block_tensor(l, "attn_v.weight")),
                       weights_.matrix(block_tensor(l, "attn_output.weight"))});
  setup_residency(options);
}

void Qwen3Moe::record_mixer(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n) {
  const uint32_t hd = h_.head_dim_k, nq = h_.n_head * hd, nkv = h_.n_head_kv * hd;
  const vk::BufferView x = x_.view(0, uint64_t{n} * h_.n_embd * 4), xn = xn_.view(0, uint64_t{n} * h_.n_embd * 4);
  const vk::BufferView q = q_.view(0, uint64_t{n} * nq * 4), k = k_.view(0, uint64_t{n} * nkv * 4);
  const vk::BufferView v = v_.view(0, uint64_t{n} * nkv * 4), attn = attn_.view(0, uint64_t{n} * nq * 4);
  const vk::BufferView o = o_.view(0, uint64_t{n} * h_.n_embd * 4);
  const AttentionWeights& w = layers_[layer];
  auto project = [&](const ops::WeightView& m, const vk::BufferView& in, const vk::BufferView& out) {
    ops::linear(rec, m, in, out, n);
  };

  ops::rms_norm(rec, x, w.norm, xn, {n, h_.n_embd, h_.rms_eps});
  rec.compute_barrier();
  project(w.q, xn, q);
  project(w.k, xn, k);
  project(w.v, xn, v);
  rec.compute_barrier();
  // Per-head RMSNorm of Q and K (after projection, before RoPE); V is not normed.
  ops::rms_norm(rec, q, w.q_norm, q, {n * h_.n_head, hd, h_.rms_eps});
  ops::rms_norm(rec, k, w.k_norm, k, {n * h_.n_head_kv, hd, h_.rms_eps});
  rec.compute_barrier();
  const vk::BufferView positions = positions_.view(0, uint64_t{n} * 4);
  ops::rope_neox(rec, q, positions, q, {n, h_.n_head, hd, h_.n_rot, h_.rope_freq_base});
  ops::rope_neox(rec, k, positions, k, {n, h_.n_head_kv, hd, h_.n_rot, h_.rope_freq_base});
  rec.compute_barrier();
  const ops::KvLayerView cache = kv_.layer(layer);
  ops::kv_store(rec, k, v, cache, pos, n);
  rec.compute_barrier();
  ops::attention(rec, q, cache, attn, attn_scratch_.view(), {n, pos, h_.n_head});
  rec.compute_barrier();
  project(w.o, attn, o);
  rec.compute_barrier();
  ops::add(rec, x, o, x, n * h_.n_embd);
  rec.compute_barrier();
}

}  // namespace rotary
