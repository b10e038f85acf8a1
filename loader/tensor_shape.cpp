#include "loader/tensor_shape.h"

#include <algorithm>
#include <limits>

namespace rotary {

std::optional<uint64_t> shape_elements(std::span<const uint64_t> shape) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  for (uint64_t ne : shape)
    if (ne > kMax) return std::nullopt;
  if (std::find(shape.begin(), shape.end(), uint64_t{0}) != shape.end()) return 0;
  uint64_t n = 1;
  for (uint64_t ne : shape) {
    if (n > kMax / ne) return std::nullopt;
    n *= ne;
  }
  return n;
}

std::optional<uint64_t> shape_bytes(GgmlType type, uint64_t elements) {
  const auto& info = ggml_type_info(type);
  const uint64_t blocks = elements / info.block_size;
  if (blocks > std::numeric_limits<uint64_t>::max() / info.type_size) return std::nullopt;
  return blocks * info.type_size;
}

std::string shape_text(std::span<const uint64_t> shape) {
  std::string s = "{";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "}";
}

}  // namespace rotary
