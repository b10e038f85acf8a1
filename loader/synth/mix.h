#pragma once
// Which ggml type each tensor of a synth model gets. A plain type (Q8_0, Q4_K, ...) puts every
// quantisable tensor in that type; Q4_K_M and MXFP4 are llama.cpp's mixes (models.md section 3).
// Never quantised, in any mix: 1-D tensors, norms, routers (ffn_gate_inp), ssm_conv1d, ssm_a and
// ssm_dt (they stay F32).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "loader/ggml_types.h"

namespace rotary::synth {

enum class SynthQuant { F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K, IQ4_XS, MXFP4_MOE, Q4_K_M };

// Case-insensitive: "Q4_K_M", "q8_0", "mxfp4" (= "MXFP4_MOE").
std::optional<SynthQuant> synth_quant_from_name(std::string_view name);
std::string_view synth_quant_name(SynthQuant quant);
std::string synth_quant_names();  // for messages: "F32, F16, ..."
// general.file_type: llama.cpp's llama_ftype (a plain K type is written as its _S variant).
uint32_t synth_file_type(SynthQuant quant);

// llama.cpp's use_more_bits: the layers where Q4_K_M keeps attn_v and ffn_down at Q6_K.
bool use_more_bits(uint32_t layer, uint32_t n_layer);

// False for the tensors that stay F32 in every mix.
bool is_quantisable(std::string_view name, size_t n_dims);

// The type of tensor `name` (n_dims dimensions; `layer` its block, ignored outside blocks).
GgmlType synth_tensor_type(SynthQuant quant, std::string_view name, size_t n_dims, uint32_t layer,
                           uint32_t n_layer);

}  // namespace rotary::synth
