#include "loader/synth/weights.h"

#include <cmath>
#include <string>

#include "base/error.h"

namespace rotary::synth {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.ends_with(suffix);
}

WeightInit normal(float mean, float std_dev) {
  return {WeightInit::Kind::Normal, mean, std_dev};
}

}  // namespace

WeightInit synth_weight_init(std::string_view name, std::span<const uint64_t> shape,
                             uint32_t n_layer) {
  const float n_in = shape.empty() ? 1.0f : static_cast<float>(shape[0]);
  const float matrix = 1.0f / std::sqrt(n_in);
  if (name == "token_embd.weight") return normal(0, 1);
  if (name == "output.weight") return normal(0, 3 * matrix);
  if (ends_with(name, "_norm.weight")) return normal(1, 0.05f);
  if (ends_with(name, "ffn_gate_inp.weight")) return normal(0, 2 * matrix);
  if (ends_with(name, "ffn_gate_inp_shexp.weight")) return normal(0, matrix);
  if (ends_with(name, "ssm_conv1d.weight")) return normal(0, matrix);  // n_in = kernel size
  if (ends_with(name, "ssm_dt.bias")) return normal(-1, 0.5f);
  // gpt-oss: sinks of the order of the attention scores; biases small beside the products; the
  // router's bias as large as its products, so that it matters for the choice.
  if (ends_with(name, "attn_sinks.weight")) return normal(0, 1);
  if (ends_with(name, "ffn_gate_inp.bias")) return normal(0, 1);
  if (ends_with(name, "attn_output.bias") || ends_with(name, "ffn_down_exps.bias"))
    return normal(0, 0.1f / std::sqrt(static_cast<float>(n_layer)));
  if (ends_with(name, ".bias")) return normal(0, 0.1f);
  // ssm_a = -exp(A_log): per-step decay exp(softplus(.) * a) stays mostly within 0.3 .. 1.
  if (ends_with(name, "ssm_a")) return {WeightInit::Kind::Uniform, -1.5f, -0.05f};
  for (const char* writer :
       {"attn_output.weight", "ssm_out.weight", "ffn_down_exps.weight", "ffn_down_shexp.weight"})
    if (ends_with(name, writer)) return normal(0, matrix / std::sqrt(static_cast<float>(n_layer)));
  for (const char* reader :
       {"attn_q.weight", "attn_k.weight", "attn_v.weight", "attn_qkv.weight", "attn_gate.weight",
        "ssm_beta.weight", "ssm_alpha.weight", "ssm_ba.weight", "ffn_gate_exps.weight",
        "ffn_up_exps.weight", "ffn_gate_shexp.weight", "ffn_up_shexp.weight"})
    if (ends_with(name, reader)) return normal(0, matrix);
  throw Error(ErrorKind::Internal,
              "synth has no weight distribution for tensor '" + std::string(name) + "'");
}

void generate_float_row(const WeightInit& init, uint64_t seed, uint64_t tensor_key, uint64_t row,
                        std::span<float> out) {
  Xoshiro256 rng(stream_seed(seed, tensor_key, row));
  for (float& v : out) v = init.sample(rng);
}

}  // namespace rotary::synth
