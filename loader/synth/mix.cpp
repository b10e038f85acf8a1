#include "loader/synth/mix.h"

#include <cctype>

namespace rotary::synth {

namespace {

struct QuantInfo {
  SynthQuant quant;
  std::string_view name;
  uint32_t file_type;  // llama_ftype
};

constexpr QuantInfo kQuants[] = {
    {SynthQuant::F32, "F32", 0},        {SynthQuant::F16, "F16", 1},
    {SynthQuant::BF16, "BF16", 32},     {SynthQuant::Q8_0, "Q8_0", 7},
    {SynthQuant::Q4_0, "Q4_0", 2},      {SynthQuant::Q4_K, "Q4_K", 14},
    {SynthQuant::Q5_K, "Q5_K", 16},     {SynthQuant::Q6_K, "Q6_K", 18},
    {SynthQuant::IQ4_XS, "IQ4_XS", 30}, {SynthQuant::MXFP4_MOE, "MXFP4", 38},
    {SynthQuant::Q4_K_M, "Q4_K_M", 15},
};

const QuantInfo& info(SynthQuant q) {
  for (const auto& i : kQuants)
    if (i.quant == q) return i;
  return kQuants[0];
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

GgmlType plain_type(SynthQuant q) {
  switch (q) {
    case SynthQuant::F32:
      return GgmlType::F32;
    case SynthQuant::F16:
      return GgmlType::F16;
    case SynthQuant::BF16:
      return GgmlType::BF16;
    case SynthQuant::Q8_0:
      return GgmlType::Q8_0;
    case SynthQuant::Q4_0:
      return GgmlType::Q4_0;
    case SynthQuant::Q5_K:
      return GgmlType::Q5_K;
    case SynthQuant::Q6_K:
      return GgmlType::Q6_K;
    case SynthQuant::IQ4_XS:
      return GgmlType::IQ4_XS;
    default:
      return GgmlType::Q4_K;
  }
}

}  // namespace

std::optional<SynthQuant> synth_quant_from_name(std::string_view name) {
  if (iequal(name, "MXFP4_MOE")) return SynthQuant::MXFP4_MOE;
  for (const auto& i : kQuants)
    if (iequal(i.name, name)) return i.quant;
  return std::nullopt;
}

std::string_view synth_quant_name(SynthQuant quant) {
  return info(quant).name;
}

std::string synth_quant_names() {
  std::string s;
  for (const auto& i : kQuants) s += (s.empty() ? "" : ", ") + std::string(i.name);
  return s;
}

uint32_t synth_file_type(SynthQuant quant) {
  return info(quant).file_type;
}

bool use_more_bits(uint32_t layer, uint32_t n_layer) {
  const int64_t i = layer, n = n_layer;
  return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

// As llama.cpp's tensor_allows_quantization for these architectures.
bool is_quantisable(std::string_view name, size_t n_dims) {
  return n_dims >= 2 && name.ends_with("weight") && !contains(name, "_norm.weight") &&
         !contains(name, "ffn_gate_inp.weight") && !contains(name, "ssm_conv1d");
}

GgmlType synth_tensor_type(SynthQuant quant, std::string_view name, size_t n_dims, uint32_t layer,
                           uint32_t n_layer) {
  if (!is_quantisable(name, n_dims)) return GgmlType::F32;
  if (quant == SynthQuant::MXFP4_MOE) return n_dims == 3 ? GgmlType::MXFP4 : GgmlType::Q8_0;
  if (quant != SynthQuant::Q4_K_M) return plain_type(quant);
  if (name == "output.weight") return GgmlType::Q6_K;
  const bool attn_v_like = contains(name, "attn_v.weight") || contains(name, "attn_qkv.weight");
  if ((attn_v_like || contains(name, "ffn_down")) && use_more_bits(layer, n_layer))
    return GgmlType::Q6_K;
  return GgmlType::Q4_K;
}

}  // namespace rotary::synth
