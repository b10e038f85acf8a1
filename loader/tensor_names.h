#pragma once
// GGUF tensor names of per-layer weights: "blk.<layer>.<name>", written in one place for the
// loaders, the models and the residency layer.
#include <cstdint>
#include <string>
#include <string_view>

namespace rotary {

inline std::string block_prefix(uint32_t layer) { return "blk." + std::to_string(layer) + "."; }
inline std::string block_tensor(uint32_t layer, std::string_view name) {
  return block_prefix(layer).append(name);
}

}  // namespace rotary
