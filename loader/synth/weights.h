#pragma once
// The random weights of synth models: a distribution per tensor, chosen so that activations stay
// well-conditioned through many layers, and two ways to make a tensor's bytes.
//
// Scales: matrices read by a projection have std 1/sqrt(n_in) (outputs of unit scale from inputs
// of unit RMS); the projections that write into the residual stream (attn_output, ssm_out,
// ffn_down*) have std 1/sqrt(n_in * n_layer), so that the stream's RMS stays about 1 after any
// number of layers; norm weights are 1 +- 0.05. The router's logits have std 2 and the output
// head's std 3, so that top-k choices and greedy steps are rarely near-ties.
#include <cstdint>
#include <span>
#include <string_view>

#include "loader/ggml_types.h"
#include "loader/synth/random.h"

namespace rotary::synth {

struct WeightInit {
  enum class Kind { Normal, Uniform };
  Kind kind = Kind::Normal;
  float a = 0;  // Normal: mean; Uniform: low end
  float b = 0;  // Normal: standard deviation; Uniform: high end

  float sample(Xoshiro256& rng) const {
    return kind == Kind::Normal ? a + b * rng.normal() : a + (b - a) * rng.uniform();
  }
};

// The distribution of tensor `name` with shape `shape` (ne order) in a model of `n_layer` blocks.
// Error(Internal) for a name it does not know.
WeightInit synth_weight_init(std::string_view name, std::span<const uint64_t> shape,
                             uint32_t n_layer);

// One row of `out.size()` floats: element j of row `row` of the tensor keyed `tensor_key`.
// Depends only on (seed, tensor_key, row), so a tensor holds the same values in every type.
void generate_float_row(const WeightInit& init, uint64_t seed, uint64_t tensor_key, uint64_t row,
                        std::span<float> out);

// Random blocks of `type` (Q8_0, Q4_0, MXFP4, Q4_K, Q5_K, Q6_K, IQ4_XS) drawn directly, without
// floats: uniform random codes, and scales set so that the values have mean 0 and standard
// deviation `std_dev`. `out` is a whole number of blocks. This is how full-size models are
// written at disk speed; Error(Unsupported) for other types.
void generate_random_blocks(GgmlType type, float std_dev, Xoshiro256& rng,
                            std::span<std::byte> out);

}  // namespace rotary::synth
