#pragma once
// The recurrent state of the Gated DeltaNet layers, per layer and sequence, f32 throughout:
//   conv  [conv_kernel - 1][conv_channels]  the last conv_kernel-1 inputs of the conv (the
//         attn_qkv projections of the latest tokens), oldest row first. Time-major so that the
//         per-channel invocations of gdn_conv read and write it coalesced.
//   delta [v_heads][dim_v][dim_k]  the delta-rule state S of each value head, stored
//         transposed (row v is column v of S, k contiguous), which is llama.cpp's layout too.
// Qwen3.5/3.6-35B-A3B: 96 KiB + 2 MiB per layer, 30 layers: 62.8 MiB per sequence.
// One buffer per sequence (counted as KV cache in the budget); every view starts at the
// device's binding alignment. A new sequence starts from zeros (clear).
#include <cstdint>
#include <vector>

#include "runtime/ops/gdn_shape.h"
#include "runtime/vk/memory.h"
#include "runtime/vk/recorder.h"

namespace rotary::kv {

class GdnState {
 public:
  // `layers` counts the Gated DeltaNet layers only (the model maps its layer index to them).
  static GdnState create(vk::Device& device, vk::MemoryBudget* budget, const ops::GdnShape& shape,
                         uint32_t layers, uint32_t sequences);
  // Bytes one sequence takes on `caps`, alignment included.
  static uint64_t bytes_per_sequence(const vk::DeviceCaps& caps, const ops::GdnShape& shape,
                                     uint32_t layers);

  const ops::GdnShape& shape() const { return shape_; }
  uint32_t layers() const { return layers_; }
  uint32_t sequences() const { return static_cast<uint32_t>(buffers_.size()); }

  vk::BufferView conv(uint32_t layer, uint32_t seq) const;
  vk::BufferView delta(uint32_t layer, uint32_t seq) const;

  // Records zero fills of every layer of `seq` and a barrier before compute reads them.
  void clear(vk::Recorder& rec, uint32_t seq) const;

 private:
  GdnState(const ops::GdnShape& shape, uint32_t layers, uint64_t align);
  uint64_t conv_bytes() const { return shape_.conv_state_floats() * 4; }
  uint64_t delta_offset() const { return vk::align_up(conv_bytes(), align_); }
  uint64_t layer_stride() const {
    return vk::align_up(delta_offset() + shape_.delta_state_floats() * 4, align_);
  }
  void check(uint32_t layer, uint32_t seq) const;

  ops::GdnShape shape_;
  uint32_t layers_ = 0;
  uint64_t align_ = 4;
  std::vector<vk::Buffer> buffers_;
};

}  // namespace rotary::kv
