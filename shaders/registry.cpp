#include "shaders/registry.h"

namespace rotary::shaders {

const ShaderEntry* find(std::string_view name) {
  for (const ShaderEntry& e : all())
    if (name == e.name) return &e;
  return nullptr;
}

}  // namespace rotary::shaders
