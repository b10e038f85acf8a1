#pragma once
// Argument checks shared by the Gated DeltaNet ops: a view too small for what the op reads or
// writes is a caller bug that would otherwise read out of bounds on one vendor and not another.
#include <cstdint>
#include <string>

#include "base/error.h"
#include "runtime/vk/memory.h"

namespace rotary::ops {

inline void require_floats(const vk::BufferView& v, uint64_t floats, const char* what) {
  require(v.size >= floats * 4, ErrorKind::InvalidArgument,
          std::string(what) + ": the buffer holds " + std::to_string(v.size) + " bytes, " +
              std::to_string(floats * 4) + " are needed");
}

inline void require_tokens(uint32_t n_tokens, const char* op) {
  require(n_tokens > 0 && n_tokens <= 65535, ErrorKind::InvalidArgument,
          std::string(op) + ": " + std::to_string(n_tokens) + " tokens; give 1..65535 per call");
}

}  // namespace rotary::ops
