#pragma once
// The lookup tables the IQ weight kernels read from a buffer at set 1 (quant/iq_grid.glsl), as
// the words to put there: the grids of shaders/quant/grids/*.inc back to back at the offsets of
// shaders/quant/iq_tables.h.
#include <cstdint>
#include <span>

#include "shaders/registry.h"

namespace rotary::shaders {

std::span<const uint32_t> lookup_tables();

// How many descriptor sets the variant's SPIR-V declares (one past the largest DescriptorSet
// decoration): 2 for the shaders that read the lookup tables at set 1, else 1.
uint32_t descriptor_set_count(const ShaderEntry& entry);

}  // namespace rotary::shaders
