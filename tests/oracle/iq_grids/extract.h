#pragma once
// The lookup tables of the IQ quant types, read out of llama.cpp's own dequantisation (ggml's
// to_float in the oracle's libggml-base): each entry is recovered by decoding a crafted block
// whose scale is a known power of two and whose code selects that entry. The tables are data of
// the formats' definitions; extracting them keeps rotary free of copied source.
//
// Every grid entry is a run of 8 (IQ2_*, IQ1_S) or 4 (IQ3_*) element values, stored as bytes,
// little-endian, in 32-bit words: IQ2 and IQ3 values unsigned, IQ1_S values signed (-1, 0, 1).
#include <cstdint>
#include <string>
#include <vector>

namespace rotary::iq_grids {

struct Grid {
  std::string name;             // "iq2xxs": the file shaders/quant/grids/<name>.inc
  uint32_t entries;             // table entries
  uint32_t values_per_entry;    // 8 or 4
  std::vector<uint32_t> words;  // entries * values_per_entry / 4 words
};

// iq2xxs (256 x 8), iq2xs (512 x 8), iq2s (1024 x 8), iq3xxs (256 x 4), iq3s (512 x 4),
// iq1s (2048 x 8), and ksigns (128 entries of one byte each, 4 per word): the sign byte for a
// 7-bit index (bit j set: element j negative).
std::vector<Grid> extract_all();

// The text of a .inc file: words as "0x%08xu", comma separated, 8 per line, no trailing comma
// (valid inside a C++ brace initialiser and a GLSL array constructor).
std::string inc_text(const Grid& g);

}  // namespace rotary::iq_grids
