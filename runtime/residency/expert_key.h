#pragma once
// A routed expert: (layer, expert index). Packed into 32 bits for maps and traces.
#include <cstdint>
#include <functional>

namespace rotary {

struct ExpertKey {
  uint16_t layer = 0;
  uint16_t expert = 0;

  uint32_t packed() const { return (static_cast<uint32_t>(layer) << 16) | expert; }
  static ExpertKey unpack(uint32_t v) { return {static_cast<uint16_t>(v >> 16), static_cast<uint16_t>(v & 0xFFFF)}; }
  bool operator==(const ExpertKey& o) const { return packed() == o.packed(); }
  bool operator<(const ExpertKey& o) const { return packed() < o.packed(); }
};

struct ExpertKeyHash {
  size_t operator()(const ExpertKey& k) const { return std::hash<uint32_t>()(k.packed()); }
};

}  // namespace rotary
