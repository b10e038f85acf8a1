#include <doctest/doctest.h>

#include "loader/ggml_types.h"

namespace rotary {
namespace {

TEST_CASE("ggml type table: the sizes of models.md") {
  struct Want {
    GgmlType t;
    uint32_t block, bytes;
  };
  for (const Want& w : {Want{GgmlType::F32, 1, 4}, Want{GgmlType::F16, 1, 2}, Want{GgmlType::BF16, 1, 2},
                        Want{GgmlType::Q4_0, 32, 18}, Want{GgmlType::Q8_0, 32, 34}, Want{GgmlType::Q2_K, 256, 84},
                        Want{GgmlType::Q3_K, 256, 110}, Want{GgmlType::Q4_K, 256, 144},
                        Want{GgmlType::Q5_K, 256, 176}, Want{GgmlType::Q6_K, 256, 210},
                        Want{GgmlType::IQ4_XS, 256, 136}, Want{GgmlType::MXFP4, 32, 17}}) {
    const auto& info = ggml_type_info(w.t);
    CAPTURE(info.name);
    CHECK(info.block_size == w.block);
    CHECK(info.type_size == w.bytes);
  }
}

TEST_CASE("ggml type lookup by id and by name") {
  CHECK(!ggml_type_info(4u).has_value());  // Q4_2, removed
  CHECK(!ggml_type_info(31u).has_value());
  CHECK(!ggml_type_info(1000u).has_value());
  CHECK(ggml_type_info(12u)->type == GgmlType::Q4_K);
  CHECK(ggml_type_from_name("Q4_K") == GgmlType::Q4_K);
  CHECK(ggml_type_from_name("mxfp4") == GgmlType::MXFP4);
  CHECK(!ggml_type_from_name("q4_k_m").has_value());
  CHECK(ggml_row_bytes(GgmlType::Q4_K, 2048) == 8u * 144u);
  CHECK(!ggml_row_bytes(GgmlType::Q4_K, 100).has_value());
}

}  // namespace
}  // namespace rotary
