#pragma once
// The random numbers of synth: xoshiro256** seeded through splitmix64. Every stream is keyed by
// (seed, tensor name, row or chunk), never by thread, so a model is the same for a given seed
// whatever the number of threads that generated it.
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace rotary::synth {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// FNV-1a: a stable key for a tensor name.
inline uint64_t name_key(std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (const char c : name) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
  return h;
}

// A seed for the stream (seed, a, b): splitmix64 mixing of all three.
inline uint64_t stream_seed(uint64_t seed, uint64_t a, uint64_t b) {
  uint64_t s = seed;
  uint64_t h = splitmix64(s) ^ a;
  h = splitmix64(h) ^ b;
  return splitmix64(h);
}

class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    for (auto& w : s_) w = splitmix64(seed);
  }

  uint64_t next() {
    const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 24 random bits.
  float uniform() { return static_cast<float>(next() >> 40) * 0x1p-24f; }
  // Uniform integer in [0, n) (n small: the bias of a 64-bit modulo is negligible).
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }

  // Approximately standard normal: the sum of four 16-bit uniforms (Irwin-Hall), centred and
  // scaled to unit variance. One 64-bit draw per value; tails end at +-3.46, which random
  // weights do not miss.
  float normal() {
    const uint64_t r = next();
    float sum = 0;
    for (int i = 0; i < 4; ++i) sum += static_cast<float>((r >> (16 * i)) & 0xFFFF) + 0.5f;
    return (sum * 0x1p-16f - 2.0f) * 1.7320508f;
  }

  void fill(std::span<std::byte> out) {
    size_t i = 0;
    for (; i + 8 <= out.size(); i += 8) {
      const uint64_t r = next();
      std::memcpy(out.data() + i, &r, 8);
    }
    if (i < out.size()) {
      const uint64_t r = next();
      std::memcpy(out.data() + i, &r, out.size() - i);
    }
  }

 private:
  uint64_t s_[4];
};

}  // namespace rotary::synth
