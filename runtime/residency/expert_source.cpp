#include "runtime/residency/expert_source.h"

#include <algorithm>
#include <string>

#include "base/error.h"
#include "loader/model_catalog.h"
#include "loader/tensor_names.h"

namespace rotary {

ExpertSource::ExpertSource(const GgufFile& file, const ModelHparams& h)
    : file_(file.bytes()), n_expert_(h.n_expert), n_embd_(h.n_embd), n_ff_(h.n_ff_exp) {
  for (uint32_t l = 0; l < h.n_layer; ++l) {
    const std::string p = block_prefix(l);
    Layer L{file.find_tensor(p + "ffn_gate_exps.weight"), file.find_tensor(p + "ffn_up_exps.weight"),
            file.find_tensor(p + "ffn_down_exps.weight"), GgmlType::F32, GgmlType::F32};
    require(L.gate && L.up && L.down, ErrorKind::InvalidModel, "layer " + std::to_string(l) + " has no routed experts");
    require(L.gate->type == L.up->type, ErrorKind::Unsupported,
            "layer " + std::to_string(l) + ": ffn_gate_exps is " + std::string(ggml_type_name(L.gate->type)) +
                " but ffn_up_exps is " + std::string(ggml_type_name(L.up->type)) +
                "; rotary needs gate and up of one type");
    for (const GgufTensorInfo* t : {L.gate, L.down})
      require(ggml_type_info(t->type).supported_by_rotary, ErrorKind::Unsupported,
              t->name + " is " + std::string(ggml_type_name(t->type)) +
                  ", a type rotary has no kernels for; rotary runs " + supported_type_names());
    L.gate_up_type = L.gate->type;
    L.down_type = L.down->type;
    const ExpertMatrices m{expert_slice(*L.gate, 0), expert_slice(*L.up, 0), expert_slice(*L.down, 0)};
    max_gate_ = std::max<uint64_t>(max_gate_, m.gate.size());
    max_up_ = std::max<uint64_t>(max_up_, m.up.size());
    max_down_ = std::max<uint64_t>(max_down_, m.down.size());
    total_ += m.bytes() * n_expert_;
    layers_.push_back(L);
  }
}

ExpertMatrices ExpertSource::matrices(uint32_t layer, uint32_t expert) const {
  const Layer& L = layers_.at(layer);
  return {expert_slice(*L.gate, expert), expert_slice(*L.up, expert), expert_slice(*L.down, expert)};
}

}  // namespace rotary

namespace rotary {

std::vector<std::span<const std::byte>> ExpertSource::tensor_spans(uint32_t layer) const {
  const Layer& L = layers_.at(layer);
  return {L.gate->data, L.up->data, L.down->data};
}

std::vector<std::span<const std::byte>> ExpertSource::all_tensor_spans() const {
  std::vector<std::span<const std::byte>> out;
  for (uint32_t l = 0; l < layers(); ++l)
    for (const auto& s : tensor_spans(l)) out.push_back(s);
  return out;
}

}  // namespace rotary
