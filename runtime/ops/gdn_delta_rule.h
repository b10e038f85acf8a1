#pragma once
// The Gated DeltaNet delta rule over one sequence's state, per value head h (key head
// shape.k_head_of(h)), S of dim_k x dim_v:
//   S <- exp(g) S;  delta = beta (v - S^T k);  S <- S + k delta^T;  o = S^T q / sqrt(dim_k)
// (decay, then delta update, then read). Two forms that agree to rounding:
//   gdn_recurrent: token after token, the state held in registers and read and written once
//                  per call; the decode step (n_tokens = 1), fine for short prompts too.
//   gdn_chunked:   chunks of 64 tokens in the WY/UT form (state-independent work of all
//                  chunks in parallel, then a short sequential scan carrying the state).
//
// Inputs, all f32:
//   qkv   [n_tokens][conv_channels]: silu(conv) output with q and k L2-normalised per head
//   beta  [n_tokens][v_heads], g [n_tokens][v_heads]: from gdn_gates
//   state [v_heads][dim_v][dim_k]: S stored transposed (row v is column v of S, k contiguous,
//         as llama.cpp stores it); read and rewritten. A new sequence starts from zeros.
//   out   [n_tokens][v_heads][dim_v]
#include <cstdint>

#include "runtime/ops/gdn_shape.h"
#include "runtime/vk/recorder.h"

namespace rotary::ops {

void gdn_recurrent(vk::Recorder& rec, const GdnShape& shape, const vk::BufferView& qkv,
                   const vk::BufferView& beta, const vk::BufferView& g, const vk::BufferView& state,
                   const vk::BufferView& out, uint32_t n_tokens, const GdnTuning& tuning = {});

inline constexpr uint32_t kGdnChunk = 64;

// Scratch for `chunks` chunks of 64 tokens (all value heads): 80.25 KiB per chunk and head at
// dim_k = dim_v = 128, so 2.5 MiB per chunk for Qwen3.5/3.6.
uint64_t gdn_chunk_scratch_bytes(const GdnShape& shape, uint32_t chunks);

// `scratch` must hold at least one chunk (gdn_chunk_scratch_bytes(shape, 1)); the tokens are
// processed in passes of as many chunks as it holds, each pass a prepare and a scan dispatch
// with barriers between them. The caller records the barrier after the op.
void gdn_chunked(vk::Recorder& rec, const GdnShape& shape, const vk::BufferView& qkv,
                 const vk::BufferView& beta, const vk::BufferView& g, const vk::BufferView& state,
                 const vk::BufferView& out, const vk::BufferView& scratch, uint32_t n_tokens,
                 const GdnTuning& tuning = {});

}  // namespace rotary::ops
