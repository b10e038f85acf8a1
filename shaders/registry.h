#pragma once
// The embedded SPIR-V of every shader variant, by name. The table itself is generated at build
// time (cmake/Shaders.cmake) from the rotary_shader() lines in shaders/CMakeLists.txt.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace rotary::shaders {

struct ShaderEntry {
  const char* name;
  const uint32_t* words;
  size_t word_count;
};

std::span<const ShaderEntry> all();

// nullptr when no variant has that name.
const ShaderEntry* find(std::string_view name);

}  // namespace rotary::shaders
