// The dot path (MATVEC_DOT): activations as Q8_1 blocks and 4 x 8-bit integer dot products.
// A Q8_1 block of 32 activations is 10 words: {d f32, s f32, 32 x int8 q}, value q * d and
// s = d * sum(q) (shaders/quantize_q8_1.comp); block b of a vector that starts at word xb is
// words [xb + 10 b, xb + 10 b + 10).
//
// The kernel defines, before including quant/type.glsl:
//   uint xq_word(uint xb, uint b, uint j)   quant word j (0..7: elements 4j .. 4j + 3) of block b
//   vec2 xq_ds(uint xb, uint b)             (d, s) of block b
// and a type file that has the path implements
//   float unit_dot_q8(src, row, u, xb)      unit u's contribution, as unit_dot with x = q * d
#ifndef ROTARY_QUANT_DOT_Q8_GLSL
#define ROTARY_QUANT_DOT_Q8_GLSL

#extension GL_EXT_spirv_intrinsics : require

// OpSDot (SPV_KHR_integer_dot_product, core in SPIR-V 1.6) with PackedVectorFormat4x8Bit:
// the sum of the products of the four signed bytes of a and b. glslang 12 has no GLSL builtin
// for it (GL_EXT_integer_dot_product came later), hence the intrinsic.
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int rt_sdot_packed(int a, int b, spirv_literal int packed_format);

int dot4x8(uint a, uint b) { return rt_sdot_packed(int(a), int(b), 0); }

// Sum of the four signed bytes of a word.
int sum4x8(uint a) { return dot4x8(a, 0x01010101u); }

#endif
