// Where each IQ lookup table lies in the one read-only buffer that holds them all (in 32-bit
// words), written once for C++ (shaders/lookup_tables.cpp fills the buffer) and GLSL
// (quant/iq_grid.glsl reads it at set 1, binding 0). The tables are shaders/quant/grids/*.inc:
// an entry of 8 values is two words (value j is byte j % 4 of word j / 4), of 4 values one word.
#ifndef ROTARY_SHADERS_QUANT_IQ_TABLES_H
#define ROTARY_SHADERS_QUANT_IQ_TABLES_H

#ifdef __cplusplus
#include <cstdint>
#define ROTARY_TABLE_WORD inline constexpr uint32_t
namespace rotary::shaders {
#else
#define ROTARY_TABLE_WORD const uint
#endif

ROTARY_TABLE_WORD IQ2XXS_GRID_AT = 0u;     // 256 entries of 8
ROTARY_TABLE_WORD IQ2XS_GRID_AT = 512u;    // 512 entries of 8
ROTARY_TABLE_WORD IQ2S_GRID_AT = 1536u;    // 1024 entries of 8
ROTARY_TABLE_WORD IQ3XXS_GRID_AT = 3584u;  // 256 entries of 4
ROTARY_TABLE_WORD IQ3S_GRID_AT = 3840u;    // 512 entries of 4
ROTARY_TABLE_WORD IQ1S_GRID_AT = 4352u;    // 2048 entries of 8 signed values (IQ1_S, IQ1_M)
ROTARY_TABLE_WORD IQ_TABLE_WORDS = 8448u;

#ifdef __cplusplus
}  // namespace rotary::shaders
#endif
#undef ROTARY_TABLE_WORD

#endif
