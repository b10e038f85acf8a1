#include "loader/model_check.h"

#include <algorithm>
#include <bit>
#include <string>
#include <utility>

#include "base/error.h"
#include "loader/model_catalog.h"

namespace rotary {

namespace {

class LimitCheck {
 public:
  LimitCheck(const ModelHparams& h, const GgufFile& file) : h_(h), file_(file) {}

  // `key` without the architecture prefix; `problem` says which values rotary runs.
  void require_key(bool ok, const char* key, uint64_t value, const std::string& supported) const {
    if (ok) return;
    throw Error(ErrorKind::Unsupported, file_.source() + ": metadata key '" +
                                            std::string(architecture_name(h_.arch)) + "." + key +
                                            "' is " + std::to_string(value) + ": " + supported);
  }

 private:
  const ModelHparams& h_;
  const GgufFile& file_;
};

std::string range(uint32_t lo, uint32_t hi) {
  return std::to_string(lo) + ".." + std::to_string(hi);
}

std::string powers_of_two(uint32_t lo, uint32_t hi) {
  std::string out;
  for (uint64_t p = lo; p <= hi; p *= 2) out += (out.empty() ? "" : ", ") + std::to_string(p);
  return out;
}

void check_attention(const LimitCheck& c, const ModelHparams& h, const KernelLimits& l) {
  const std::string heads =
      "rotary's attention kernels run head sizes " + powers_of_two(l.min_head_dim, l.max_head_dim);
  for (auto [key, v] :
       {std::pair{"attention.key_length", h.head_dim_k}, {"attention.value_length", h.head_dim_v}})
    c.require_key(std::has_single_bit(v) && v >= l.min_head_dim && v <= l.max_head_dim, key, v,
                  "the attention head size; " + heads);
  c.require_key(
      h.head_dim_v == h.head_dim_k, "attention.value_length", h.head_dim_v,
      "rotary's attention runs value heads of the key heads' size (attention.key_length " +
          std::to_string(h.head_dim_k) + ")");
  c.require_key(
      h.n_rot <= l.max_rope_dims, "rope.dimension_count", h.n_rot,
      "rotary's RoPE rotates at most " + std::to_string(l.max_rope_dims) + " dimensions per head");
}

// qwen35moe rotates with interleaved multi-section RoPE (llama.cpp's IMROPE). For text every
// section sees the token's position, except that pairs falling outside the first three sections
// take the fourth position, which is 0 for text (no rotation). With the real models' sections
// (11, 11, 10, 0 over 32 pairs) no pair does, and the whole thing is NEOX RoPE on n_rot dims;
// a file whose sections leave some pair to the fourth is refused rather than run differently.
void check_text_rope(const GgufFile& file, const ModelHparams& h) {
  if (h.arch != Architecture::Qwen35Moe) return;  // qwen3next: plain NEOX RoPE
  const auto& s = h.rope_sections;
  const int32_t dims = s[0] + s[1] + s[2] + s[3];  // read_hparams: at least n_rot / 2
  for (uint32_t pair = 0; pair < h.n_rot / 2; ++pair) {
    const int32_t sector = static_cast<int32_t>(pair) % dims;
    const bool first_three = (sector % 3 == 0 && sector < 3 * s[0]) ||
                             (sector % 3 == 1 && sector < 3 * s[1]) ||
                             (sector % 3 == 2 && sector < 3 * s[2]);
    if (!first_three)
      throw Error(ErrorKind::Unsupported,
                  file.source() + ": metadata key 'qwen35moe.rope.dimension_sections' is [" +
                      std::to_string(s[0]) + ", " + std::to_string(s[1]) + ", " +
                      std::to_string(s[2]) + ", " + std::to_string(s[3]) +
                      "], which leaves rotary pair " + std::to_string(pair) +
                      " to the fourth section; rotary's text RoPE runs sections whose first three "
                      "cover every pair");
  }
}

void check_gated_delta_net(const LimitCheck& c, const ModelHparams& h, const KernelLimits& l) {
  if (!h.has_gated_delta_net()) return;
  c.require_key(
      h.ssm.state_size <= l.max_ssm_state, "ssm.state_size", h.ssm.state_size,
      "rotary's Gated DeltaNet kernels run head sizes up to " + std::to_string(l.max_ssm_state));
  c.require_key(h.ssm.conv_kernel >= l.min_conv_kernel && h.ssm.conv_kernel <= l.max_conv_kernel,
                "ssm.conv_kernel", h.ssm.conv_kernel,
                "rotary's Gated DeltaNet convolution runs kernels of " +
                    range(l.min_conv_kernel, l.max_conv_kernel));
}

void check_weight_types(const GgufFile& file, const KernelLimits& l) {
  if (l.weight_types.empty()) return;
  const GgufTensorInfo* first = nullptr;
  uint32_t count = 0;
  for (const GgufTensorInfo& t : file.tensors())
    if (std::find(l.weight_types.begin(), l.weight_types.end(), t.type) == l.weight_types.end()) {
      if (!first) first = &t;
      ++count;
    }
  if (!first) return;
  std::string types;
  for (GgmlType t : l.weight_types)
    types += (types.empty() ? "" : ", ") + std::string(ggml_type_name(t));
  throw Error(ErrorKind::Unsupported,
              file.source() + ": " + first->name + " is " + std::string(ggml_type_name(first->type)) +
                  ", a type rotary has no kernels for" +
                  (count > 1 ? " (" + std::to_string(count - 1) + " more tensors are in such types: rotary info lists them)"
                             : std::string()) +
                  "; rotary runs " + types);
}

}  // namespace

void check_kernel_limits(const ModelHparams& h, const GgufFile& file, const KernelLimits& l) {
  const LimitCheck c(h, file);
  check_attention(c, h, l);
  check_text_rope(file, h);
  c.require_key(
      h.n_expert <= l.max_experts, "expert_count", h.n_expert,
      "rotary's GPU router picks among at most " + std::to_string(l.max_experts) + " experts");
  c.require_key(h.n_expert_used <= l.max_experts_used, "expert_used_count", h.n_expert_used,
                "rotary's GPU router picks at most " + std::to_string(l.max_experts_used) +
                    " experts per token");
  check_gated_delta_net(c, h, l);
  // gpt-oss rotates whole heads and scales scores by 1/sqrt(n_rot) (llama.cpp's graph), which
  // rotary's attention computes as 1/sqrt(head_dim).
  if (h.arch == Architecture::GptOss)
    c.require_key(h.n_rot == h.head_dim_k, "rope.dimension_count", h.n_rot,
                  "rotary runs gpt-oss with RoPE over the whole head (attention.key_length " +
                      std::to_string(h.head_dim_k) + ")");
  check_weight_types(file, l);
}

ModelHparams validate_model(const GgufFile& file, const KernelLimits& limits) {
  ModelHparams h = read_hparams(file.metadata());
  validate_tensors(h, file);
  check_kernel_limits(h, file, limits);
  return h;
}

}  // namespace rotary
