#pragma once
// ggml shape arithmetic shared by the GGUF reader, writer and catalogue, so that they agree on
// what a valid shape is.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "loader/ggml_types.h"

namespace rotary {

// Elements of a shape (ggml ne order), or nullopt when a dimension or the product reaches 2^63
// (ggml counts in int64). A zero dimension makes an empty tensor, whatever the others are.
std::optional<uint64_t> shape_elements(std::span<const uint64_t> shape);

// Bytes of a tensor of `elements` elements of `type`, or nullopt when that overflows 64 bits.
// The caller has checked that rows are whole blocks.
std::optional<uint64_t> shape_bytes(GgmlType type, uint64_t elements);

// "{2048, 151936}".
std::string shape_text(std::span<const uint64_t> shape);

}  // namespace rotary
