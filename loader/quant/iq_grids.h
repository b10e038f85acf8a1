#pragma once
// The lookup tables of the IQ quant types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S/IQ1_M),
// shared with the shaders: shaders/quant/grids/<name>.inc, read out of llama.cpp's
// dequantisation by rotary-extract-iq-grids (tests/oracle/iq_grids) and checked entry by entry
// by the oracle test iq_grids. Entry i of a grid with 8 values per entry is words 2i, 2i + 1
// (value j is byte j % 4 of word 2i + j / 4); with 4 values, word i.
#include <cstdint>
#include <span>

namespace rotary::quant {

inline constexpr uint32_t kIQ2XXSGrid[512] = {
#include "shaders/quant/grids/iq2xxs.inc"
};
inline constexpr uint32_t kIQ2XSGrid[1024] = {
#include "shaders/quant/grids/iq2xs.inc"
};
inline constexpr uint32_t kIQ2SGrid[2048] = {
#include "shaders/quant/grids/iq2s.inc"
};
inline constexpr uint32_t kIQ3XXSGrid[256] = {
#include "shaders/quant/grids/iq3xxs.inc"
};
inline constexpr uint32_t kIQ3SGrid[512] = {
#include "shaders/quant/grids/iq3s.inc"
};
inline constexpr uint32_t kIQ1SGrid[4096] = {  // signed values -1, 0, 1
#include "shaders/quant/grids/iq1s.inc"
};
// Sign byte of a 7-bit index: the index with an eighth bit making the count of set bits even.
inline constexpr uint32_t kKSigns[32] = {
#include "shaders/quant/grids/ksigns.inc"
};

// Value j of an entry, as stored.
inline uint8_t grid_byte(std::span<const uint32_t> grid, uint32_t word, uint32_t j) {
  return static_cast<uint8_t>(grid[word + j / 4] >> (8 * (j % 4)));
}
inline uint8_t ksigns(uint32_t index) { return static_cast<uint8_t>(kKSigns[index / 4] >> (8 * (index % 4))); }

}  // namespace rotary::quant
