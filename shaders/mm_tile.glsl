// The tiled matrix product shared by matmul.comp and expert_matmul.comp: a workgroup computes a
// BM x BN tile (BM weight rows, BN tokens) of NMAT weight matrices against the same activations,
// stepping through K in chunks of 32. Per chunk, invocations dequantise BM rows x 32 of each
// matrix into shared memory (one chunk_decode each, bit-identical with the CPU reference) and
// load BN x 32 activations; then each invocation accumulates a TM x TN sub-tile from shared
// memory. Rows of an invocation are tm + i * (BM / TM), tokens tn + j * (BN / TN), so a subgroup
// reads consecutive shared words. Every output is one f32 fma chain over k = 0, 1, ..., K - 1,
// whatever the tile, the grid or the other tokens: a result never depends on the dispatch split.
//
// Shared memory: 4 * (NMAT * 32 * BM + 32 * (BN + 1)) bytes (the host checks the device limit).
// The kernel defines before including: NMAT, and
//   uint  mm_src(uint mat)            weight source of matrix mat (workgroup-uniform)
//   uint  mm_row(uint mat, uint m)    byte offset of row m of matrix mat (m < the tile's valid rows)
//   float mm_x(uint n, uint k)        activation k of the tile's token n (n < the valid tokens)
#ifndef ROTARY_MM_TILE_GLSL
#define ROTARY_MM_TILE_GLSL

layout(constant_id = 2) const uint BM = 64;
layout(constant_id = 3) const uint BN = 64;
layout(constant_id = 4) const uint TM = 8;
layout(constant_id = 5) const uint TN = 8;
const uint BK = 32u;

shared float mm_w[NMAT * BK * BM];
shared float mm_xs[BK * (BN + 1u)];
float mm_acc[NMAT * TM * TN];  // [mat][i][j]

// Accumulates the tile whose rows m < m_valid and tokens n < n_valid are real; K = cols.
void mm_run(uint m_valid, uint n_valid, uint cols) {
  const uint tid = gl_LocalInvocationID.x;
  const uint tm = tid % (BM / TM), tn = tid / (BM / TM);
  for (uint i = 0u; i < NMAT * TM * TN; ++i) mm_acc[i] = 0.0;
  const uint chunks = (cols + BK - 1u) / BK;
  for (uint c = 0u; c < chunks; ++c) {
    for (uint t = tid; t < NMAT * BM; t += gl_WorkGroupSize.x) {
      const uint mat = t / BM, m = t % BM;
      float v[32];
      if (m < m_valid) {
        chunk_decode(mm_src(mat), mm_row(mat, m), c, cols, v);
      } else {
        for (uint k = 0u; k < BK; ++k) v[k] = 0.0;
      }
      for (uint k = 0u; k < BK; ++k) mm_w[(mat * BK + k) * BM + m] = v[k];
    }
    for (uint t = tid; t < BN * BK; t += gl_WorkGroupSize.x) {
      const uint n = t / BK, k = t % BK, col = c * BK + k;
      mm_xs[k * (BN + 1u) + n] = (n < n_valid && col < cols) ? mm_x(n, col) : 0.0;
    }
    barrier();
    for (uint k = 0u; k < BK; ++k) {
      float b[TN];
      for (uint j = 0u; j < TN; ++j) b[j] = mm_xs[k * (BN + 1u) + tn + j * (BN / TN)];
      for (uint mat = 0u; mat < NMAT; ++mat)
        for (uint i = 0u; i < TM; ++i) {
          const float a = mm_w[(mat * BK + k) * BM + tm + i * (BM / TM)];
          for (uint j = 0u; j < TN; ++j) mm_acc[(mat * TM + i) * TN + j] += a * b[j];
        }
    }
    barrier();
  }
}

// The tile row and token of accumulator (i, j) of this invocation.
uint mm_m(uint i) { return gl_LocalInvocationID.x % (BM / TM) + i * (BM / TM); }
uint mm_n(uint j) { return gl_LocalInvocationID.x / (BM / TM) + j * (BN / TN); }

#endif
