// The IQ lookup tables rotary compiles (shaders/quant/grids/*.inc through loader/quant/iq_grids.h)
// against the tables read out of llama.cpp's dequantisation now (tests/oracle/iq_grids): every
// entry of every grid and of the sign table. The dequantize tests then check whole blocks.
#include <doctest/doctest.h>

#include <bit>
#include <map>
#include <span>
#include <string>

#include "loader/quant/iq_grids.h"
#include "tests/oracle/iq_grids/extract.h"

using namespace rotary;

TEST_CASE("iq_grids: every entry of every IQ table equals llama.cpp's") {
  const std::map<std::string, std::span<const uint32_t>> ours = {
      {"iq2xxs", quant::kIQ2XXSGrid}, {"iq2xs", quant::kIQ2XSGrid}, {"iq2s", quant::kIQ2SGrid},
      {"iq3xxs", quant::kIQ3XXSGrid}, {"iq3s", quant::kIQ3SGrid},   {"iq1s", quant::kIQ1SGrid},
      {"ksigns", quant::kKSigns}};
  const std::vector<iq_grids::Grid> extracted = iq_grids::extract_all();
  REQUIRE(extracted.size() == ours.size());
  for (const iq_grids::Grid& g : extracted) {
    CAPTURE(g.name);
    REQUIRE(ours.contains(g.name));
    const std::span<const uint32_t> table = ours.at(g.name);
    REQUIRE(table.size() == g.words.size());
    REQUIRE(g.words.size() * 4 == size_t{g.entries} * g.values_per_entry);
    const uint32_t words_per_entry = g.values_per_entry / 4;
    for (uint32_t e = 0; e < g.entries; ++e) {
      if (words_per_entry == 0) {  // ksigns: one byte per entry
        CHECK_MESSAGE(quant::ksigns(e) == static_cast<uint8_t>(g.words[e / 4] >> (8 * (e % 4))), "entry ", e);
        continue;
      }
      for (uint32_t w = 0; w < words_per_entry; ++w)
        CHECK_MESSAGE(table[e * words_per_entry + w] == g.words[e * words_per_entry + w], "entry ", e);
    }
  }
  // The shaders compute the sign byte instead of looking it up: the index plus a parity bit.
  for (uint32_t s = 0; s < 128; ++s) {
    CAPTURE(s);
    CHECK(quant::ksigns(s) == (s | ((std::popcount(s) & 1u) << 7)));
  }
}
