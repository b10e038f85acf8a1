#pragma once
// Elementwise ops over float vectors and row-structured arrays. Like every op they record into a
// Recorder and never submit. Views may start at any multiple of 4 bytes (ops/bind.h); the output
// may be one of the inputs (in place).
#include <cstdint>

#include "runtime/vk/recorder.h"

namespace rotary::ops {

// Rows of a 2-D float array: row r starts `stride` floats after row r-1 (0: packed, stride =
// the row length the op is given).
struct Rows {
  vk::BufferView view;
  uint32_t stride = 0;
};

struct ElementwiseTuning {
  uint32_t workgroup_size = 0;  // 0: 256, or the device's maximum when smaller
};

// y[i] = a[i] + b[i] for i < n. The views may alias y (in-place residual add).
void add(vk::Recorder& rec, const vk::BufferView& a, const vk::BufferView& b,
         const vk::BufferView& y, uint32_t n, const ElementwiseTuning& tuning = {});

// y[i] = x[i] * s for i < n.
void scale(vk::Recorder& rec, const vk::BufferView& x, const vk::BufferView& y, uint32_t n, float s,
           const ElementwiseTuning& tuning = {});

// y[r][c] = silu(gate[r][c]) * up[r][c], silu(v) = v / (1 + exp(-v)), for n_rows rows of n_cols.
void swiglu(vk::Recorder& rec, const Rows& gate, const Rows& up, const Rows& y, uint32_t n_cols,
            uint32_t n_rows, const ElementwiseTuning& tuning = {});

// The same over merged rows [gate (n_ff) | up (n_ff)] (a fused gate+up projection): y is
// [n_rows][n_ff], packed.
void swiglu_merged(vk::Recorder& rec, const vk::BufferView& gate_up, const vk::BufferView& y,
                   uint32_t n_ff, uint32_t n_rows, const ElementwiseTuning& tuning = {});

// y[r][c] = x[r][c] * sigmoid(gate[r][c]) (Qwen3.5's gated attention output).
void mul_sigmoid(vk::Recorder& rec, const Rows& x, const Rows& gate, const Rows& y, uint32_t n_cols,
                 uint32_t n_rows, const ElementwiseTuning& tuning = {});

// y[r][c] = x[r][c] * sigmoid(s[r]): one scalar per row (Qwen3.5's shared-expert gate).
void mul_sigmoid_row(vk::Recorder& rec, const Rows& x, const vk::BufferView& s, const Rows& y,
                     uint32_t n_cols, uint32_t n_rows, const ElementwiseTuning& tuning = {});

// y[r][c] = x[r][c] + bias[c]: one bias row added to every row (gpt-oss's projection biases). y
// may be x.
void add_bias(vk::Recorder& rec, const Rows& x, const vk::BufferView& bias, const Rows& y,
              uint32_t n_cols, uint32_t n_rows, const ElementwiseTuning& tuning = {});

}  // namespace rotary::ops
