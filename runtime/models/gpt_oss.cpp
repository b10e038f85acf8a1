#include "runtime/models/gpt_oss.h"

#include <algorithm>

#include "loader/tensor_names.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/elementwise.h"
#include "runtime/ops/kv_store.h"
#include "runtime/ops/linear.h"
#include "runtime/ops/norm.h"
#include "runtime/ops/rope.h"

namespace rotary {

uint32_t GptOss::swa_layers(const ModelHparams& h) {
  uint32_t n = 0;
  for (uint32_t l = 0; l < h.n_layer; ++l) n += h.is_swa(l) ? 1 : 0;
  return n;
}

ops::KvGeometry GptOss::full_geometry(const ModelHparams& h, uint32_t ctx, ops::KvTypes types) {
  require(h.head_dim_k == h.head_dim_v, ErrorKind::Unsupported, "attention with key and value head sizes that differ");
  const ops::KvGeometry geo{types, h.n_head_kv, h.head_dim_k, ctx};
  ops::validate(geo);
  return geo;
}

bool GptOss::uses_ring(const ModelHparams& h, uint32_t ctx, uint32_t chunk) {
  return uint64_t{h.n_swa} + chunk - 1 < ctx;
}

ops::KvGeometry GptOss::swa_geometry(const ModelHparams& h, uint32_t ctx, uint32_t chunk, ops::KvTypes types) {
  return full_geometry(h, uses_ring(h, ctx, chunk) ? h.n_swa + chunk - 1 : ctx, types);
}

uint64_t GptOss::kv_bytes(const ModelHparams& h, uint32_t ctx, uint32_t chunk, ops::KvTypes types) {
  const uint32_t swa = swa_layers(h);
  return kv::KvCache::planned_bytes(h.n_layer - swa, full_geometry(h, ctx, types)) +
         kv::KvCache::planned_bytes(swa, swa_geometry(h, ctx, chunk, types));
}

uint64_t GptOss::scratch_bytes(const ModelHparams& h, uint32_t ctx, uint32_t chunk, ops::KvTypes types,
                               const vk::DeviceCaps& caps) {
  const uint64_t align = vk::binding_alignment(caps);
  const uint64_t q = vk::align_up(uint64_t{chunk} * h.n_head * h.head_dim_k * 4, align);
  const uint64_t kv = vk::align_up(uint64_t{chunk} * h.n_head_kv * h.head_dim_k * 4, align);
  const uint64_t o = vk::align_up(uint64_t{chunk} * h.n_embd * 4, align);
  const uint64_t partials =
      std::max(ops::attention_scratch_bytes(chunk, h.n_head, full_geometry(h, ctx, types), caps),
               ops::attention_scratch_bytes(chunk, h.n_head, swa_geometry(h, ctx, chunk, types), caps));
  return 2 * q + 2 * kv + o + vk::align_up(partials, align);
}

GptOss::GptOss(DrainKey key, vk::GpuContext& gpu, const GgufFile& file, const ModelHparams& h,
               const ModelOptions& options, const MemoryPlan& plan)
    : MoeModel(key, gpu, file, h, options, plan, "post_attention_norm"),
      ring_(uses_ring(h, plan.ctx, plan.prefill_chunk)),
      full_(kv::KvCache::create(gpu.device(), &gpu.budget(), h.n_layer - swa_layers(h),
                                full_geometry(h, plan.ctx, plan.kv_type))),
      swa_(kv::KvCache::create(gpu.device(), &gpu.budget(), swa_layers(h),
                               swa_geometry(h, plan.ctx, plan.prefill_chunk, plan.kv_type))) {
  const uint64_t c = chunk_;
  q_ = scratch(c * h.n_head * h.head_dim_k * 4, "attention queries");
  attn_ = scratch(c * h.n_head * h.head_dim_k * 4, "attention output");
  k_ = scratch(c * h.n_head_kv * h.head_dim_k * 4, "attention keys");
  v_ = scratch(c * h.n_head_kv * h.head_dim_k * 4, "attention values");
  o_ = scratch(c * h.n_embd * 4, "attention projection");
  attn_scratch_ = scratch(std::max(ops::attention_scratch_bytes(chunk_, h.n_head, full_.geometry(), gpu.caps()),
                                   ops::attention_scratch_bytes(chunk_, h.n_head, swa_.geometry(), gpu.caps())),
                          "attention partials");
  uint32_t full = 0, swa = 0;
  for (uint32_t l = 0; l < h.n_layer; ++l) {
    auto vec = [&](const char* name) { return weights_.vector(block_tensor(l, name)); };
    auto mat = [&](const char* name) { return weights_.matrix(block_tensor(l, name)); };
    AttentionWeights w{vec("attn_norm.weight"), vec("attn_q.bias"),  vec("attn_k.bias"),
                       vec("attn_v.bias"),      vec("attn_output.bias"), vec("attn_sinks.weight"),
                       mat("attn_q.weight"),    mat("attn_k.weight"), mat("attn_v.weight"),
                       mat("attn_output.weight")};
    w.swa = h.is_swa(l);
    w.cache_layer = w.swa ? swa++ : full++;
    layers_.push_back(w);
  }
  setup_residency(options);
}

StepResult GptOss::eval(std::span<const int32_t> tokens, uint32_t pos, const LogitsRequest& request) {
  require(!ring_ || pos == next_pos_ || pos == 0, ErrorKind::InvalidArgument,
          "gpt-oss's sliding-window layers keep only the last " + std::to_string(swa_.geometry().capacity) +
              " positions: evaluation must continue at position " + std::to_string(next_pos_) +
              " or start again at 0, not at " + std::to_string(pos));
  next_pos_ = UINT32_MAX;  // until the evaluation completes
  StepResult r = MoeModel::eval(tokens, pos, request);
  next_pos_ = pos + static_cast<uint32_t>(tokens.size());
  return r;
}

// Into the ring at row pos % capacity: a chunk that wraps is stored in two runs.
void GptOss::store_kv(vk::Recorder& rec, const AttentionWeights& w, const vk::BufferView& k, const vk::BufferView& v,
                      uint32_t pos, uint32_t n) {
  const ops::KvLayerView cache = w.swa ? swa_.layer(w.cache_layer) : full_.layer(w.cache_layer);
  if (!w.swa || !ring_) {
    ops::kv_store(rec, k, v, cache, pos, n);
    return;
  }
  const uint32_t cap = cache.geo.capacity, row0 = pos % cap, first = std::min(n, cap - row0);
  ops::kv_store(rec, k, v, cache, row0, first);
  if (first == n) return;
  const uint64_t skip = uint64_t{first} * h_.n_head_kv * h_.head_dim_k * 4;
  ops::kv_store(rec, k.sub(skip, k.size - skip), v.sub(skip, v.size - skip), cache, 0, n - first);
}

void GptOss::record_mixer(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n) {
  const uint32_t hd = h_.head_dim_k, nq = h_.n_head * hd, nkv = h_.n_head_kv * hd;
  const vk::BufferView x = x_.view(0, uint64_t{n} * h_.n_embd * 4), xn = xn_.view(0, uint64_t{n} * h_.n_embd * 4);
  const vk::BufferView q = q_.view(0, uint64_t{n} * nq * 4), k = k_.view(0, uint64_t{n} * nkv * 4);
  const vk::BufferView v = v_.view(0, uint64_t{n} * nkv * 4), attn = attn_.view(0, uint64_t{n} * nq * 4);
  const vk::BufferView o = o_.view(0, uint64_t{n} * h_.n_embd * 4);
  const AttentionWeights& w = layers_[layer];

  ops::rms_norm(rec, x, w.norm, xn, {n, h_.n_embd, h_.rms_eps});
  rec.compute_barrier();
  ops::linear(rec, w.q, xn, q, n);
  ops::linear(rec, w.k, xn, k, n);
  ops::linear(rec, w.v, xn, v, n);
  rec.compute_barrier();
  ops::add_bias(rec, {q}, w.q_bias, {q}, nq, n);
  ops::add_bias(rec, {k}, w.k_bias, {k}, nkv, n);
  ops::add_bias(rec, {v}, w.v_bias, {v}, nkv, n);
  rec.compute_barrier();
  const RopeScaling& rs = h_.rope_scaling;
  ops::RopeShape rope{n, h_.n_head, hd, h_.n_rot, w.swa ? h_.rope_freq_base_swa : h_.rope_freq_base};
  rope.freq_scale = rs.freq_scale;
  rope.ext_factor = rs.ext_factor;
  rope.attn_factor = rs.attn_factor;
  rope.n_ctx_orig = rs.n_ctx_orig;
  rope.beta_fast = rs.beta_fast;
  rope.beta_slow = rs.beta_slow;
  const vk::BufferView positions = positions_.view(0, uint64_t{n} * 4);
  ops::rope_neox(rec, q, positions, q, rope);
  rope.n_heads = h_.n_head_kv;
  ops::rope_neox(rec, k, positions, k, rope);
  rec.compute_barrier();
  store_kv(rec, w, k, v, pos, n);
  rec.compute_barrier();
  const ops::KvLayerView cache = w.swa ? swa_.layer(w.cache_layer) : full_.layer(w.cache_layer);
  ops::AttentionShape shape{n, pos, h_.n_head};
  if (w.swa) {
    shape.window = h_.n_swa;
    shape.ring = ring_;
  }
  ops::attention(rec, q, cache, attn, attn_scratch_.view(), shape, {}, w.sinks);
  rec.compute_barrier();
  ops::linear(rec, w.o, attn, o, n);
  rec.compute_barrier();
  ops::add_bias(rec, {o}, w.o_bias, {o}, h_.n_embd, n);
  rec.compute_barrier();
  ops::add(rec, x, o, x, n * h_.n_embd);
  rec.compute_barrier();
}

}  // namespace rotary
