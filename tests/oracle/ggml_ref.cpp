#include "tests/oracle/ggml_ref.h"

#include <ggml.h>

#include <cstring>

#include "base/error.h"

namespace rotary::ggml_ref {

namespace {

// rotary numbers types as GGUF files do, which is ggml's enum: checked here against the header of
// the exact llama.cpp release, so a renumbering fails the build instead of a test.
#define ROTARY_SAME_ID(name) static_assert(static_cast<int>(GgmlType::name) == GGML_TYPE_##name, #name)
ROTARY_SAME_ID(F32); ROTARY_SAME_ID(F16); ROTARY_SAME_ID(Q4_0); ROTARY_SAME_ID(Q4_1); ROTARY_SAME_ID(Q5_0);
ROTARY_SAME_ID(Q5_1); ROTARY_SAME_ID(Q8_0); ROTARY_SAME_ID(Q8_1); ROTARY_SAME_ID(Q2_K); ROTARY_SAME_ID(Q3_K);
ROTARY_SAME_ID(Q4_K); ROTARY_SAME_ID(Q5_K); ROTARY_SAME_ID(Q6_K); ROTARY_SAME_ID(Q8_K); ROTARY_SAME_ID(IQ2_XXS);
ROTARY_SAME_ID(IQ2_XS); ROTARY_SAME_ID(IQ3_XXS); ROTARY_SAME_ID(IQ1_S); ROTARY_SAME_ID(IQ4_NL);
ROTARY_SAME_ID(IQ3_S); ROTARY_SAME_ID(IQ2_S); ROTARY_SAME_ID(IQ4_XS); ROTARY_SAME_ID(I8); ROTARY_SAME_ID(I16);
ROTARY_SAME_ID(I32); ROTARY_SAME_ID(I64); ROTARY_SAME_ID(F64); ROTARY_SAME_ID(IQ1_M); ROTARY_SAME_ID(BF16);
ROTARY_SAME_ID(TQ1_0); ROTARY_SAME_ID(TQ2_0); ROTARY_SAME_ID(MXFP4); ROTARY_SAME_ID(NVFP4); ROTARY_SAME_ID(Q1_0);
ROTARY_SAME_ID(Q2_0);
#undef ROTARY_SAME_ID

ggml_type to_ggml(GgmlType type) { return static_cast<ggml_type>(type); }

}  // namespace

TypeTraits traits(GgmlType type) { return traits_by_id(static_cast<uint32_t>(type)); }

TypeTraits traits_by_id(uint32_t id) {
  require(id < type_count(), ErrorKind::InvalidArgument, "ggml_ref: no ggml type id " + std::to_string(id));
  const ggml_type_traits* t = ggml_get_type_traits(static_cast<ggml_type>(id));
  return {t->type_name ? t->type_name : "", t->blck_size, t->type_size, t->is_quantized};
}

uint32_t type_count() { return GGML_TYPE_COUNT; }

bool can_quantize(GgmlType type) {
  switch (type) {
    case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16:
    case GgmlType::Q4_0: case GgmlType::Q4_1: case GgmlType::Q5_0: case GgmlType::Q5_1: case GgmlType::Q8_0:
    case GgmlType::Q2_K: case GgmlType::Q3_K: case GgmlType::Q4_K: case GgmlType::Q5_K: case GgmlType::Q6_K:
    case GgmlType::IQ3_XXS: case GgmlType::IQ3_S: case GgmlType::IQ2_S: case GgmlType::IQ4_NL:
    case GgmlType::IQ2_XXS: case GgmlType::IQ2_XS: case GgmlType::IQ1_S: case GgmlType::IQ1_M:
    case GgmlType::IQ4_XS: case GgmlType::TQ1_0: case GgmlType::TQ2_0: case GgmlType::MXFP4:
    case GgmlType::NVFP4: case GgmlType::Q1_0: case GgmlType::Q2_0:
      return !ggml_quantize_requires_imatrix(to_ggml(type));
    default:
      return false;
  }
}

std::vector<uint8_t> quantize(GgmlType type, const float* src, int64_t rows, int64_t n_per_row,
                              const float* imatrix) {
  const ggml_type t = to_ggml(type);
  require(can_quantize(type) || (imatrix != nullptr && ggml_quantize_requires_imatrix(t)), ErrorKind::Unsupported,
          std::string("ggml_ref::quantize: llama.cpp has no quantiser for ") + ggml_type_name(t) +
              (ggml_quantize_requires_imatrix(t) ? " without an importance matrix" : ""));
  const int64_t block = ggml_blck_size(t);
  require(rows > 0 && n_per_row > 0 && n_per_row % block == 0, ErrorKind::InvalidArgument,
          "ggml_ref::quantize: " + std::to_string(n_per_row) + " elements per row is not a whole number of " +
              ggml_type_name(t) + " blocks of " + std::to_string(block));
  std::vector<uint8_t> out(ggml_row_size(t, n_per_row) * static_cast<size_t>(rows));
  const size_t written = ggml_quantize_chunk(t, src, out.data(), 0, rows, n_per_row, imatrix);
  require(written == out.size(), ErrorKind::Internal, "ggml_quantize_chunk wrote an unexpected size");
  return out;
}

void dequantize(GgmlType type, const void* src, float* dst, int64_t n) {
  const ggml_type t = to_ggml(type);
  require(n >= 0 && n % ggml_blck_size(t) == 0, ErrorKind::InvalidArgument,
          "ggml_ref::dequantize: " + std::to_string(n) + " is not a whole number of " + ggml_type_name(t) +
              " blocks");
  if (t == GGML_TYPE_F32) {  // ggml has no to_float for F32: it is the identity
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  const ggml_type_traits* tt = ggml_get_type_traits(t);
  require(tt->to_float != nullptr, ErrorKind::Unsupported,
          std::string("ggml_ref::dequantize: llama.cpp has no dequantiser for ") + ggml_type_name(t));
  tt->to_float(src, dst, n);
}

}  // namespace rotary::ggml_ref
