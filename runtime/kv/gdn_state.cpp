#include "runtime/kv/gdn_state.h"

#include <string>

namespace rotary::kv {

GdnState::GdnState(const ops::GdnShape& shape, uint32_t layers, uint64_t align)
    : shape_(shape), layers_(layers), align_(align) {}

uint64_t GdnState::bytes_per_sequence(const vk::DeviceCaps& caps, const ops::GdnShape& shape,
                                      uint32_t layers) {
  return GdnState(shape, layers, vk::binding_alignment(caps)).layer_stride() * layers;
}

GdnState GdnState::create(vk::Device& device, vk::MemoryBudget* budget, const ops::GdnShape& shape,
                          uint32_t layers, uint32_t sequences) {
  shape.validate();
  require(layers > 0 && sequences > 0, ErrorKind::InvalidArgument,
          "Gated DeltaNet state: needs at least one layer and one sequence");
  GdnState s(shape, layers, vk::binding_alignment(device.caps()));
  for (uint32_t q = 0; q < sequences; ++q)
    s.buffers_.push_back(vk::Buffer::create(
        device, budget, s.layer_stride() * layers, vk::MemoryKind::DeviceLocal,
        vk::MemoryUse::KvCache, "Gated DeltaNet state of sequence " + std::to_string(q)));
  return s;
}

void GdnState::check(uint32_t layer, uint32_t seq) const {
  require(layer < layers_ && seq < buffers_.size(), ErrorKind::Internal,
          "Gated DeltaNet state: layer " + std::to_string(layer) + " / sequence " +
              std::to_string(seq) + " is out of range");
}

vk::BufferView GdnState::conv(uint32_t layer, uint32_t seq) const {
  check(layer, seq);
  return buffers_[seq].view(layer * layer_stride(), conv_bytes());
}

vk::BufferView GdnState::delta(uint32_t layer, uint32_t seq) const {
  check(layer, seq);
  return buffers_[seq].view(layer * layer_stride() + delta_offset(),
                            shape_.delta_state_floats() * 4);
}

void GdnState::clear(vk::Recorder& rec, uint32_t seq) const {
  check(0, seq);
  // Whatever wrote or read the state before (ops, uploads, an earlier clear) is done with it.
  const vk::Access before{VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_TRANSFER_BIT,
                          VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT};
  rec.barrier(before, vk::access::kTransferWrite);
  rec.fill(buffers_[seq].view(), 0);
  rec.barrier(vk::access::kTransferWrite, vk::access::kComputeReadWrite);
}

}  // namespace rotary::kv
