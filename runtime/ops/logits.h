#pragma once
// Argmax and top-k over a logits row on the GPU, so that a greedy step reads back one id, not
// the vocabulary. Multi-workgroup: each workgroup reduces a block of the row to its best k, then
// one workgroup (or more passes, for very long rows) reduces the candidates. Order: value
// descending, then index ascending (llama.cpp's greedy sampler keeps the first maximum).
// NaN logits are not supported.
#include <cstdint>

#include "runtime/vk/recorder.h"

namespace rotary::ops {

struct LogitsTuning {
  uint32_t workgroup_size = 0;  // 0: 256
  uint32_t per_invocation = 0;  // logits each invocation holds in registers; 0: 16
};

// Scratch bytes logits_topk / logits_argmax need for a row of n_vocab and this k.
uint64_t logits_topk_scratch_bytes(uint32_t n_vocab, uint32_t k, const vk::DeviceCaps& caps,
                                   const LogitsTuning& tuning = {});

// The k best of logits[0 .. n_vocab): out_ids (uint32) and out_values (f32), k each, in order.
void logits_topk(vk::Recorder& rec, const vk::BufferView& logits, uint32_t n_vocab, uint32_t k,
                 const vk::BufferView& out_ids, const vk::BufferView& out_values,
                 const vk::BufferView& scratch, const LogitsTuning& tuning = {});

// The greedy token: out_id[0] = the index of the largest logit (the lowest index among equals).
void logits_argmax(vk::Recorder& rec, const vk::BufferView& logits, uint32_t n_vocab,
                   const vk::BufferView& out_id, const vk::BufferView& scratch,
                   const LogitsTuning& tuning = {});

}  // namespace rotary::ops
