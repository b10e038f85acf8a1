#include "shaders/lookup_tables.h"

#include <algorithm>

#include "shaders/quant/iq_tables.h"

namespace rotary::shaders {

namespace {

// The .inc files are comma-separated words without a trailing comma.
constexpr uint32_t kTables[] = {
#include "shaders/quant/grids/iq2xxs.inc"
    ,
#include "shaders/quant/grids/iq2xs.inc"
    ,
#include "shaders/quant/grids/iq2s.inc"
    ,
#include "shaders/quant/grids/iq3xxs.inc"
    ,
#include "shaders/quant/grids/iq3s.inc"
    ,
#include "shaders/quant/grids/iq1s.inc"
};
static_assert(sizeof(kTables) / sizeof(kTables[0]) == IQ_TABLE_WORDS);
// Each table ends where the next begins (sizes from iq_tables.h).
static_assert(IQ2XS_GRID_AT - IQ2XXS_GRID_AT == 256 * 2 && IQ2S_GRID_AT - IQ2XS_GRID_AT == 512 * 2 &&
              IQ3XXS_GRID_AT - IQ2S_GRID_AT == 1024 * 2 && IQ3S_GRID_AT - IQ3XXS_GRID_AT == 256 &&
              IQ1S_GRID_AT - IQ3S_GRID_AT == 512 && IQ_TABLE_WORDS - IQ1S_GRID_AT == 2048 * 2);

}  // namespace

std::span<const uint32_t> lookup_tables() { return kTables; }

uint32_t descriptor_set_count(const ShaderEntry& entry) {
  constexpr uint32_t kOpDecorate = 71, kDescriptorSet = 34;
  uint32_t sets = 1;
  // Instructions follow the 5-word header; each starts with (word count << 16) | opcode.
  for (size_t i = 5; i < entry.word_count;) {
    const uint32_t count = entry.words[i] >> 16, op = entry.words[i] & 0xFFFFu;
    if (count == 0) break;  // malformed: stop rather than loop
    if (op == kOpDecorate && count >= 4 && i + 3 < entry.word_count && entry.words[i + 2] == kDescriptorSet)
      sets = std::max(sets, entry.words[i + 3] + 1);
    i += count;
  }
  return sets;
}

}  // namespace rotary::shaders
