#include "tests/oracle/iq_grids/extract.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "base/error.h"
#include "loader/ggml_types.h"
#include "tests/oracle/ggml_ref.h"

namespace rotary::iq_grids {

namespace {

constexpr uint16_t kOne = 0x3C00;  // fp16 1.0

// Decodes one 256-element block of `type` whose bytes are `block` (fp16 d = 1 at offset d_at).
std::vector<float> decode(GgmlType type, std::vector<uint8_t> block, int d_at) {
  block.resize(ggml_type_info(type).type_size, 0);
  if (d_at >= 0) std::memcpy(block.data() + d_at, &kOne, 2);
  std::vector<float> y(256);
  ggml_ref::dequantize(type, block.data(), y.data(), 256);
  return y;
}

// v / scale as an integer byte; throws when it is not one (the crafted block was misread).
uint8_t as_byte(float v, float scale, float offset, const std::string& what) {
  const float q = v / scale - offset;
  const long r = std::lround(q);
  require(static_cast<float>(r) == q && r >= -128 && r <= 255, ErrorKind::Internal,
          what + ": decoded value " + std::to_string(v) + " is not an integer multiple of " + std::to_string(scale));
  return static_cast<uint8_t>(r);
}

// Packs the first `n` decoded values into the grid's words.
void append(Grid& g, const std::vector<float>& y, uint32_t n, float scale, float offset) {
  for (uint32_t w = 0; w < n / 4; ++w) {
    uint32_t word = 0;
    for (uint32_t k = 0; k < 4; ++k) word |= uint32_t{as_byte(y[4 * w + k], scale, offset, g.name)} << (8 * k);
    g.words.push_back(word);
  }
}

Grid grid(const char* name, uint32_t entries, uint32_t per) { return {name, entries, per, {}}; }

// IQ2_XXS {d, qs u16[32]}: sub-block 0 = qs bytes 0..7: grid indices in bytes 0..3, then 28 sign
// bits and a 4-bit scale (0 here: scale d * 0.5 * 0.25).
Grid iq2xxs() {
  Grid g = grid("iq2xxs", 256, 8);
  for (uint32_t i = 0; i < g.entries; ++i)
    append(g, decode(GgmlType::IQ2_XXS, {0, 0, static_cast<uint8_t>(i)}, 0), 8, 0.125f, 0);
  return g;
}

// The sign table through IQ2_XXS: grid entry 0 (no zero values) with sign index s for l = 0.
Grid ksigns() {
  Grid g = grid("ksigns", 128, 1);
  uint32_t word = 0;
  for (uint32_t s = 0; s < g.entries; ++s) {
    const std::vector<float> y = decode(GgmlType::IQ2_XXS, {0, 0, 0, 0, 0, 0, static_cast<uint8_t>(s)}, 0);
    uint32_t bits = 0;
    for (uint32_t j = 0; j < 8; ++j) {
      require(y[j] != 0, ErrorKind::Internal, "ksigns: iq2xxs grid entry 0 has a zero");
      bits |= (y[j] < 0 ? 1u : 0u) << j;
    }
    word |= bits << (8 * (s % 4));
    if (s % 4 == 3) {
      g.words.push_back(word);
      word = 0;
    }
  }
  return g;
}

// IQ2_XS {d, qs u16[32], scales[8]}: qs[0] = sign index << 9 | grid index; scale d * 0.5 * 0.25.
Grid iq2xs() {
  Grid g = grid("iq2xs", 512, 8);
  for (uint32_t i = 0; i < g.entries; ++i)
    append(g, decode(GgmlType::IQ2_XS, {0, 0, static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8)}, 0), 8, 0.125f, 0);
  return g;
}

// IQ2_S {d, qs[64], qh[8], scales[8]}: index = qs[0] | (qh[0] & 3) << 8; signs in qs[32..].
Grid iq2s() {
  Grid g = grid("iq2s", 1024, 8);
  for (uint32_t i = 0; i < g.entries; ++i) {
    std::vector<uint8_t> b(82, 0);
    b[2] = static_cast<uint8_t>(i);
    b[2 + 64] = static_cast<uint8_t>(i >> 8);
    append(g, decode(GgmlType::IQ2_S, b, 0), 8, 0.125f, 0);
  }
  return g;
}

// IQ3_XXS {d, qs[96]}: grid index qs[0] gives elements 0..3; the scale word (qs[64..68)) 0 gives
// d * 0.5 * 0.5.
Grid iq3xxs() {
  Grid g = grid("iq3xxs", 256, 4);
  for (uint32_t i = 0; i < g.entries; ++i)
    append(g, decode(GgmlType::IQ3_XXS, {0, 0, static_cast<uint8_t>(i)}, 0), 4, 0.25f, 0);
  return g;
}

// IQ3_S {d, qs[64], qh[8], signs[32], scales[4]}: index = qs[0] | (qh[0] & 1) << 8; scale
// d * (1 + 2 * 0).
Grid iq3s() {
  Grid g = grid("iq3s", 512, 4);
  for (uint32_t i = 0; i < g.entries; ++i) {
    std::vector<uint8_t> b(110, 0);
    b[2] = static_cast<uint8_t>(i);
    b[66] = static_cast<uint8_t>(i >> 8);
    append(g, decode(GgmlType::IQ3_S, b, 0), 4, 1.0f, 0);
  }
  return g;
}

// IQ1_S {d, qs[32], qh u16[8]}: index = qs[0] | (qh[0] & 7) << 8; qh[0] bits 12..14 = 0 give scale
// d * 1, bit 15 = 0 a delta of +1/8: value = grid + 0.125.
Grid iq1s() {
  Grid g = grid("iq1s", 2048, 8);
  for (uint32_t i = 0; i < g.entries; ++i) {
    std::vector<uint8_t> b(50, 0);
    b[2] = static_cast<uint8_t>(i);
    b[34] = static_cast<uint8_t>(i >> 8);
    append(g, decode(GgmlType::IQ1_S, b, 0), 8, 1.0f, 0.125f);
  }
  return g;
}

}  // namespace

std::vector<Grid> extract_all() { return {iq2xxs(), iq2xs(), iq2s(), iq3xxs(), iq3s(), iq1s(), ksigns()}; }

std::string inc_text(const Grid& g) {
  std::string s;
  char buf[16];
  for (size_t i = 0; i < g.words.size(); ++i) {
    std::snprintf(buf, sizeof buf, "0x%08xu", g.words[i]);
    s += buf;
    if (i + 1 < g.words.size()) s += (i % 8 == 7) ? ",\n" : ", ";
  }
  return s + "\n";
}

}  // namespace rotary::iq_grids
