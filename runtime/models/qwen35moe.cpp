#include "runtime/models/qwen35moe.h"

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

namespace {

struct Sizes {
  uint64_t qg, q, kv, mix, sh_ff, sh_scale;
};

Sizes sizes(const ModelHparams& h, uint32_t chunk) {
  const uint64_t t = chunk, q = uint64_t{h.n_head} * h.head_dim_k;
  return {t * 2 * q * 4,        t * q * 4, t * h.n_head_kv * h.head_dim_k * 4, t * h.n_embd * 4,
          t * h.n_ff_shexp * 4, t * 4};
}

}  // namespace

uint32_t Qwen35Moe::attention_layers(const ModelHparams& h) {
  return h.n_layer - GatedDeltaNet::recurrent_layers(h);
}

ops::KvGeometry Qwen35Moe::kv_geometry(const ModelHparams& h, uint32_t ctx, ops::KvTypes types) {
  require(h.head_dim_k == h.head_dim_v, ErrorKind::Unsupported,
          "attention with key and value head sizes that differ");
  const ops::KvGeometry geo{types, h.n_head_kv, h.head_dim_k, ctx};
  ops::validate(geo);
  return geo;
}

uint64_t Qwen35Moe::scratch_bytes(const ModelHparams& h, uint32_t chunk, const ops::KvGeometry& geo,
                                  const vk::DeviceCaps& caps) {
  const uint64_t a = vk::binding_alignment(caps);
  auto al = [a](uint64_t b) { return vk::align_up(std::max<uint64_t>(b, 4), a); };
  const Sizes s = sizes(h, chunk);
  const uint64_t attention = al(s.qg) + 2 * al(s.q) + 2 * al(s.kv) +
                             al(ops::attention_scratch_bytes(chunk, h.n_head, geo, caps));
  const uint64_t shared = 2 * al(s.sh_ff) + al(s.mix) + al(s.sh_scale);
  return attention + al(s.mix) + shared + GatedDeltaNet::scratch_bytes(h, chunk, caps);
}

uint64_t Qwen35Moe::recurrent_bytes(const ModelHparams& h, const vk::DeviceCaps& caps) {
  const uint32_t layers = GatedDeltaNet::recurrent_layers(h);
  return layers ? kv::GdnState::bytes_per_sequence(caps, GatedDeltaNet::shape(h), layers) : 0;
}

Qwen35Moe::Qwen35Moe(DrainKey key, vk::GpuContext& gpu, const GgufFile& file, const ModelHparams& h,
                     const ModelOptions& options, const MemoryPlan& plan)
    : MoeModel(key, gpu, file, h, options, plan, "post_attention_norm"),
      kv_(kv::KvCache::create(gpu.device(), &gpu.budget(), attention_layers(h),
                              kv_geometry(h, plan.ctx, plan.kv_type))),
      gdn_(gpu, weights_, h_, chunk_) {
  require(h.has_shared_expert(), ErrorKind::InvalidModel,
          "the model has no shared expert (expert_shared_feed_forward_length)");
  kv_index_.assign(h.n_layer, UINT32_MAX);
  for (uint32_t l = 0, i = 0; l < h.n_layer; ++l) {
    LayerWeights w;
    w.attn_norm = weights_.vector(block_tensor(l, "attn_norm.weight"));
    if (!h.is_recurrent(l)) {
      kv_index_[l] = i++;
      w.q_norm = weights_.vector(block_tensor(l, "attn_q_norm.weight"));
      w.k_norm = weights_.vector(block_tensor(l, "attn_k_norm.weight"));
      w.q = weights_.matrix(block_tensor(l, "attn_q.weight"));
      w.k = weights_.matrix(block_tensor(l, "attn_k.weight"));
      w.v = weights_.matrix(block_tensor(l, "attn_v.weight"));
      w.o = weights_.matrix(block_tensor(l, "attn_output.weight"));
    }
    w.sh_gate_inp = weights_.matrix(block_tensor(l, "ffn_gate_inp_shexp.weight"));  // {n_embd}: one row
    w.sh_gate = weights_.matrix(block_tensor(l, "ffn_gate_shexp.weight"));
    w.sh_up = weights_.matrix(block_tensor(l, "ffn_up_shexp.weight"));
    w.sh_down = weights_.matrix(block_tensor(l, "ffn_down_shexp.weight"));
    layers_.push_back(w);
  }
  const Sizes s = sizes(h, chunk_);
  qg_ = scratch(s.qg, "attention queries and gates");
  q_ = scratch(s.q, "attention queries");
  attn_ = scratch(s.q, "attention output");
  k_ = scratch(s.kv, "attention keys");
  v_ = scratch(s.kv, "attention values");
  attn_scratch_ =
      scratch(ops::attention_scratch_bytes(chunk_, h.n_head, kv_.geometry(), gpu.caps()),
              "attention partials");
  mix_ = scratch(s.mix, "mixer output");
  sh_gate_ = scratch(s.sh_ff, "shared expert gate");
  sh_up_ = scratch(s.sh_ff, "shared expert up");
  sh_out_ = scratch(s.mix, "shared expert output");
  sh_scale_ = scratch(s.sh_scale, "shared expert scalar gate");
  reset();
  setup_residency(options);
}

void Qwen35Moe::reset() {
  vk::Recorder rec = gpu_.compute().begin();
  gdn_.reset(rec);
  gpu_.compute().queue().wait(gpu_.compute().submit(rec));
  next_pos_ = 0;
}

StepResult Qwen35Moe::eval(std::span<const int32_t> tokens, uint32_t pos,
                           const LogitsRequest& request) {
  if (pos == 0 && next_pos_ != 0) reset();
  require(pos == next_pos_, ErrorKind::InvalidArgument,
          "the recurrent state holds " +
              (next_pos_ == UINT32_MAX ? std::string("an unfinished step")
                                       : std::to_string(next_pos_) + " tokens") +
              "; a Gated DeltaNet model continues at that position or starts again at 0, not at " +
              std::to_string(pos));
  // A step past the context is refused before it touches the state, which stays usable.
  if (uint64_t{pos} + tokens.size() > plan_.ctx) return MoeModel::eval(tokens, pos, request);
  next_pos_ = UINT32_MAX;  // until the step completes
  StepResult r = MoeModel::eval(tokens, pos, request);
  next_pos_ = pos + static_cast<uint32_t>(tokens.size());
  return r;
}

void Qwen35Moe::record_mixer(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n) {
  const uint64_t row = uint64_t{h_.n_embd} * 4;
  const vk::BufferView x = x_.view(0, n * row), xn = xn_.view(0, n * row),
                       mix = mix_.view(0, n * row);
  ops::rms_norm(rec, x, layers_[layer].attn_norm, xn, {n, h_.n_embd, h_.rms_eps});
  rec.compute_barrier();
  if (h_.is_recurrent(layer))
    gdn_.record(rec, layer, xn, mix, n);
  else
    record_attention(rec, layer, pos, n);
  ops::add(rec, x, mix, x, n * h_.n_embd);
  rec.compute_barrier();
}

void Qwen35Moe::record_attention(vk::Recorder& rec, uint32_t layer, uint32_t pos, uint32_t n) {
  const uint32_t hd = h_.head_dim_k, nq = h_.n_head * hd, nkv = h_.n_head_kv * hd;
  const vk::BufferView xn = xn_.view(0, uint64_t{n} * h_.n_embd * 4);
  const vk::BufferView qg = qg_.view(0, uint64_t{n} * 2 * nq * 4),
                       q = q_.view(0, uint64_t{n} * nq * 4);
  const vk::BufferView k = k_.view(0, uint64_t{n} * nkv * 4), v = v_.view(0, uint64_t{n} * nkv * 4);
  const vk::BufferView attn = attn_.view(0, uint64_t{n} * nq * 4);
  const LayerWeights& w = layers_[layer];
  // Per head [query hd | gate hd]: the gate rows start hd floats in, 2 hd apart.
  const ops::Rows gate{qg.sub(uint64_t{hd} * 4, qg.size - uint64_t{hd} * 4), 2 * hd};

  ops::linear(rec, w.q, xn, qg, n);
  ops::linear(rec, w.k, xn, k, n);
  ops::linear(rec, w.v, xn, v, n);
  rec.compute_barrier();
  // Per-head RMSNorm of the queries (read out of the [query | gate] rows, written packed) and keys.
  ops::rms_norm(rec, qg, w.q_norm, q, {n * h_.n_head, hd, h_.rms_eps, 2 * hd, hd});
  ops::rms_norm(rec, k, w.k_norm, k, {n * h_.n_head_kv, hd, h_.rms_eps});
  rec.compute_barrier();
  const vk::BufferView positions = positions_.view(0, uint64_t{n} * 4);
  ops::rope_neox(rec, q, positions, q, {n, h_.n_head, hd, h_.n_rot, h_.rope_freq_base});
  ops::rope_neox(rec, k, positions, k, {n, h_.n_head_kv, hd, h_.n_rot, h_.rope_freq_base});
  rec.compute_barrier();
  const ops::KvLayerView cache = kv_.layer(kv_index_[layer]);
  ops::kv_store(rec, k, v, cache, pos, n);
  rec.compute_barrier();
  ops::attention(rec, q, cache, attn, attn_scratch_.view(), {n, pos, h_.n_head});
  rec.compute_barrier();
  ops::mul_sigmoid(rec, {attn, hd}, gate, {attn, hd}, hd, n * h_.n_head);
  rec.compute_barrier();
  ops::linear(rec, w.o, attn, mix_.view(0, uint64_t{n} * h_.n_embd * 4), n);
  rec.compute_barrier();
}

// x += sigmoid(w_shg . y) * down(silu(gate y) (.) up y), y = xn (the post_attention_norm output).
void Qwen35Moe::record_ffn_extra(vk::Recorder& rec, uint32_t layer, uint32_t n) {
  const uint64_t row = uint64_t{h_.n_embd} * 4, ff = uint64_t{n} * h_.n_ff_shexp * 4;
  const vk::BufferView xn = xn_.view(0, n * row), x = x_.view(0, n * row),
                       out = sh_out_.view(0, n * row);
  const vk::BufferView g = sh_gate_.view(0, ff), u = sh_up_.view(0, ff),
                       s = sh_scale_.view(0, uint64_t{n} * 4);
  const LayerWeights& w = layers_[layer];
  ops::linear(rec, w.sh_gate, xn, g, n);
  ops::linear(rec, w.sh_up, xn, u, n);
  ops::linear(rec, w.sh_gate_inp, xn, s, n);
  rec.compute_barrier();
  ops::swiglu(rec, {g, h_.n_ff_shexp}, {u, h_.n_ff_shexp}, {g, h_.n_ff_shexp}, h_.n_ff_shexp, n);
  rec.compute_barrier();
  ops::linear(rec, w.sh_down, g, out, n);
  rec.compute_barrier();
  ops::mul_sigmoid_row(rec, {out, h_.n_embd}, s, {out, h_.n_embd}, h_.n_embd, n);
  rec.compute_barrier();
  ops::add(rec, x, out, x, n * h_.n_embd);
  rec.compute_barrier();
}

}  // namespace rotary
