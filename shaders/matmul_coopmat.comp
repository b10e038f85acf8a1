#version 450
// Y[t][r] = sum_c W[r][c] * X[t][c] with cooperative matrices (VK_KHR_cooperative_matrix, f16
// 16 x 16 x 16 tiles, f32 accumulators): the prompt-processing matmul where the device has them
// (ops::choose_matmul_path). A workgroup is four subgroups of the size the pipeline requires and
// computes a 64 x 64 tile (weight rows x tokens): per chunk of 32 columns it dequantises 64 rows
// (chunk_decode, then rounded to f16) and 64 tokens' activations (rounded to f16) into shared
// memory; each subgroup multiplies a 32 x 32 quarter (2 x 2 accumulators), and the accumulators
// go through shared memory to Y with bounds checks. Weights and activations are rounded to f16
// (about 5e-4 relative each; values past 65504 overflow), the sums are f32.
//
// Written against GL_NV_cooperative_matrix because Debian bookworm's glslang 12 has no
// GL_KHR_cooperative_matrix; B matrices carry workgroup scope as a marker, and the build rewrites
// the module to SPV_KHR_cooperative_matrix (cmake/tools/spirv_coopmat_khr.cpp). Not run on any
// device yet (lavapipe has no cooperative matrices; docs/kernels.md).
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#extension GL_KHR_shader_subgroup_basic : require
#include "common.glsl"

layout(local_size_x_id = 0) in;  // 4 x the required subgroup size

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 0) readonly buffer Weights4 { uvec4 w4[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform PushBlock { MatmulPush p; };

uint wload(uint src, uint i) { return w[i]; }
uvec4 wload4(uint src, uint i) { return w4[i]; }
float xload(uint i) { return x[i]; }  // unit_dot is not used here
vec4 xload4(uint i) { return vec4(0.0); }

#include "quant/type.glsl"

#define MAT_A fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define MAT_B fcoopmatNV<16, gl_ScopeWorkgroup, 16, 16>  // -> MatrixBKHR, subgroup scope
#define MAT_C fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>

const uint BM = 64u, BN = 64u, BK = 32u;
const uint STRIDE = BK + 8u;  // f16 elements per shared row (padding against bank conflicts)
shared float16_t s_w[BM * STRIDE];  // [row][k]
shared float16_t s_x[BN * STRIDE];  // [token][k]: B read column-major
shared float s_y[BM * BN];          // [row][token]

void main() {
  const uint m0 = gl_WorkGroupID.x * BM, n0 = gl_WorkGroupID.y * BN;
  if (m0 >= p.rows || n0 >= p.n) return;  // whole workgroup
  const uint tid = gl_LocalInvocationID.x;
  const uint sm = 32u * (gl_SubgroupID & 1u), sn = 32u * (gl_SubgroupID >> 1);
  MAT_C acc[4];
  for (uint i = 0u; i < 4u; ++i) acc[i] = MAT_C(0.0);
  const uint chunks = (p.cols + BK - 1u) / BK;
  for (uint c = 0u; c < chunks; ++c) {
    for (uint m = tid; m < BM; m += gl_WorkGroupSize.x) {
      float v[32];
      if (m0 + m < p.rows) {
        chunk_decode(0u, p.w_skip + (m0 + m) * p.row_bytes, c, p.cols, v);
      } else {
        for (uint k = 0u; k < BK; ++k) v[k] = 0.0;
      }
      for (uint k = 0u; k < BK; ++k) s_w[m * STRIDE + k] = float16_t(v[k]);
    }
    for (uint t = tid; t < BN * BK; t += gl_WorkGroupSize.x) {
      const uint n = t / BK, k = t % BK, col = c * BK + k;
      const bool real = n0 + n < p.n && col < p.cols;
      s_x[n * STRIDE + k] = float16_t(real ? x[p.x_offset + (n0 + n) * p.x_stride + col] : 0.0);
    }
    barrier();
    for (uint kk = 0u; kk < BK; kk += 16u) {
      MAT_A a[2];
      MAT_B b[2];
      for (uint i = 0u; i < 2u; ++i) coopMatLoadNV(a[i], s_w, (sm + 16u * i) * STRIDE + kk, STRIDE, false);
      for (uint j = 0u; j < 2u; ++j) coopMatLoadNV(b[j], s_x, (sn + 16u * j) * STRIDE + kk, STRIDE, true);
      for (uint i = 0u; i < 2u; ++i)
        for (uint j = 0u; j < 2u; ++j) acc[2u * i + j] = coopMatMulAddNV(a[i], b[j], acc[2u * i + j]);
    }
    barrier();
  }
  for (uint i = 0u; i < 2u; ++i)
    for (uint j = 0u; j < 2u; ++j)
      coopMatStoreNV(acc[2u * i + j], s_y, (sm + 16u * i) * BN + sn + 16u * j, BN, false);
  barrier();
  for (uint t = tid; t < BM * BN; t += gl_WorkGroupSize.x) {
    const uint m = t % BM, n = t / BM;
    if (m0 + m < p.rows && n0 + n < p.n) y[p.y_offset + (n0 + n) * p.y_stride + m0 + m] = s_y[m * BN + n];
  }
}
