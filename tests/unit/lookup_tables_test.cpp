// The IQ lookup tables as the kernels get them (shaders/lookup_tables.h): the buffer's words are
// the loader's tables at the offsets the shaders use, and exactly the weight kernels of the grid
// types declare set 1, where the pipeline cache binds them.
#include <doctest/doctest.h>

#include <string>

#include "loader/quant/iq_grids.h"
#include "runtime/ops/weight_types.h"
#include "shaders/lookup_tables.h"
#include "shaders/quant/iq_tables.h"

namespace rotary {
namespace {

template <size_t N>
bool same_words(std::span<const uint32_t> all, uint32_t at, const uint32_t (&grid)[N]) {
  if (at + N > all.size()) return false;
  for (size_t i = 0; i < N; ++i)
    if (all[at + i] != grid[i]) return false;
  return true;
}

TEST_CASE("lookup tables: every grid at its offset, nothing else") {
  const std::span<const uint32_t> t = shaders::lookup_tables();
  CHECK(t.size() == shaders::IQ_TABLE_WORDS);
  CHECK(same_words(t, shaders::IQ2XXS_GRID_AT, quant::kIQ2XXSGrid));
  CHECK(same_words(t, shaders::IQ2XS_GRID_AT, quant::kIQ2XSGrid));
  CHECK(same_words(t, shaders::IQ2S_GRID_AT, quant::kIQ2SGrid));
  CHECK(same_words(t, shaders::IQ3XXS_GRID_AT, quant::kIQ3XXSGrid));
  CHECK(same_words(t, shaders::IQ3S_GRID_AT, quant::kIQ3SGrid));
  CHECK(same_words(t, shaders::IQ1S_GRID_AT, quant::kIQ1SGrid));
}

TEST_CASE("lookup tables: exactly the weight kernels of the grid IQ types declare set 1") {
  const char* families[] = {"get_rows",         "matvec",      "matmul",          "expert_gate_up",
                            "expert_down",      "expert_gate_up_mm", "expert_down_mm"};
  size_t with_tables = 0;
  for (GgmlType type : ops::weight_kernel_types())
    for (const char* f : families)
      for (const char* suffix : {"", "_nosg"}) {
        const std::string name = ops::weight_shader(f, type) + suffix;
        CAPTURE(name);
        const shaders::ShaderEntry* e = shaders::find(name);
        REQUIRE(e != nullptr);
        const uint32_t want = ops::weight_type_reads_tables(type) ? 2 : 1;
        CHECK(shaders::descriptor_set_count(*e) == want);
        with_tables += want == 2;
      }
  CHECK(with_tables == 7 * 7 * 2);
  // Every other variant (the _u16 paths, coopmat, ...) of those types declares set 1 too, and no
  // shader of any other type does: a shader reads the tables exactly when its name names a grid type.
  for (const shaders::ShaderEntry& e : shaders::all()) {
    const std::string name(e.name);
    bool grid = false;
    for (GgmlType type : ops::weight_kernel_types()) {
      if (!ops::weight_type_reads_tables(type)) continue;
      const std::string t = "_" + ops::weight_shader("", type).substr(1);
      for (size_t at = name.find(t); at != std::string::npos; at = name.find(t, at + 1)) {
        const size_t end = at + t.size();
        grid = grid || end == name.size() || name[end] == '_';
      }
    }
    CAPTURE(name);
    CHECK(shaders::descriptor_set_count(e) == (grid ? 2u : 1u));
  }
}

TEST_CASE("lookup tables: the set count survives malformed SPIR-V") {
  const uint32_t zero_count[] = {0x07230203u, 0x10000u, 0, 8, 0, 0u};  // an instruction of 0 words
  CHECK(shaders::descriptor_set_count({"x", zero_count, 6}) == 1);
  // OpDecorate %1 DescriptorSet 1, cut after the decoration: not read past the end.
  const uint32_t cut[] = {0x07230203u, 0x10000u, 0, 8, 0, (4u << 16) | 71u, 1, 34};
  CHECK(shaders::descriptor_set_count({"x", cut, 8}) == 1);
  const uint32_t whole[] = {0x07230203u, 0x10000u, 0, 8, 0, (4u << 16) | 71u, 1, 34, 1};
  CHECK(shaders::descriptor_set_count({"x", whole, 9}) == 2);
}

}  // namespace
}  // namespace rotary
